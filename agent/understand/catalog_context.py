"""What the parser needs from a catalog (channel names, vocabulary, known phrases), built once per catalog."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from agent.understand.channels import ChannelIndex
from agent.understand.parser import ParseContext
from agent.understand.topics import Vocabulary
from tools.catalog.store import Catalog

WORDS = re.compile(r"[a-z][a-z']+")


@dataclass
class CatalogWords:
    channels: ChannelIndex
    vocabulary: Vocabulary
    titles: str
    """All titles, lower case, one per line: where a phrase like 'rock and roll' is looked up."""
    by_channel: list[tuple[str, str]]
    """(title lower case, channel) of every video."""

    @classmethod
    def build(cls, catalog: Catalog) -> "CatalogWords":
        videos = list(catalog.videos.values())
        counts: Counter = Counter()
        for v in videos:
            counts.update(WORDS.findall(f"{v.title} {' '.join(v.tags)} {v.description[:500]}".lower()))
        titles = "\n".join(v.title.lower() for v in videos)
        return cls(ChannelIndex([v.channel for v in videos]), Vocabulary(counts), titles,
                   [(v.title.lower(), v.channel) for v in videos])

    def phrase_known(self, phrase: str) -> bool:
        return phrase.lower() in self.titles

    def titles_elsewhere(self, phrase: str, channel: str) -> int:
        """How many titles of other channels name the phrase: 'late night' is a topic, 'hype machine' a name."""
        low = phrase.lower()
        return sum(1 for title, c in self.by_channel if c != channel and low in title)

    def context(self, today: dt.date | None = None, shown: list[dict] | None = None, blocked: tuple[str, ...] = (),
                dropped: tuple[str, ...] = (), interests: tuple[str, ...] = ()) -> ParseContext:
        return ParseContext(today or dt.date.today(), self.channels, self.vocabulary, self.phrase_known,
                            shown or [], blocked, dropped, interests, self.titles_elsewhere)
