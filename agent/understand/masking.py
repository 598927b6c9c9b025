"""The frame of a clause without its content: words the exemplar bank never uses become X, digits N."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

EXEMPLARS = Path(__file__).with_name("exemplars.yaml")
PLACEHOLDER = re.compile(r"\{(topic|channel)\}")
OPEN_ENDED = {"out_of_scope"}
"""Intents whose exemplars are about anything ('what's the capital of australia'): their nouns are topics,
not request words, so they are masked like any topic."""
TOPIC_LIKE = {"deep", "action", "balance", "earth", "friend", "job", "style", "work", "works", "round", "state",
              "type", "result", "rotation", "variety", "phase", "life", "dad", "mom", "night",
              "evening", "morning", "afternoon", "manual", "options", "features", "clickbait"}
"""Words some exemplar uses that are as often what a video is about ('deep sea', 'late night'): masked."""
TOKEN = re.compile(r"#|\d+(?:st|nd|rd|th)?\b(?![.+-]\w)|[a-z0-9](?:[a-z0-9.+#-]*[a-z0-9+#])?(?:'[a-z]+)?|[<>]")
"""Words ('p5.js', '3blue1brown', "i'm"), numbers and ordinals ('3', '2nd'), '#'."""


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=1)
def exemplar_bank() -> dict[str, list[str]]:
    """intent -> exemplar utterances, as written in exemplars.yaml."""
    with EXEMPLARS.open(encoding="utf-8") as f:
        bank = yaml.safe_load(f)
    return {intent: [str(s) for s in said] for intent, said in bank.items()}


@lru_cache(maxsize=1)
def frame_words() -> frozenset[str]:
    """Every word the exemplars use outside their placeholders."""
    return frozenset(w for intent, said in exemplar_bank().items() if intent not in OPEN_ENDED
                     for s in said for w in tokens(PLACEHOLDER.sub(" ", s))) - TOPIC_LIKE


def mask(text: str) -> str:
    """'got anything about black holes?' -> 'got anything about X'; runs of content words become one X."""
    out: list[str] = []
    frame = frame_words()
    for w in tokens(PLACEHOLDER.sub(" qqplaceholder ", text)):
        if w.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th)", w) and w not in frame:
            w = "N"
        elif w not in frame:
            w = "X"
        if w == "X" and out and out[-1] == "X":
            continue
        out.append(w)
    return re.sub(r"X(?: (?:and|or|&) X)+", "X", " ".join(out))  # 'drop X and X and X' reads as 'drop X'


def content_words(text: str) -> list[str]:
    """The words of the text the exemplar bank never uses: what the person is talking about."""
    frame = frame_words()
    return [w for w in tokens(text) if not w[0].isdigit() and w not in frame and w != "#"]


def fix_frame_typos(text: str, known: Callable[[str], bool]) -> str:
    """'dorp blockchian' -> 'drop blockchian': a word that is not a known word (English or the catalog's),
    one or two typos from a request word, is that request word; topic words are left to the vocabulary."""
    targets = [w for w in frame_list() if known(w)]

    def fix(m: re.Match) -> str:
        word = m.group().lower()
        if len(word) < 3 or known(word):
            return m.group()
        hit = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=1 if len(word) < 7 else 2)
        return hit[0] if hit else m.group()

    return re.sub(r"[A-Za-z]+", fix, text)


@lru_cache(maxsize=1)
def frame_list() -> list[str]:
    return sorted(w for w in frame_words() if len(w) >= 3 and w.isalpha())
