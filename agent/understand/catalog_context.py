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

    @classmethod
    def build(cls, catalog: Catalog) -> "CatalogWords":
        videos = list(catalog.videos.values())
        counts: Counter = Counter()
        for v in videos:
            counts.update(WORDS.findall(f"{v.title} {' '.join(v.tags)} {v.description[:500]}".lower()))
        titles = "\n".join(v.title.lower() for v in videos)
        return cls(ChannelIndex([v.channel for v in videos]), Vocabulary(counts), titles)

    def phrase_known(self, phrase: str) -> bool:
        return phrase.lower() in self.titles

    def context(self, today: dt.date | None = None, shown: list[dict] | None = None, blocked: tuple[str, ...] = (),
                dropped: tuple[str, ...] = ()) -> ParseContext:
        return ParseContext(today or dt.date.today(), self.channels, self.vocabulary, self.phrase_known,
                            shown or [], blocked, dropped)
