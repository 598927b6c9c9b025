"""The topic a clause names: what is left once the words of the request are peeled off, spell-checked
against the catalog's own vocabulary."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from importlib.resources import files

from rapidfuzz import process
from rapidfuzz.distance import OSA

from agent.understand.masking import PLACEHOLDER, exemplar_bank, tokens

WORD = re.compile(r"[#@]?\w(?:[\w.'’+#-]*[\w+#])?")
CUT_AFTER = {"about", "of", "on", "with", "into", "regarding", "re", "for", "like", "than"}
"""The last of these in the opening words ends them: 'tired of hearing about | productivity hacks'."""
EXTRA_LEAD = {"so", "really", "also", "too", "just", "um", "uh", "ok", "okay", "hey", "yeah", "yes", "well", "and",
              "or", "hearing", "seeing", "watching", "learning", "those", "these", "this", "that", "any", "the", "a",
              "an", "some", "anything", "something", "stuff", "things", "videos", "video", "clips", "content", "more",
              "please", "pls", "ugh", "oh", "now", "again", "what", "about", "of", "on", "got", "show", "me", "wanna",
              "gonna", "gotta", "kinda", "lemme", "gimme", "u", "ya", "could", "would", "can", "you", "find", "few",
              "hobby", "is", "my", "new", "liked", "loved", "said", "ever", "re-enable", "enable", "reenable",
              "unlearn", "fascinated", "by", "obsessed", "looking", "into", "for", "learn", "learning", "watch", "un-block",
              "unban", "blacklist", "whitelist", "un-ban", "un-mute", "skip", "leave", "out", "exclude", "hide", "avoid",
              "remove", "ditch", "nix", "lose", "bye"}
TRAIL_OPENERS = (
    "please", "pls", "plz", "thanks", "thank you", "thx", "again", "anymore", "any more", "entirely", "completely",
    "from now on", "for now", "for me", "at all", "ever", "for a while", "too", "a bit", "a little", "maybe",
    "lately", "right now", "videos", "video", "stuff", "content", "clips", "things", "out of my", "off my",
    "from my", "in my", "on my", "in the feed", "tbh", "lol", "though", "i guess", "if possible", "if you can",
    "instead", "back", "as well", "then", "recently", "these days", "a lot", "so much", "altogether",
    "what do you have", "what have you got", "what you got", "or something", "and stuff", "i mean it",
    "today", "tonight", "now", "ones", "pieces", "channel", "for a bit", "would be", "would", "to my", "as one of",
    "as an interest", "as my", "as a topic", "less often", "more often", "as much", "less", "can you", "could you",
    "that was", "it's", "is great", "sounds", "tho", "is forgiven",
)
VERBAL = {"hearing", "seeing", "watching", "reading", "talking", "videos", "video", "stuff", "content", "clips",
          "things", "something", "anything", "more", "learning", "tutorials", "lectures"}
PRONOUNS = {"it", "them", "that", "those", "this", "these", "they", "him", "her"}
GENERIC = {"something", "anything", "stuff", "videos", "video", "things", "more", "some", "new", "else",
           "something else", "recommendations", "recs", "list", "one", "ones", "good", "good stuff", "next",
           "another", "batch", "next batch", "some more", "new ones", "other stuff", "to watch", "watch"}


@lru_cache(maxsize=1)
def lead_words() -> frozenset[str]:
    """Words the exemplars put before a {topic}: the request around it, not the topic."""
    out: set[str] = set(EXTRA_LEAD)
    for said in exemplar_bank().values():
        for s in said:
            if m := PLACEHOLDER.search(s):
                out.update(tokens(s[: m.start()]))
    return frozenset(out - {"beginner", "history"})


TRAIL = re.compile(r"\s+(?:" + "|".join(re.escape(t) for t in sorted(TRAIL_OPENERS, key=len, reverse=True))
                   + r")\b.*$", re.I)


def strip_request(clause: str) -> str:
    """'I'm so sick of prank videos please' -> 'prank'; keeps the person's spelling of the topic."""
    spans = [(m.group(), m.start(), m.end()) for m in WORD.finditer(clause)]
    lead = lead_words()
    run = 0
    while run < len(spans) and spans[run][0].lower().replace("’", "'") in lead:
        run += 1
    if run == len(spans):  # every word is a request word: no topic ('recommend something')
        return ""
    strong = [i for i in range(run) if spans[i][0].lower() in ("about", "regarding")]
    if strong and strong[-1] + 1 < run:  # 'anything about | get rich quick schemes'
        run = strong[-1] + 1
    start = spans[run][1]
    text = clause[start:]
    # 'hearing about X', 'videos on X': a preposition right after the opening ends it
    head = [w.lower() for w, _, _ in spans[run : run + 3]]
    for i, w in enumerate(head):
        if w in ("about", "regarding", "on") and i + run + 1 < len(spans) and all(h in VERBAL for h in head[:i]):
            text = clause[spans[run + i + 1][1]:]
            break
    text = TRAIL.sub("", " " + text).strip()
    text = re.sub(r"^(?:the|a|an|some|any|more|about|of|on)\s+", "", text, flags=re.I)
    return text.strip(" .,!?;:'\"-")


def split_topics(text: str, phrase_known) -> list[str]:
    """'origami and jazz' -> two topics, unless the catalog knows the whole phrase ('rock and roll')."""
    if not re.search(r",|\band\b|\bor\b|&|/|\+", text):
        return [text] if text else []
    if phrase_known(text):
        return [text]
    parts = [p.strip(" .,!?;:'\"") for p in re.split(r"\s*(?:,|\band\b|\bor\b|&|/|\+)\s*", text)]
    parts = [re.sub(r"^(?:also|more|some|the|a|an|maybe)\s+", "", p, flags=re.I) for p in parts]
    return [p for p in parts if p]


COMMON = 100_000
"""Words seen at least this often in SymSpell's English frequency list count as spelt right."""


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (SymSpell's frequency dictionary): a word in it is not a typo."""
    text = (files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    return frozenset(w for w, n in (line.split(" ") for line in text.splitlines() if " " in line) if int(n) >= COMMON)


def max_typos(word: str) -> int:
    return 1 if len(word) < 7 else 2


@dataclass
class Vocabulary:
    """The catalog's words by frequency: what a misspelt topic word is corrected to."""

    counts: Counter

    def __post_init__(self) -> None:
        self.words = [w for w, n in self.counts.most_common() if len(w) >= 4]
        self.known = set(self.counts)

    def correct_word(self, word: str) -> str:
        low = word.lower()
        if len(low) < 4 or not low.isalpha() or low in self.known or low in english_words():
            return word
        hit = process.extractOne(low, self.words, scorer=OSA.distance, score_cutoff=max_typos(low))
        return hit[0] if hit else word

    def correct(self, topic: str) -> str:
        return " ".join(self.correct_word(w) for w in topic.split())


def is_generic(topic: str) -> bool:
    return topic.lower().strip() in GENERIC or not re.search(r"\w", topic)
