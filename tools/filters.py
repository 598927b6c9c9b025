"""Hard filters: a video that fails one is never shown, whatever its score."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from memory.library import Library
from memory.user_store import Interest, Rules
from tools.video import Video

DROP_SIMILARITY = 0.55
"""Cosine above which a video counts as being about a dropped topic even without its words."""


def topic_pattern(topic: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive, plural-tolerant pattern for a topic phrase."""
    parts = [re.escape(w) + r"(?:s|es)?" for w in topic.split()]
    return re.compile(r"\b" + r"[\s\-_]+".join(parts) + r"\b", re.IGNORECASE)


def mentions(video: Video, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(video.title) or pattern.search(video.description)
                or any(pattern.search(t) for t in video.tags))


@dataclass
class TopicBlock:
    """A dropped topic: blocks videos that name it or whose meaning is close to it."""

    text: str
    pattern: re.Pattern[str]
    closeness: np.ndarray | None

    @classmethod
    def build(cls, lib: Library, interest: Interest) -> "TopicBlock":
        vector = lib.embed_text(interest.text) if lib.semantic else None
        closeness = lib.matrix @ vector if vector is not None else None
        return cls(interest.text, topic_pattern(interest.text), closeness)

    def blocks(self, lib: Library, video: Video) -> bool:
        if mentions(video, self.pattern):
            return True
        return self.closeness is not None and self.closeness[lib.row[video.video_id]] >= DROP_SIMILARITY


def limit_failure(video: Video, rules: Rules) -> str | None:
    """Which length or date limit the video fails; an unknown value fails the limit."""
    if rules.max_duration_s is not None and (video.duration_s is None or video.duration_s > rules.max_duration_s):
        return "max length" if video.duration_s is not None else "unknown length"
    if rules.min_duration_s is not None and (video.duration_s is None or video.duration_s < rules.min_duration_s):
        return "min length" if video.duration_s is not None else "unknown length"
    if rules.published_after is not None and (
        video.published_at is None or video.published_at < rules.published_after
    ):
        return "too old" if video.published_at is not None else "unknown date"
    return None


def describe_rules(rules: Rules, dropped: list[Interest]) -> list[str]:
    """The rules in force, in plain words, as 'why' lists them."""
    out = [f"dropped topic '{d.text}'" for d in dropped]
    out += [f"blocked channel '{c}'" for c in rules.blocked_channels]
    if rules.max_duration_s is not None:
        out.append(f"nothing over {fmt_duration(rules.max_duration_s)}")
    if rules.min_duration_s is not None:
        out.append(f"nothing under {fmt_duration(rules.min_duration_s)}")
    if rules.published_after is not None:
        out.append(f"only published since {rules.published_after.isoformat()}")
    if rules.hidden_videos:
        out.append(f"{len(rules.hidden_videos)} video(s) marked not interested")
    return out


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def today() -> dt.date:
    return dt.date.today()
