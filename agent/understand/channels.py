"""Channel names as people type them ('the vox channel', '3b1b', 'jimmy fallon', 'Slow Kitchn') resolved
against the catalog's own spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

NOISE = {"the", "channel", "channels", "official", "videos", "video", "stuff", "guy", "guys", "by", "from", "tv"}
FUZZY_CUTOFF = 88
"""rapidfuzz ratio for a typo ('Slow Kitchn' -> 'Slow Kitchen'); lower lets common words match channels."""


NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10"}


def words(name: str) -> list[str]:
    name = name.lower().replace("&", " and ").replace("+", " plus ")
    name = re.sub(r"'s\b", "", name)
    return [NUMBER_WORDS.get(w, w) for w in re.findall(r"[a-z0-9]+", name)]


def key(name: str) -> str:
    return " ".join(w for w in words(name) if w not in NOISE) or " ".join(words(name))


def acronym(name: str) -> str:
    """'3Blue1Brown' -> '3b1b', 'Chalk & Proof' -> 'cp' (capital, digit and word starts)."""
    parts = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", name.replace("&", " "))
    return "".join(p[0] for p in parts).lower()


@dataclass
class ChannelIndex:
    """Every channel name once, with the keys people use for it."""

    names: list[str]
    keys: list[str] = field(init=False)
    by_key: dict[str, str] = field(init=False)
    by_compact: dict[str, str] = field(init=False)
    by_acronym: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.names = sorted(set(n for n in self.names if n))
        self.keys = [key(n) for n in self.names]
        self.by_key = {k: n for k, n in zip(self.keys, self.names)}
        self.by_compact = {k.replace(" ", ""): n for k, n in zip(self.keys, self.names)}
        self.by_acronym = {}
        for n in self.names:
            if len(acronym(n)) >= 3:
                self.by_acronym.setdefault(acronym(n), []).append(n)

    def exact(self, phrase: str) -> str | None:
        """A channel the phrase names without doubt: same words, same letters, or its acronym."""
        k = key(phrase)
        if not k:
            return None
        if k in self.by_key:
            return self.by_key[k]
        if k.replace(" ", "") in self.by_compact:
            return self.by_compact[k.replace(" ", "")]
        hits = self.by_acronym.get(k.replace(" ", ""), [])
        return hits[0] if len(hits) == 1 else None

    def candidates(self, phrase: str) -> list[str]:
        """Channels the phrase may name: exact, then all its words inside one name, then a close spelling."""
        if hit := self.exact(phrase):
            return [hit]
        k = key(phrase)
        if not k:
            return []
        wanted = set(k.split())
        subset = [n for n, nk in zip(self.names, self.keys) if wanted <= set(nk.split())]
        if subset:
            return sorted(subset, key=len)[:5]
        close = process.extract(k, self.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3)
        return [self.names[i] for _, _, i in close]

    def mentioned(self, text: str, longest: int = 5) -> list[str]:
        """Channels named word for word anywhere in the text (for 'that channel' in the same message)."""
        ws = re.findall(r"[\w&+.'-]+", text)
        found = []
        for n in range(longest, 0, -1):
            for i in range(len(ws) - n + 1):
                phrase = " ".join(ws[i : i + n])
                hits = [self.exact(phrase)] if self.exact(phrase) else \
                    self.candidates(phrase) if n >= 2 and len(key(phrase).split()) >= 2 else []
                if len(hits) == 1 and hits[0] not in found:
                    found.append(hits[0])
        return found
