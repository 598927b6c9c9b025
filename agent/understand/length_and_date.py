"""Length and date limits in plain words: '<15 min', 'half an hour at most', 'from 2019 on', 'this year'."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from tools.limits import limits as size_limits

WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90, "a couple of": 2, "a couple": 2, "a few": 3,
}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MAX_MINUTES = 24 * 60 * 7
"""Longer than any video; a bigger length is a typo or a test of the parser, and is answered as such."""
YOUTUBE_BEGAN = dt.date(2005, 4, 23)
"""The first YouTube upload: a date limit before it would keep every video, so it is not a limit at all."""

NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(map(re.escape, WORD_NUMBERS), key=len, reverse=True)) + r")"
UNIT = r"(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b"
AMOUNT = (r"(?:(?P<half>half an hour|half hour)|(?P<quarter>a quarter of an hour|quarter of an hour|quarter hour)"
          r"|(?:" + NUM.replace("(", "(?P<n>", 1) + r"\s*-?\s*" + UNIT.replace("(", "(?P<unit>", 1)
          + r"(?P<andhalf>\s+and\s+a\s+half)?))")
MAX_BEFORE = (r"under|below|less than|shorter than|no longer than|not longer than|not over|nothing over|nothing longer than"
              r"|no more than|not more than|at most|max(?:imum)?(?: of)?|up to|within|<=?|tops|no videos? (?:over|longer than)"
              r"|(?:only )?(?:have|got)(?: like| about| maybe)?|in|limit (?:length )?to|a max length of|max length of")
MIN_BEFORE = (r"over|above|more than|longer than|at least|min(?:imum)?(?: of)?|>=?|nothing (?:under|shorter than|below)"
              r"|no videos? (?:under|shorter than)|not (?:under|shorter than)")
MAX_AFTER = r"or less|or shorter|max(?:imum)?|at most|tops|or under|and under|long at most"
MIN_AFTER = r"or more|or longer|plus|minimum|at least|\+|and up|and over"
BETWEEN = re.compile(r"\bbetween\s+" + NUM + r"\s*(?:" + UNIT + r")?\s*(?:and|-|to)\s*(?P<b>" + AMOUNT + r")", re.I)
DURATION = re.compile(
    r"(?:(?<!\w)(?P<before>" + MIN_BEFORE + "|" + MAX_BEFORE + r")\s*(?P<minus>-\s*)?)?(?:about |like |around )?\b(?P<amount>"
    + AMOUNT
    + r")(?:\s+(?:long\s+)?(?P<after>" + MAX_AFTER + "|" + MIN_AFTER + r")(?!\w))?", re.I)
BARE_LIMIT = re.compile(r"\b(?P<before>no more than|not more than|at most|max(?:imum)?|up to|under|less than)\s+"
                        r"(?P<n>\d+(?:\.\d+)?)\b(?!\s*(?:%|#))", re.I)


@dataclass(frozen=True)
class Limit:
    """A limit found in the words, and where: the span is cut out before the rest is read."""

    start: int
    end: int
    max_minutes: float | None = None
    min_minutes: float | None = None
    published_after: dt.date | None = None
    bad_date: str | None = None
    """Why a date the person gave cannot be used ('there is no 30 February 2019')."""
    bad_length: str | None = None
    """Why a length the person gave cannot be used ('0 minutes would leave nothing to watch')."""
    include_unknown: str | None = None
    """'length', 'date' or 'both': videos whose value is unknown may pass ('unknown lengths are fine')."""

    @property
    def bad(self) -> str | None:
        return self.bad_date or self.bad_length


def number(text: str) -> float:
    """A figure as said ('twenty', '1.5'); one larger than limits().max_request_number reads as infinity."""
    text = text.lower().strip()
    if text in WORD_NUMBERS:
        return float(WORD_NUMBERS[text])
    whole = text.split(".")[0].lstrip("0")
    if len(whole) > len(str(size_limits().max_request_number)) or float(text) > size_limits().max_request_number:
        return float("inf")
    return float(text)


def said_amount(m: re.Match, group: str = "amount") -> str:
    return " ".join(m.group(group).split())


def length_problem(minutes: float, said: str, negative: bool = False) -> str | None:
    """Why a length limit cannot be used, or None when it can."""
    if negative:
        return f"a length cannot be negative ('-{said}')"
    if minutes == float("inf"):
        return f"'{said}' is more than I read: figures go up to {size_limits().max_request_number:,}"
    if minutes > MAX_MINUTES:
        return f"'{said}' is longer than any video (I read lengths up to a week)"
    if round(minutes * 60) < 1:
        return f"'{said}' is no time at all: nothing would be left to watch"
    return None


def to_minutes(m: re.Match) -> float:
    if m.group("half"):
        return 30.0
    if m.group("quarter"):
        return 15.0
    unit = m.group("unit").lower()
    value = number(m.group("n")) + (0.5 if m.group("andhalf") else 0)
    if unit.startswith("h"):
        return value * 60
    if unit.startswith("s"):
        return value / 60
    return value


def is_min(before: str | None, after: str | None) -> bool | None:
    """True for a lower bound, False for an upper bound, None when the words do not say."""
    if after:
        return re.fullmatch(MIN_AFTER, after, re.I) is not None
    if before:
        return re.fullmatch(MIN_BEFORE, before, re.I) is not None
    return None


def durations(text: str, default_max: bool) -> list[Limit]:
    """Length limits; a bare amount ('I have 10 minutes') is an upper bound when `default_max`."""
    found: list[Limit] = []
    taken: list[tuple[int, int]] = []
    for m in BETWEEN.finditer(text):
        b = re.match(AMOUNT, m.group("b"), re.I)
        high = to_minutes(b)
        low = number(m.group(1)) * (60 if (m.group(2) or b.group("unit") or "m").lower().startswith("h") else 1)
        said = " ".join(m.group().split())
        why = length_problem(low, said) or length_problem(high, said)
        if not why and low > high:
            why = f"'{said}' puts the shortest length above the longest"
        found.append(Limit(m.start(), m.end(), bad_length=why) if why else
                     Limit(m.start(), m.end(), max_minutes=high, min_minutes=low))
        taken.append(m.span())
    for m in DURATION.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        if m.group("n") and not m.group("n")[0].isdigit() and len(m.group("unit")) == 1:
            continue  # 'ones' is not 'one s(econd)'; a one-letter unit needs digits: '5m', '2h'
        lower = is_min(m.group("before"), m.group("after"))
        if lower is None and not default_max:
            continue
        value = to_minutes(m)
        negative = bool(m.group("minus"))
        if why := length_problem(value, said_amount(m), negative):
            found.append(Limit(m.start(), m.end(), bad_length=why))
        else:
            found.append(Limit(m.start(), m.end(), **({"min_minutes": value} if lower else {"max_minutes": value})))
        taken.append(m.span())
    if found:  # "at least 10 minutes but no more than 40": the unit carries over
        for m in BARE_LIMIT.finditer(text):
            if not any(s <= m.start() < e for s, e in taken):
                value = number(m.group("n"))
                why = length_problem(value, f"{m.group('n')} minutes")
                found.append(Limit(m.start(), m.end(), bad_length=why) if why else
                             Limit(m.start(), m.end(), max_minutes=value))
    return found


YEAR_CUE = (r"since|after|from|newer than|nothing older than|not older than|nothing before|no videos? before|"
            r"uploaded in|published in|published after|uploaded after|posted after|starting|starting from|"
            r"as of|beginning|onwards from")
ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
WORD_DATE = re.compile(
    r"\b(?:(?:the )?(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?: of)? (?P<m1>[a-z]{3,9})\.?,? (?P<y1>\d{4})"
    r"|(?P<m2>[a-z]{3,9})\.? (?P<d2>\d{1,2})(?:st|nd|rd|th)?,? (?P<y2>\d{4}))\b", re.I)
MONTH_OF = re.compile(r"\bmonth (?P<m>\d{1,2}) of (?P<y>\d{4})\b", re.I)
CUE_YEAR = re.compile(r"\b(?P<cue>" + YEAR_CUE + r")\s+(?:(?:the )?year\s+)?(?P<y>\d{4})\b(?:\s+(?:onwards?|on|and later|or later|and after|or newer)\b)?", re.I)
YEAR_ON = re.compile(r"\b(?P<y>\d{4})\s+(?:onwards?|on|and later|or later|and newer|or newer)\b", re.I)
RELATIVE = re.compile(
    r"(?:\b(?:in|from|during|over|within|since|only|uploaded|published|posted|of)\s+(?:the\s+)?|^(?:the\s+)?|\bthe\s+)(?:last|past|previous)\s+(?:(?P<n>\d+|" + "|".join(
        k for k in WORD_NUMBERS if " " not in k and k not in ("a", "an")) + r")\s+)?(?P<unit>days?|weeks?|months?|years?)\b"
    r"|\b(?:from|since|in|during|uploaded|published|only) last (?P<unit2>week|month|year)\b|^last (?P<unit4>week|month|year)\b"
    r"|\b(?:from |since |in |of )?this (?P<this>week|month|year)(?:'s)?\b"
    r"|\bnothing older than (?P<n3>\d+|" + "|".join(k for k in WORD_NUMBERS if " " not in k) + r") (?P<unit3>days?|weeks?|months?|years?)\b",
    re.I)
DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def checked_date(year: int, month: int, day: int, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The date, or why there is no such date (or why it cannot be a 'since')."""
    if not 1 <= month <= 12:
        return None, f"there is no month {month} (a year has 12)"
    if year == 0:
        return None, "there is no year 0000"
    if year < YOUTUBE_BEGAN.year:
        return None, f"YouTube began in {YOUTUBE_BEGAN.year}, so there are no uploads from {year:04d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None, f"there is no {calendar.month_name[month]} {day} in {year}"
    date = dt.date(year, month, day)
    if date > today:
        return None, f"{date.isoformat()} is in the future"
    return date, None


def dates(text: str, today: dt.date) -> list[Limit]:
    """Date limits ('since', 'from ... on', 'this year', 'last 6 months'), impossible dates included as bad."""
    found: list[Limit] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, year: int, month: int, day: int) -> None:
        if any(s < m.end() and m.start() < e for s, e in taken):
            return
        date, why = checked_date(year, month, day, today)
        found.append(Limit(m.start(), m.end(), published_after=date, bad_date=why))
        taken.append(m.span())

    for m in ISO.finditer(text):
        add(m, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in WORD_DATE.finditer(text):
        month = MONTHS.get((m.group("m1") or m.group("m2")).lower())
        if month:
            add(m, int(m.group("y1") or m.group("y2")), month, int(m.group("d1") or m.group("d2")))
    for m in MONTH_OF.finditer(text):
        add(m, int(m.group("y")), int(m.group("m")), 1)
    for m in (*CUE_YEAR.finditer(text), *YEAR_ON.finditer(text)):
        add(m, int(m.group("y")), 1, 1)
    for m in RELATIVE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if m.group("this"):
            unit = m.group("this").lower()
            start = {"year": today.replace(month=1, day=1), "month": today.replace(day=1),
                     "week": today - dt.timedelta(days=today.weekday())}[unit]
        else:
            raw_n = m.group("n") or m.group("n3")
            n = number(raw_n) if raw_n else 1
            unit = (m.group("unit") or m.group("unit2") or m.group("unit3") or m.group("unit4")).lower().rstrip("s")
            said = " ".join(m.group().split())
            why = (f"'{said}' is more than I read: figures go up to {size_limits().max_request_number:,}"
                   if n == float("inf") else f"'{said}' is no time at all" if n < 1 else None)
            days = 0 if why else n * DAYS[unit]
            if not why and days > (today - YOUTUBE_BEGAN).days:
                why = f"'{said}' reaches back before YouTube began ({YOUTUBE_BEGAN.year}), so it would leave out nothing"
            if why:
                found.append(Limit(m.start(), m.end(), bad_date=why))
                taken.append(m.span())
                continue
            start = today - dt.timedelta(days=int(days))
        found.append(Limit(m.start(), m.end(), published_after=start))
        taken.append(m.span())
    return found


UNKNOWN_WHAT = r"(lengths?|durations?|runtimes?|dates?|upload dates?|publish(?:ed)? dates?)"
UNKNOWN_OK = re.compile(
    r"(?:\b(?P<accept>include|including|show(?: me)?|allow|keep|let in|add|(?:i )?(?:don'?t|do not) mind|"
    r"(?:i'?m |i am )?(?:fine|ok(?:ay)?|happy) with|also)\s+(?:the\s+)?)?"
    r"\b(?:(?:videos?|ones?|those|clips?)\s+(?:of|with|without)\s+(?:an?\s+|no\s+)?)?"
    r"(?:unknown|no known|missing|without (?:a |any )?known|unlisted)\s+" + UNKNOWN_WHAT
    + r"(?:\s*(?:and|or|&|/)\s*" + UNKNOWN_WHAT + r")?"
    r"(?P<after>(?:\s+(?:too|as well|also|are fine|is fine|are ok(?:ay)?|is ok(?:ay)?|are welcome|"
    r"are allowed|can stay|(?:can )?come (?:in|through)|ok(?:ay)?|fine|welcome|please|pls))*)",
    re.I,
)
"""'include unknown lengths', 'videos of unknown length are fine', 'I don't mind missing dates too'."""


def unknown_ok(text: str) -> list[Limit]:
    """Consent to videos whose length or date is unknown; a bare mention ('unknown length?') is not consent."""
    found = []
    for m in UNKNOWN_OK.finditer(text):
        if not (m.group("accept") or m.group("after").strip()):
            continue
        kinds = {"date" if "date" in w.lower() else "length" for w in m.groups()[1:3] if w}
        found.append(Limit(m.start(), m.end(), include_unknown="both" if len(kinds) == 2 else kinds.pop()))
    return found


def find_limits(text: str, today: dt.date, default_max: bool = False) -> list[Limit]:
    """Every length and date limit in the text, in order of where it was said."""
    return sorted([*durations(text, default_max), *dates(text, today), *unknown_ok(text)], key=lambda lim: lim.start)
