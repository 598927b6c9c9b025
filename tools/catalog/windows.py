"""Cut a transcript into short consecutive windows, the units a clip is built from."""

from __future__ import annotations

from dataclasses import dataclass

from tools.catalog.video import Segment

TARGET_S = 20.0
MAX_S = 40.0


@dataclass(frozen=True)
class Window:
    index: int
    start: float
    end: float
    first_segment: int
    last_segment: int
    text: str


def cut_windows(segments: list[Segment], target_s: float = TARGET_S, max_s: float = MAX_S) -> list[Window]:
    """Group segments into windows of about `target_s`; a long segment stands alone."""
    windows: list[Window] = []
    first = 0
    for i, seg in enumerate(segments):
        start = segments[first].start
        nxt = segments[i + 1] if i + 1 < len(segments) else None
        span = seg.end - start
        next_too_long = nxt is not None and nxt.end - start > max_s
        if nxt is None or span >= target_s or next_too_long:
            text = " ".join(s.text.strip() for s in segments[first : i + 1])
            end = max(seg.end, nxt.start if nxt and nxt.start - seg.end < 2 else seg.end)
            windows.append(Window(len(windows), start, end, first, i, text))
            first = i + 1
    return windows
