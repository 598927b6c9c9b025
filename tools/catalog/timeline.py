"""Put transcript lines in order and make their times sane: no overlaps, no endless lines, no huge text."""

from __future__ import annotations

from tools.catalog.video import Segment
from tools.limits import limits

MAX_LINE_S = 30.0
"""A caption line is on screen for seconds; a longer duration is capped so it cannot stretch a clip."""


def tidy(segments: list[Segment]) -> list[Segment]:
    """Sorted by start; lines with the same start merged; each line ends by the next one's start and
    lasts at most MAX_LINE_S; text cut to CLIPWISE_MAX_TRANSCRIPT_LINE_CHARS."""
    max_chars = limits().max_transcript_line_chars
    merged: list[tuple[float, float, str]] = []
    for seg in sorted(segments, key=lambda s: s.start):
        text = seg.text.strip()
        if merged and merged[-1][0] == seg.start:
            start, duration, before = merged[-1]
            joined = before if text == before else f"{before} {text}"
            merged[-1] = (start, max(duration, seg.duration), joined[:max_chars])
        else:
            merged.append((seg.start, seg.duration, text[:max_chars]))
    tidied = []
    for i, (start, duration, text) in enumerate(merged):
        room = merged[i + 1][0] - start if i + 1 < len(merged) else MAX_LINE_S
        tidied.append(Segment(start=start, duration=min(duration, room, MAX_LINE_S), text=text))
    return tidied
