"""Which items of the list on screen a message points at: '#2', 'the third one', 'the last two', '3 and 4'."""

from __future__ import annotations

import re

from tools.limits import Limits, limits

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10}
COUNT = r"(two|three|four|five|\d)"
GROUP = re.compile(r"\b(?:the\s+)?(?P<end>top|first|last|bottom)\s+" + COUNT + r"\b", re.I)
LAST = re.compile(r"\b(?:the\s+)?(?:very\s+)?(?:last|bottom)\s+(?:one|video|pick|result|item|on the list)\b|\bthe last\b", re.I)
TOP = re.compile(r"\b(?:the\s+)?top\s+(?:one|video|pick|result|item|recommendation)\b|\bthe top\b", re.I)
ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b", re.I)
NUMBERED = re.compile(r"(?:#\s*|\bnumbers?\s+|\bno\.\s*|\bspot\s+|\bitem\s+)(\d+|" + "|".join(CARDINALS) + r")\b"
                      r"|\b(\d+)(?:st|nd|rd|th)\b", re.I)
BARE = re.compile(r"(?<![\w.:/-])(\d+)(?![\w.:/-])")
BIGGEST = Limits.model_fields["max_request_number"].default
"""The default of limits().max_request_number: a larger number cannot be a list position and reads as the
limit (so it is out of range); `too_big` names it as it was typed."""


def position(digits: str) -> int:
    """A typed number as a position, capped at the limit without reading a huge figure whole."""
    cap = limits().max_request_number
    digits = digits.lstrip("0") or "0"
    return cap if len(digits) > len(str(cap)) else min(int(digits), cap)


def clamp(n: int) -> int:
    return min(n, limits().max_request_number)


def too_big(text: str) -> str | None:
    """The first number in the text, as typed, that is larger than any list position may be."""
    cap = limits().max_request_number
    for m in re.finditer(r"\d+", text):
        digits = m.group().lstrip("0")
        if len(digits) > len(str(cap)) or (digits and int(digits) > cap):
            return m.group()
    return None


def item_numbers(text: str, shown: int, bare: bool = True) -> list[int]:
    """The 1-based positions named, in the order said; `bare` also reads plain numbers ('skip 5')."""
    found: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, numbers: list[int]) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.extend((start + i, clamp(n)) for i, n in enumerate(numbers))

    for m in GROUP.finditer(text):
        k = CARDINALS.get(m.group(2).lower()) or int(m.group(2))
        k = min(k, shown) if shown else k  # 'the last five' of three is all three
        last = m.group("end").lower() in ("last", "bottom")
        add(m.start(), m.end(), list(range(shown - k + 1, shown + 1)) if last and shown else list(range(1, k + 1)))
    for m in LAST.finditer(text):
        add(m.start(), m.end(), [shown] if shown else [clamp(BIGGEST)])
    for m in TOP.finditer(text):
        add(m.start(), m.end(), [1])
    for m in NUMBERED.finditer(text):
        raw = m.group(1) or m.group(2)
        add(m.start(), m.end(), [CARDINALS.get(raw.lower()) or position(raw)])
    for m in ORDINAL.finditer(text):
        add(m.start(), m.end(), [ORDINALS[m.group(1).lower()]])
    if bare:
        for m in BARE.finditer(text):
            add(m.start(), m.end(), [position(m.group(1))])
    return list(dict.fromkeys(n for _, n in sorted(found)))
