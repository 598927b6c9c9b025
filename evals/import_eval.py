"""Import eval: learn interests from synthetic Takeout watch histories of real series, then recommend."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.build_real_suites import MEANINGLESS_SERIES, SERIES_TYPES, read_jsonl, series_query
from evals.retrieval_eval import K, measures
from memory.user_store import UserStore
from tools.catalog.store import load_catalog
from tools.library import Library, open_library
from tools.ranking import Request, recommend

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "real"
MIN_SERIES = 8
NOISE_PER_WATCHED = 2
MAX_WATCHED = 20
METRICS = ("hit_at_10", "precision_at_10", "recall_at_10")

try:
    from tools.imports.importer import import_export
except ImportError as exc:  # the importer (or a parser it needs) is not there yet: learn without it
    import_export, IMPORTER_MISSING = None, str(exc)


@dataclass
class History:
    series: str
    watched: list[str]
    held_back: set[str]
    noise: list[str]
    path: Path


def series_groups(data: Path, lib: Library) -> list[tuple[str, list[str]]]:
    """(name, video ids in the catalog) of every series with at least MIN_SERIES videos."""
    out = []
    for g in read_jsonl(data / "groups.jsonl"):
        name = series_query(g["group"])
        vids = list(dict.fromkeys(v for v in g["video_ids"] if v in lib.row))
        if g["type"] in SERIES_TYPES and name.lower() not in MEANINGLESS_SERIES and len(vids) >= MIN_SERIES:
            out.append((name, vids))
    return out


def takeout_record(lib: Library, video_id: str, at: dt.datetime) -> dict:
    video = lib.catalog.get(video_id)
    return {
        "header": "YouTube", "title": f"Watched {video.title}",
        "titleUrl": f"https://www.youtube.com/watch?v={video_id}",
        "subtitles": [{"name": video.channel, "url": "https://www.youtube.com/channel/x"}],
        "time": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "products": ["YouTube"], "activityControls": ["YouTube watch history"],
    }


def make_history(lib: Library, rng: random.Random, series: tuple[str, list[str]], now: dt.datetime,
                 folder: Path) -> History:
    name, vids = series
    watched = rng.sample(vids, min(len(vids) // 2, MAX_WATCHED))
    channels = {lib.catalog.get(v).channel for v in vids}
    others = [v for v in lib.ids if lib.catalog.get(v).channel not in channels]
    noise = rng.sample(others, NOISE_PER_WATCHED * len(watched))
    events = [(now - dt.timedelta(seconds=rng.uniform(0, 365 * 86400)), v) for v in watched + noise]
    events.sort(reverse=True)  # Takeout lists the newest first
    path = folder / "Takeout" / "YouTube and YouTube Music" / "history" / "watch-history.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([takeout_record(lib, v, at) for at, v in events], ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return History(name, watched, set(vids) - set(watched), noise, path)


def learn_without_importer(lib: Library, user: str, path: Path) -> None:
    """What tools.imports.importer does, minus its parsers and all-or-nothing storing: our own file, read plainly."""
    from tools.imports.discovery import discover_interests
    from tools.imports.imported_item import ImportedItem
    from tools.steering import add_interest

    items = []
    for n, rec in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        vid = rec["titleUrl"].split("v=", 1)[1]
        at = dt.datetime.fromisoformat(rec["time"].replace("Z", "+00:00"))
        items.append(ImportedItem("youtube_watch", f"{vid}@{rec['time']}", rec["title"].removeprefix("Watched "),
                                  at, f"{path.name}, record {n + 1}", video_id=vid, url=rec["titleUrl"],
                                  channel=rec["subtitles"][0]["name"]))
    for f in discover_interests(items, lib.embedder, dt.datetime.now(dt.timezone.utc)):
        add_interest(lib, user, f.name, said=f.examples[0].text, source="import", weight=f.weight)


def learn(lib: Library, user: str, path: Path) -> str:
    """Store the interests the export shows; returns which learner ran."""
    if import_export is not None:
        import_export(lib, user, path)
        return "tools.imports.importer.import_export"
    learn_without_importer(lib, user, path)
    return f"the private fallback ({IMPORTER_MISSING})"


def popularity(lib: Library, exclude: set[str]) -> list[str]:
    """Top K by view count; videos without one count as 0 and stay in catalog order."""
    views = np.array([lib.catalog.get(v).view_count or 0 for v in lib.ids], dtype=float)
    order = np.argsort(-views, kind="stable")
    return [lib.ids[i] for i in order if lib.ids[i] not in exclude][:K]


def run_import_eval(lib: Library, data: Path, histories: int = 16, seed: int = 0,
                    tag: str = "import-eval") -> dict:
    """Build the histories, learn each for its own user, and score ours and the baselines.

    Each history watches about half of one series (3Blue1Brown topic or Coding Train series with
    MIN_SERIES+ videos in the catalog) plus twice as many random videos of other channels, at times
    spread over the last year, written as a Takeout watch-history.json. The top K with no query,
    watched videos marked seen, is scored against the held-back half of the series.
    """
    rng = random.Random(seed)
    groups = series_groups(data, lib)
    rng.shuffle(groups)
    now = dt.datetime.now(dt.timezone.utc)
    rows, learner = [], None
    with tempfile.TemporaryDirectory(prefix="clipwise-import-eval-") as tmp:
        for n in range(histories):
            h = make_history(lib, rng, groups[n % len(groups)], now, Path(tmp) / f"h{n}")
            user, blank = f"{tag}-{seed}-{n}", f"{tag}-{seed}-{n}-none"
            learner = learn(lib, user, h.path)
            lib.mark_seen(user, h.watched + h.noise)
            lib.mark_seen(blank, h.watched + h.noise)
            ours = [i.video_id for i in recommend(lib, Request(user=user, k=K)).items]
            none = [i.video_id for i in recommend(lib, Request(user=blank, k=K)).items]
            pop = popularity(lib, set(h.watched + h.noise))
            rows.append({
                "series": h.series, "watched": len(h.watched), "noise": len(h.noise), "held_back": len(h.held_back),
                "interests": [(i.text, round(i.weight, 2)) for i in lib.users.interests(user, "active")],
                "import": measures(ours, h.held_back), "popularity": measures(pop, h.held_back),
                "no_import": measures(none, h.held_back),
            })
    avg = {run: {m: round(sum(r[run][m] for r in rows) / len(rows), 4) for m in METRICS}
           for run in ("import", "popularity", "no_import")}
    return {"histories": len(rows), "seed": seed, "learner": learner, "metrics": avg, "rows": rows}


def print_report(report: dict) -> None:
    print(f"{report['histories']} histories, seed {report['seed']}, learned by {report['learner']}")
    print(f"{'series':<40} {'w/n/held':>9}  {'hit':>3} {'p@10':>5}  interests (weight)")
    for r in report["rows"]:
        names = ", ".join(f"{t} ({w})" for t, w in r["interests"][:4])
        print(f"{r['series'][:40]:<40} {r['watched']:>2}/{r['noise']:>2}/{r['held_back']:>2}  "
              f"{r['import']['hit_at_10']:>3.0f} {r['import']['precision_at_10']:>5.2f}  {names}")
    print()
    print(f"{'run':<12} " + " ".join(f"{m:>16}" for m in METRICS))
    labels = {"import": "import", "popularity": "popularity", "no_import": "no import"}
    for run, label in labels.items():
        print(f"{label:<12} " + " ".join(f"{report['metrics'][run][m]:>16.3f}" for m in METRICS))
    print("precision_at_10 is hits / min(10, held-back) as in evals/retrieval_eval.py. Popularity: the trending "
          "videos' 2017 view counts; the series and most other videos have none, so past those it is catalog order.")


def open_eval_library(data: Path, index_dir: Path, memory: Path) -> Library:
    """The real catalog's index in index_dir (built when missing, ~25 s) with user memory of its own."""
    base = open_library(load_catalog(data / "catalog.jsonl", data / "transcripts"), index_dir)
    base.users.close()
    base.users = UserStore(memory)
    return base


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, epilog="python -m evals.import_eval [--data ../shared/data/real] "
                                 "[--histories 16] [--seed 0] [--report PATH]")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--histories", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report", type=Path)
    ap.add_argument("--index-dir", type=Path, help="keep the real index here between runs (default: a temp dir)")
    args = ap.parse_args(argv)
    missing = [n for n in ("catalog.jsonl", "groups.jsonl", "transcripts") if not (args.data / n).exists()]
    if missing:
        print(f"skipped: real data not found at {args.data} (missing {', '.join(missing)})")
        return 0
    with tempfile.TemporaryDirectory(prefix="clipwise-import-eval-") as tmp:
        lib = open_eval_library(args.data, args.index_dir or Path(tmp) / "index", Path(tmp) / "memory.sqlite")
        report = run_import_eval(lib, args.data, args.histories, args.seed)
        lib.users.close()
    print_report(report)
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"report written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
