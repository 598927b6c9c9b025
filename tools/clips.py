"""Find the clip of a video that addresses an interest: 30 s to 3 min, starting where it starts."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass

import numpy as np

from memory.lexical import STEM, LexicalIndex, words
from tools.catalog.indexer import transcript_windows
from tools.catalog.video import Segment
from tools.catalog.windows import Window
from tools.errors import ClipwiseError
from tools.library import SEMANTIC_WEIGHT, Library

log = logging.getLogger(__name__)
MIN_S, MAX_S = 30.0, 180.0
KEEP_GOING = 0.9
NEAR_PEAK = 0.95
"""The clip opens at the first window scoring this close to the best: the part where the
topic starts, not a later recap of it."""
EDGE_SHARE, EDGE_PENALTY = 0.05, 0.7
"""Openings and endings preview or recap every topic of a video; they rarely are the clip."""
SMOOTH = np.array([0.25, 0.5, 0.25])
"""A topic runs over several windows; a lone mention scores lower than a sustained part."""
QUOTE_CHARS = 220
SIGN_OFF = re.compile(r"\b(subscribe|thanks? (?:so much )?for watching|see you (?:next|in the next)|patreon|sponsor)", re.I)
SIGN_OFF_PENALTY = 0.5
"""Sign-offs and plugs mention every topic of the video and are never the clip worth watching."""


@dataclass(frozen=True)
class Clip:
    start: float
    end: float
    quote: str
    quote_start: float
    method: str
    """'semantic+lexical' or 'lexical' (no window vectors)."""

    def as_dict(self) -> dict:
        return asdict(self)


_window_indexes: dict[tuple[str, int], LexicalIndex] = {}


def lexical_windows(video_id: str, windows: list[Window]) -> LexicalIndex:
    """BM25 over one transcript's windows, built once per video and process."""
    key = (video_id, len(windows))
    if key not in _window_indexes:
        _window_indexes[key] = LexicalIndex([w.text for w in windows])
    return _window_indexes[key]


def window_scores(lib: Library, video_id: str, windows: list[Window], vectors: np.ndarray | None,
                  interest: str) -> np.ndarray:
    scores = lexical_windows(video_id, windows).scores(interest)
    if scores.max() > 0:
        scores = scores / scores.max()
    query = lib.embed_text(interest) if vectors is not None else None
    if query is not None:
        scores = SEMANTIC_WEIGHT * (vectors @ query) + (1 - SEMANTIC_WEIGHT) * scores
    penalty = np.array([SIGN_OFF_PENALTY if SIGN_OFF.search(w.text) else 1.0 for w in windows])
    scores = scores * penalty
    if len(scores) >= 3:
        scores = np.convolve(np.pad(scores, 1, mode="edge"), SMOOTH, mode="valid")
    position = np.arange(len(windows)) / max(len(windows) - 1, 1)
    return scores * np.where((position < EDGE_SHARE) | (position > 1 - EDGE_SHARE), EDGE_PENALTY, 1.0)


def grow_span(windows: list[Window], scores: np.ndarray) -> tuple[int, int]:
    """From where the topic starts, take the windows that still score close to it, within 30 s-3 min."""
    peak = int(np.flatnonzero(scores >= NEAR_PEAK * scores.max())[0])
    a = b = peak
    floor = scores[peak] * KEEP_GOING
    while b + 1 < len(windows) and windows[b + 1].end - windows[a].start <= MAX_S:
        short = windows[b].end - windows[a].start < MIN_S
        if not short and scores[b + 1] < floor:
            break
        b += 1
    return a, b


def relevant_start(segments: list[Segment], window: Window, interest: str) -> int:
    """First segment of the window that names the interest; the window's first otherwise."""
    stems = {STEM(w) for w in words(interest)}
    for i in range(window.first_segment, window.last_segment + 1):
        if stems & {STEM(w) for w in words(segments[i].text)}:
            return i
    return window.first_segment


def pick_quote(segments: list[Segment], first: int, last: int, interest: str) -> Segment:
    stems = {STEM(w) for w in words(interest)}

    def overlap(seg: Segment) -> int:
        return len(stems & {STEM(w) for w in words(seg.text)})

    return max(segments[first : last + 1], key=lambda s: (overlap(s), len(s.text) >= 40))


def short_quote(text: str) -> str:
    """At most QUOTE_CHARS, cut at a word boundary; always a verbatim piece of the segment."""
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0]


def warm_clips(lib: Library) -> int:
    """Read every transcript and build its windows and their BM25 index ahead of the first turn,
    and what relates videos to each other (for the first 'more like this')."""
    done = 0
    for video_id in list(lib.catalog.transcript_paths):
        try:
            lexical_windows(video_id, lib.catalog.windows(video_id))
            done += 1
        except ClipwiseError as exc:
            log.debug("warm-up skipped %s: %s", video_id, exc)
    lib.related.ready()
    return done


def find_clip(lib: Library, video_id: str, interest: str, embed_missing: bool = True) -> Clip | None:
    """The best clip for the interest, or None when the video has no transcript."""
    segments = lib.catalog.transcript(video_id)
    if not segments:
        return None
    windows, vectors = transcript_windows(
        lib.catalog, lib.vectors, lib.embedder, video_id, embed_missing=embed_missing
    )
    scores = window_scores(lib, video_id, windows, vectors, interest)
    a, b = grow_span(windows, scores)
    first = relevant_start(segments, windows[a], interest)
    start = segments[first].start
    end = max(windows[b].end, min(start + MIN_S, segments[-1].end))
    if end - start < MIN_S:  # near the end of the video: open the clip earlier instead
        first = next((i for i in range(first, -1, -1) if end - segments[i].start >= MIN_S), 0)
        start = segments[first].start
    quote = pick_quote(segments, first, windows[b].last_segment, interest)
    method = "semantic+lexical" if vectors is not None else "lexical"
    return Clip(round(start, 1), round(end, 1), short_quote(quote.text), round(quote.start, 2), method)
