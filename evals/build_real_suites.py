"""Build the real-data eval suites from ../shared/data/real (run from the repo root).

    python evals/build_real_suites.py [--data ../shared/data/real] [--out evals/real]

Writes three generated files into --out (the hand-written *.yaml cases there are left alone):

- real.clips.jsonl        {"video_id", "interest", "start", "end"} from chapters.jsonl
- series.retrieval.jsonl  {"query", "relevant"} from groups of type topic_series / playlist_series
- related.retrieval.jsonl {"video_id", "relevant"} from groups of type related_videos
- related.train.jsonl     {"video_id", "relevant"}: more related pairs that fit the "more like this"
                          weights (evals/fit_related.py) but are never scored

Only ids, chapter/series titles (used as interests and queries) and times are written; no
descriptions or transcript text. The files are generated, not committed: rebuild them whenever
the data folder changes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "real"
DEFAULT_OUT = ROOT / "evals" / "real"

MIN_CHAPTER_S = 20.0
"""Chapters shorter than this are not usable clip ground truth."""

SKIP_WHOLE = {
    "intro", "introduction", "outro", "thanks", "thank you", "conclusion", "credits", "sponsor",
    "sponsors", "patreon", "ending", "end", "the end", "wrap up", "wrapup", "recap", "summary",
    "last thoughts", "final thoughts", "closing thoughts", "up next", "next time", "mailing list",
    "hi", "hi again", "hello", "hey", "welcome", "welcome back", "goodbye", "bye",
    "whats next", "whats coming next",
}
"""Chapter titles (lowercased, punctuation removed) that are never about a topic."""

SKIP_START = re.compile(
    r"^(?:welcome\b|hello\b|hi\b|hey\b|thanks\b|thank you\b|see you\b|goodbye\b|bye\b|outro\b|"
    r"what'?s (?:coming )?next\b|what am i going to cover\b|no idea what'?s next\b|"
    r"ideas?\s*[!?]|please share\b|wrap[ -]?up\b|credits\b|sponsor|patreon\b|no more sponsor|"
    r"introducing today'?s topic\b|invite to\b|end of\b)",
    re.IGNORECASE,
)
"""Greetings, sign-offs, sponsor and 'what's next' chapters, whatever follows the first words."""

TAG_PREFIX = re.compile(
    r"^(?:code|explain|try|discuss|explore|debug|note|tidbit|whoops|amendment|copy & paste)!+\s+", re.IGNORECASE
)
"""The Coding Train marks chapters 'Code! ...', 'Explain! ...': the tag is not part of the topic."""

SERIES_TYPES = ("topic_series", "playlist_series")
SITE_FOLDERS = {"courses", "archive", "tutorials", "learning", "more", "beginners", "streams",
                "guest tutorials", "challenges", "coding challenges"}
"""Top-level site folders in Coding Train series paths; they name no topic."""
MEANINGLESS_SERIES = {"miscellaneous", "misc", "other", "others"}
"""Series whose name is no query at all (3b1b's 'Miscellaneous' topic)."""


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def transcript_end(path: Path) -> float:
    segments = json.loads(path.read_text(encoding="utf-8"))
    return max((float(s["start"]) + float(s.get("duration") or 0.0) for s in segments), default=0.0)


def is_filler(title: str) -> bool:
    """Intro / outro / thanks / sponsor / greeting chapters: not a topic a user would ask for."""
    bare = re.sub(r"[^\w\s]", "", title.lower().replace("-", " "))
    bare = " ".join(bare.split())
    return bare in SKIP_WHOLE or bool(SKIP_START.match(title.strip()))


def clean_chapter_title(title: str) -> str:
    return " ".join(TAG_PREFIX.sub("", title.strip()).split())


def build_clips(data: Path) -> tuple[list[dict], dict[str, int]]:
    rows: list[dict] = []
    stats = {"videos": 0, "no_transcript": 0, "filler": 0, "too_short": 0, "past_transcript_end": 0}
    for entry in read_jsonl(data / "chapters.jsonl"):
        vid = entry["video_id"]
        path = data / "transcripts" / f"{vid}.json"
        if not path.is_file():
            stats["no_transcript"] += 1
            continue
        stats["videos"] += 1
        end_of_video = transcript_end(path)
        chapters = sorted(entry["chapters"], key=lambda c: float(c["start"]))
        for i, chapter in enumerate(chapters):
            start = float(chapter["start"])
            end = float(chapters[i + 1]["start"]) if i + 1 < len(chapters) else end_of_video
            if is_filler(chapter["title"]):
                stats["filler"] += 1
                continue
            if start >= end_of_video:
                stats["past_transcript_end"] += 1
                continue
            if end - start < MIN_CHAPTER_S:
                stats["too_short"] += 1
                continue
            interest = clean_chapter_title(chapter["title"])
            if not interest:
                stats["filler"] += 1
                continue
            rows.append({"video_id": vid, "interest": interest, "start": round(start, 3), "end": round(end, 3)})
    return rows, stats


def series_query(group: str) -> str:
    """'3Blue1Brown topic: Linear Algebra' -> 'Linear Algebra';
    'The Coding Train series: Archive > Nature of Code > Vectors' -> 'Nature of Code Vectors'."""
    name = group.split(":", 1)[1] if ":" in group else group
    parts = [p.strip() for p in name.split(">") if p.strip()]
    parts = [p for p in parts if p.lower() not in SITE_FOLDERS] or parts
    query = " ".join(parts)
    query = re.sub(r"\s*-\s*archive\b", "", query, flags=re.IGNORECASE)
    return " ".join(query.split())


def build_series(groups: list[dict], catalog: set[str]) -> tuple[list[dict], dict[str, int]]:
    rows: list[dict] = []
    stats = {"groups": 0, "too_few_in_catalog": 0, "meaningless_name": 0}
    seen_queries: dict[str, int] = {}
    for g in groups:
        if g["type"] not in SERIES_TYPES:
            continue
        stats["groups"] += 1
        query = series_query(g["group"])
        relevant = list(dict.fromkeys(v for v in g["video_ids"] if v in catalog))
        if query.lower() in MEANINGLESS_SERIES or not query:
            stats["meaningless_name"] += 1
            continue
        if len(relevant) < 3:
            stats["too_few_in_catalog"] += 1
            continue
        if query.lower() in seen_queries:  # same name twice: one query, both groups relevant
            row = rows[seen_queries[query.lower()]]
            row["relevant"] = list(dict.fromkeys(row["relevant"] + relevant))
            continue
        seen_queries[query.lower()] = len(rows)
        rows.append({"query": query, "relevant": relevant})
    return rows, stats


def build_related(groups: list[dict], catalog: set[str]) -> tuple[list[dict], dict[str, int]]:
    rows: list[dict] = []
    stats = {"groups": 0, "anchor_not_in_catalog": 0, "too_few_in_catalog": 0}
    for g in groups:
        if g["type"] != "related_videos":
            continue
        stats["groups"] += 1
        anchor = g.get("anchor")
        if not anchor or anchor not in catalog:
            stats["anchor_not_in_catalog"] += 1
            continue
        relevant = list(dict.fromkeys(v for v in g["video_ids"] if v in catalog and v != anchor))
        if len(relevant) < 2:
            stats["too_few_in_catalog"] += 1
            continue
        rows.append({"video_id": anchor, "relevant": relevant})
    return rows, stats


def build_related_training(groups: list[dict], catalog: set[str], suite: list[dict]) -> tuple[list[dict], dict[str, int]]:
    """Pairs that teach what 'related' means but are not scored: related lists too short for the
    suite, videos linked from descriptions, and the parts of multi-part videos (each part's
    related videos are its other parts)."""
    scored = {row["video_id"] for row in suite}
    rows: list[dict] = []
    stats = {"related_short": 0, "description_links": 0, "multi_part": 0}
    for g in groups:
        ids = list(dict.fromkeys(v for v in g["video_ids"] if v in catalog))
        if g["type"] in ("related_videos", "description_links"):
            anchor = g.get("anchor")
            relevant = [v for v in ids if v != anchor]
            if anchor in catalog and anchor not in scored and relevant:
                rows.append({"video_id": anchor, "relevant": relevant})
                stats["related_short" if g["type"] == "related_videos" else "description_links"] += 1
        elif g["type"] == "multi_part" and len(ids) > 1:
            for anchor in ids:
                rows.append({"video_id": anchor, "relevant": [v for v in ids if v != anchor]})
                stats["multi_part"] += 1
    return rows, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="folder with catalog.jsonl, chapters.jsonl, groups.jsonl, transcripts/ (default ../shared/data/real)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the suites (default evals/real)")
    args = ap.parse_args(argv)

    data: Path = args.data
    for need in ("catalog.jsonl", "chapters.jsonl", "groups.jsonl", "transcripts"):
        if not (data / need).exists():
            print(f"error: {data / need} not found (give --data)", file=sys.stderr)
            return 2
    catalog = {row["video_id"] for row in read_jsonl(data / "catalog.jsonl")}
    groups = read_jsonl(data / "groups.jsonl")

    clips, clip_stats = build_clips(data)
    series, series_stats = build_series(groups, catalog)
    related, related_stats = build_related(groups, catalog)
    training, training_stats = build_related_training(groups, catalog, related)

    args.out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "real.clips.jsonl": (clips, clip_stats),
        "series.retrieval.jsonl": (series, series_stats),
        "related.retrieval.jsonl": (related, related_stats),
        "related.train.jsonl": (training, training_stats),
    }
    for name, (rows, stats) in outputs.items():
        write_jsonl(args.out / name, rows)
        detail = ", ".join(f"{k} {v}" for k, v in stats.items())
        print(f"{args.out / name}: {len(rows)} rows ({detail})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
