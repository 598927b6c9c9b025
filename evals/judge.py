"""Check one turn's expectations against the catalog's own fields and stored transcripts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from agent.formatting import card_fields
from agent.session import TurnResult
from tools.catalog.video import Video
from tools.library import Library

KNOWN_KEYS = {
    "min_results", "max_results", "results_in_min_fraction", "results_with_terms_min_fraction",
    "no_results_in", "no_results_from_channels", "no_results_with_terms", "max_duration_s", "min_duration_s",
    "published_after", "no_repeats", "reply_contains", "interests_include", "interests_exclude",
    "explanation_grounded", "reply_lacks", "results_include_source", "youtube_watch_urls", "youtube_clips_min",
}
SOURCES = ("youtube", "local")
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
QUOTE_WINDOW_S = 10.0


@dataclass
class Verdict:
    failures: list[str] = field(default_factory=list)
    leaks: int = 0
    grounded: bool | None = None


def has_term(lib: Library, video_id: str, terms: list[str]) -> bool:
    video = lib.catalog.get(video_id)
    fields = [video.title, video.description, *video.tags]
    return any(re.search(rf"\b{re.escape(t)}\b", f, re.I) for t in terms for f in fields)


def quote_found(lib: Library, video_id: str, text: str, at: float) -> bool:
    """The quote appears in the transcript, in segments within 10 s of the cited time."""
    segments = lib.catalog.transcript(video_id) or []
    near = [s.text for s in segments if s.end >= at - QUOTE_WINDOW_S and s.start <= at + QUOTE_WINDOW_S]
    squash = lambda s: " ".join(s.split()).lower()
    return bool(text.strip()) and squash(text) in squash(" ".join(near))


def grounding_failures(lib: Library, user: str, exp: dict | None) -> list[str]:
    if not exp:
        return ["no structured explanation was produced"]
    problems = []
    quote = exp.get("quote")
    if quote and not quote_found(lib, exp["video_id"], quote["text"], quote["start"]):
        problems.append(f"quote not in transcript near {quote['start']}s: {quote['text'][:60]!r}")
    interest = exp.get("matched_interest")
    if interest:
        stored = {i.id: i for i in lib.users.interests(user)}.get(interest["id"])
        if stored is None:
            problems.append(f"cited interest '{interest['text']}' is not in memory")
        else:
            kept = {(e.source, e.quote, e.said_at) for e in stored.evidence}
            for ev in interest.get("evidence", []):
                if (ev["source"], ev["quote"], ev["said_at"]) not in kept:
                    problems.append(f"evidence {ev['quote'][:40]!r} of '{interest['text']}' is not in memory")
    return problems


def source_of(video: Video) -> str:
    """'youtube' for what the YouTube backend found (it owns those), 'local' for the catalog's own videos."""
    return "youtube" if video.source == "youtube" else "local"


def watch_url_problem(lib: Library, item: dict) -> str | None:
    """The card's link must be YouTube's watch URL for this id, at the clip's start when there is a clip."""
    vid, clip = item["video_id"], item.get("clip")
    want = f"https://www.youtube.com/watch?v={vid}" + (f"&t={int(clip['start'])}s" if clip else "")
    url = card_fields(lib, item)["url"]
    if not YOUTUBE_ID.fullmatch(vid):
        return f"{vid} is not an 11-character YouTube id"
    return None if url == want else f"{vid} links to {url!r}, wanted {want!r}"


def source_checks(lib: Library, turn: TurnResult, expect: dict, v: Verdict) -> None:
    youtube = [r for r in turn.results if source_of(lib.catalog.get(r["video_id"])) == "youtube"]
    if (source := expect.get("results_include_source")) is not None:
        if source not in SOURCES:
            raise ValueError(f"results_include_source must be one of {', '.join(SOURCES)}, not {source!r}")
        if not any(source_of(lib.catalog.get(r["video_id"])) == source for r in turn.results):
            v.failures.append(f"no result from {source}")
    if expect.get("youtube_watch_urls"):
        if not youtube:
            v.failures.append("no YouTube result to check the watch URL of")
        v.failures += [p for r in youtube if (p := watch_url_problem(lib, r))]
    if "youtube_clips_min" in expect:
        clipped = [r["video_id"] for r in youtube if r.get("clip")
                   and quote_found(lib, r["video_id"], r["clip"]["quote"], r["clip"]["quote_start"])]
        if len(clipped) < expect["youtube_clips_min"]:
            v.failures.append(f"{len(clipped)} YouTube result(s) clipped from their transcript "
                              f"({', '.join(clipped) or 'none'}), wanted at least {expect['youtube_clips_min']}")


def judge_turn(lib: Library, user: str, turn: TurnResult, expect: dict, shown_before: set[str]) -> Verdict:
    unknown = set(expect) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"unknown expectation key(s): {', '.join(sorted(unknown))}")
    v = Verdict()
    ids = [r["video_id"] for r in turn.results]
    videos = [lib.catalog.get(i) for i in ids]
    n = len(ids)
    if "min_results" in expect and n < expect["min_results"]:
        v.failures.append(f"{n} results, expected at least {expect['min_results']}")
    if "max_results" in expect and n > expect["max_results"]:
        v.failures.append(f"{n} results, expected at most {expect['max_results']}")
    if spec := expect.get("results_in_min_fraction"):
        frac = sum(i in set(spec["video_ids"]) for i in ids) / n if n else 0.0
        if frac < spec["fraction"]:
            v.failures.append(f"{frac:.2f} of results among the expected ids, wanted {spec['fraction']}")
    if spec := expect.get("results_with_terms_min_fraction"):
        frac = sum(has_term(lib, i, spec["terms"]) for i in ids) / n if n else 0.0
        if frac < spec["fraction"]:
            v.failures.append(f"{frac:.2f} of results mention {spec['terms']}, wanted {spec['fraction']}")
    leaks = [i for i in ids if i in set(expect.get("no_results_in", []))]
    channels = {c.lower() for c in expect.get("no_results_from_channels", [])}
    leaks += [x.video_id for x in videos if x.channel.lower() in channels]
    if terms := expect.get("no_results_with_terms"):
        leaks += [i for i in ids if has_term(lib, i, terms)]
    if leaks:
        v.leaks = len(leaks)
        v.failures.append(f"steering leak(s): {', '.join(leaks)}")
    for x in videos:
        if "max_duration_s" in expect and (x.duration_s is None or x.duration_s > expect["max_duration_s"]):
            v.failures.append(f"{x.video_id} lasts {x.duration_s} s, limit {expect['max_duration_s']}")
        if "min_duration_s" in expect and (x.duration_s is None or x.duration_s < expect["min_duration_s"]):
            v.failures.append(f"{x.video_id} lasts {x.duration_s} s, minimum {expect['min_duration_s']}")
        if "published_after" in expect:
            after = dt.date.fromisoformat(str(expect["published_after"]))
            if x.published_at is None or x.published_at < after:
                v.failures.append(f"{x.video_id} published {x.published_at}, wanted after {after}")
    if expect.get("no_repeats"):
        again = [i for i in ids if i in shown_before]
        if again:
            v.failures.append(f"shown again: {', '.join(again)}")
    for text in expect.get("reply_contains", []):
        if text.lower() not in turn.reply.lower():
            v.failures.append(f"reply lacks {text!r}")
    for text in expect.get("reply_lacks", []):
        if text.lower() in turn.reply.lower():
            v.failures.append(f"reply contains {text!r}")
    source_checks(lib, turn, expect, v)
    active = [i.text.lower() for i in lib.users.interests(user, status="active")]
    for text in expect.get("interests_include", []):
        if not any(text.lower() in a for a in active):
            v.failures.append(f"interest {text!r} missing (active: {active})")
    for text in expect.get("interests_exclude", []):
        if any(text.lower() in a for a in active):
            v.failures.append(f"interest {text!r} still active")
    if expect.get("explanation_grounded"):
        problems = grounding_failures(lib, user, turn.explanation)
        v.grounded = not problems
        v.failures += problems
    return v
