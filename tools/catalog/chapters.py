"""Chapter marks an uploader writes in a description ('0:00 Intro', '4:09 - Generalizing'), read as YouTube reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})"
LEADING = re.compile(rf"^\s*[\[(]?{TIME}[\])]?\s*(?:[-–—:|.•]\s*)?(.*?)\s*$")
"""'4:09 - Generalizing as a formula', '(1:02:03) Recap', '0:00 Intro'."""
TRAILING = re.compile(rf"^\s*(.*?)\s*(?:[-–—:|•]\s*)?[\[(]?{TIME}[\])]?\s*$")
"""'Generalizing as a formula - 4:09'."""
MIN_CHAPTERS = 3
"""YouTube shows chapters when a description lists at least three, the first at 0:00, each at least
10 s long, in increasing order; lists that break those rules are not chapters."""
FIRST_BY_S = 5.0
MIN_CHAPTER_S = 10.0
MAX_TITLE_CHARS = 120


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str


def seconds(h: str | None, m: str, s: str) -> float | None:
    if int(s) >= 60 or (h is not None and int(m) >= 60):
        return None
    return (int(h) if h else 0) * 3600 + int(m) * 60 + int(s)


def marked_line(line: str) -> Chapter | None:
    """A chapter line's time and title; None for any other line."""
    if m := LEADING.match(line):
        h, mm, ss, title = m.groups()
    elif m := TRAILING.match(line):
        title, h, mm, ss = m.groups()
    else:
        return None
    title, at = " ".join(title.split()), seconds(h, mm, ss)
    if at is None or not re.search(r"\w", title) or len(title) > MAX_TITLE_CHARS:
        return None
    return Chapter(float(at), title)


@lru_cache(maxsize=8192)
def description_chapters(description: str) -> tuple[Chapter, ...]:
    """The first run of chapter lines in the description; () when it holds no valid chapter list."""
    run: list[Chapter] = []
    for line in description.splitlines():
        mark = marked_line(line)
        if mark is None:
            if len(run) >= MIN_CHAPTERS:
                break
            run = []
            continue
        if run and mark.start - run[-1].start < MIN_CHAPTER_S:
            if len(run) >= MIN_CHAPTERS:
                break
            run = []
            if mark.start > FIRST_BY_S:
                continue
        if not run and mark.start > FIRST_BY_S:
            continue
        run.append(mark)
    return tuple(run) if len(run) >= MIN_CHAPTERS else ()
