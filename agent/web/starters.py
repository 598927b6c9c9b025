"""The chat's starter suggestions, drawn from the catalog that is loaded and the user's own interests."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

TOPICS = 3
"""Catalog topics offered (with one 'what do you know about me' starter after them)."""
OVERLAP = 0.5
"""A topic whose videos are mostly another chosen topic's (comedy after funny) is not offered again."""
MIN_VIDEOS = 3
"""A tag on fewer videos than this finds too little to be worth a starter."""


@dataclass(frozen=True)
class Starter:
    label: str
    message: str


FORM_TAGS = frozenset({"funny", "how to", "howto", "tutorial", "tutorials", "video", "videos", "youtube", "vlog",
                       "new", "best", "official", "hd", "4k", "live", "shorts", "viral", "trending", "lol", "episode",
                       "full episode", "part 1", "explained", "review", "reaction", "subscribe"})
"""Tags uploaders put on any video to say what kind of video it is, not what it is about."""
MAX_WORDS, MAX_CHARS = 4, 40
"""Tags are catalog text: only short ones are offered, and the button says exactly what it sends."""


def meaningful(tag: str, channels: set[str]) -> bool:
    """A short tag that names a topic: not a year or number, not a channel's name, not two letters, not
    a word for the kind of video ('funny', 'how to')."""
    return (2 < len(tag) <= MAX_CHARS and len(tag.split()) <= MAX_WORDS and not re.fullmatch(r"[\d\s\W]+", tag)
            and tag not in channels and tag not in FORM_TAGS)


def catalog_topics(videos, limit: int = TOPICS) -> list[str]:
    """The catalog's most common topic tags, skipping those that mostly repeat one already picked."""
    channels = {v.channel.casefold() for v in videos}
    holders: dict[str, set[str]] = {}
    for v in videos:
        for tag in {t.strip().casefold() for t in v.tags}:
            if meaningful(tag, channels):
                holders.setdefault(tag, set()).add(v.video_id)
    counts = Counter({tag: len(ids) for tag, ids in holders.items() if len(ids) >= MIN_VIDEOS})
    picked: list[str] = []
    for tag, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        ids = holders[tag]
        if all(len(ids & holders[p]) <= OVERLAP * len(ids) for p in picked):
            picked.append(tag)
        if len(picked) == limit:
            break
    return picked


def starters(videos, interests: list[str]) -> list[Starter]:
    """The user's own interests first (newest first), then the catalog's topics, then memory."""
    out: list[Starter] = []
    for text in interests[::-1][:TOPICS]:
        out.append(Starter(f"More on {text}", f"videos about {text}"))
    seen = {i.casefold() for i in interests}
    for topic in catalog_topics(videos, limit=TOPICS + len(seen)):
        if len(out) == TOPICS:
            break
        if topic not in seen:
            out.append(Starter(f"Videos about {topic}", f"videos about {topic}"))
    out.append(Starter("What do you know about me?", "show my interests"))
    return out
