"""A message cut into the requests it makes: at sentence ends, commas, 'but', and an 'and' that starts a
new request ('drop crypto and block Vox'), never inside a list of topics ('origami and jazz')."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.understand.masking import PLACEHOLDER, exemplar_bank, mask, tokens

FILLER = {"please", "pls", "plz", "ok", "okay", "so", "and", "or", "also", "too", "maybe", "the", "a",
          "some", "then", "now", "just", "only", "ugh", "oh", "hmm", "well", "yeah", "yes", "nothing", "keep", "it",
          "them", "lol", "tbh", "but", "though", "either", "as", "well", "both", "oops", "ever", "never", "again", "anymore",
          "completely", "at", "all", "i", "mean", "seriously", "really", "entirely", "altogether"}
BREAK = re.compile(r"(?<!\d)[.!?;]+(?=\s|$)|\n|,(?!\s*#?\d)|\s+-\s+|\s+but\s+|\s+and then\s+|\s+then\s+|\s+plus\s+|\s+though\s+",
                   re.I)
AND = re.compile(r"\s+(?:and|&)\s+", re.I)


@lru_cache(maxsize=1)
def starters() -> frozenset[str]:
    """First words of the exemplars that open a request ('block', 'no', 'drop', 'i', 'more'...)."""
    firsts = set()
    for said in exemplar_bank().values():
        for s in said:
            words = tokens(PLACEHOLDER.sub(" ", s))
            if words and not PLACEHOLDER.match(s.strip()):
                firsts.add(words[0])
    return frozenset(firsts - {"a", "the", "some", "any", "and", "or", "#"} - {w for w in firsts if w[0].isdigit()})


def content_only(segment: str) -> bool:
    """Only topic words (and fillers): 'politics', 'and jazz too'."""
    masked = mask(segment).split()
    return "X" in masked and all(w == "X" or w in FILLER for w in masked)


def numbers_only(segment: str) -> bool:
    masked = mask(segment).split()
    return "N" in masked and all(w in ("N", "#", "and", "or", "also", "too", "both") for w in masked)


def split_clauses(text: str) -> list[str]:
    """The request-sized pieces of a message, in order; lists of topics or numbers stay together."""
    pieces: list[str] = []
    for part in BREAK.split(text):
        part = part.strip()
        if not part:
            continue
        sub = AND.split(part)
        merged = [sub[0]]
        for s in sub[1:]:
            first = (tokens(s) or [""])[0]
            if first in starters() and len(tokens(s)) > 1 and not content_only(s) and not numbers_only(s):
                merged.append(s)
            else:
                merged[-1] = f"{merged[-1]} and {s}"
        for s in merged:
            if pieces and (content_only(s) or numbers_only(s)) and mask(s).split()[0] in ("X", "N", "#", "and", "also", "or"):
                pieces[-1] = f"{pieces[-1]} and {s}"
            else:
                pieces.append(s)
    return pieces


def is_filler(clause: str) -> bool:
    """Nothing to act on: 'please', 'ok', 'I mean it' once the rest of the message has been read."""
    masked = mask(clause).split()
    return "X" not in masked and "N" not in masked and all(w in FILLER for w in masked)
