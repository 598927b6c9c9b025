"""Hard filters: a video that fails one is never shown, whatever its score."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from memory.user_store import Interest, Rules
from tools.catalog.video import Video
from tools.library import Library

TOPIC_SIMILARITY = 0.5
"""Cosine to the topic's own words above which a video is about it."""
SEED_SIMILARITY = 0.4
CENTROID_SIMILARITY = 0.6
"""Cosine to the centroid of the videos that name the topic: catches 'bitcoin' videos when the
user dropped 'crypto', since short topic phrases embed poorly on their own."""


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
    blocked: frozenset[str]

    @classmethod
    def build(cls, lib: Library, interest: Interest) -> "TopicBlock":
        return cls.for_topic(lib, interest.text)

    @classmethod
    def for_topic(cls, lib: Library, text: str) -> "TopicBlock":
        key = ("topic-block", text)
        if key not in lib.memo:
            lib.memo[key] = cls._build(lib, text)
        return lib.memo[key]

    @classmethod
    def _build(cls, lib: Library, text: str) -> "TopicBlock":
        pattern = topic_pattern(text)
        named = np.array([mentions(lib.catalog.get(v), pattern) for v in lib.ids], dtype=bool)
        hit = named.copy()
        vector = lib.embed_text(text) if lib.semantic else None
        if vector is not None:
            closeness = lib.matrix @ vector
            seeds = named | (closeness >= SEED_SIMILARITY)
            hit |= closeness >= TOPIC_SIMILARITY
            if seeds.any():
                centroid = lib.matrix[seeds].mean(0)
                hit |= lib.matrix @ (centroid / np.linalg.norm(centroid)) >= CENTROID_SIMILARITY
        return cls(text, frozenset(lib.ids[i] for i in np.flatnonzero(hit)))

    def blocks(self, lib: Library, video: Video) -> bool:
        return video.video_id in self.blocked

    def text_close(self, lib: Library, text: str) -> bool:
        """Whether a piece of text (an imported title, a post) is about the topic by meaning."""
        if not lib.semantic or not text.strip():
            return False
        topic, other = lib.embed_text(self.text), lib.embed_text(text[:500])
        return topic is not None and other is not None and float(topic @ other) >= TOPIC_SIMILARITY


def limit_failure(video: Video, rules: Rules) -> str | None:
    """Which length or date limit the video fails; an unknown value fails the limit unless the user
    said unknown ones are fine ('include unknown lengths')."""
    length_limited = rules.max_duration_s is not None or rules.min_duration_s is not None
    if length_limited and video.duration_s is None:
        return None if "length" in rules.unknown_ok else "unknown length"
    if rules.max_duration_s is not None and video.duration_s > rules.max_duration_s:
        return "max length"
    if rules.min_duration_s is not None and video.duration_s < rules.min_duration_s:
        return "min length"
    if rules.published_after is not None:
        if video.published_at is None:
            return None if "date" in rules.unknown_ok else "unknown date"
        if video.published_at < rules.published_after:
            return "too old"
    return None


def describe_rules(rules: Rules, dropped: list[Interest]) -> list[str]:
    """The rules in force, in plain words, as 'why' lists them."""
    out = [f"dropped topic '{d.text}'" for d in dropped]
    out += [f"blocked channel '{c}'" for c in rules.blocked_channels]
    out += [f"less of '{t}'" for t in rules.less_topics]
    out += describe_limits(rules)
    if rules.hidden_videos:
        out.append(f"{len(rules.hidden_videos)} video(s) marked not interested")
    return out


def describe_limits(rules: Rules) -> list[str]:
    """The length and date limits in force, in plain words."""
    out = []
    if rules.max_duration_s is not None:
        out.append(f"nothing over {fmt_duration(rules.max_duration_s)}")
    if rules.min_duration_s is not None:
        out.append(f"nothing under {fmt_duration(rules.min_duration_s)}")
    if rules.published_after is not None:
        out.append(f"only published since {rules.published_after.isoformat()}")
    out += [f"videos of unknown {which} included" for which in sorted(rules.unknown_ok)]
    return out


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

