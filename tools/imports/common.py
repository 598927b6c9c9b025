"""Shared pieces of the export parsers: YouTube ids in URLs, dates in export formats, text decoding."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from tools.errors import ImportFileError
from tools.imports.bounded import refused
from tools.imports.imported_item import ImportedItem
from tools.limits import limits

UTC = dt.timezone.utc

_YOUTUBE = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:(?:www|m|music|gaming)\.)?"
    r"(?:youtube(?:-nocookie)?\.com/(?:watch/?\?(?:[^\s#]*?&)?v=|shorts/|embed/|live/|v/)|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)
VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
MAX_URL_CHARS = 2048
MAX_DATE_CHARS = 100
MAX_ID_CHARS = 64
"""URLs, date stamps and record ids are cut (or refused) past these lengths before they are parsed."""


@dataclass
class Parsed:
    """What one export file yielded: its items, and how many records were skipped for which reason."""

    items: list[ImportedItem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def youtube_ids(text: str) -> list[str]:
    """Video ids of every YouTube watch, youtu.be, shorts, embed or live link in text, in order."""
    return [m.group(1) for m in _YOUTUBE.finditer(text or "")]


def youtube_id(url: str | None) -> str | None:
    """The video id a YouTube URL points to, or None when it is not a video link."""
    ids = youtube_ids(url or "")
    return ids[0] if ids else None


def watch_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def _not_a_number(word: str) -> float:
    raise ValueError(f"{word} is not a JSON number")


def _finite(word: str) -> float:
    number = float(word)
    if not math.isfinite(number):
        raise ValueError(f"the number {word[:40]} is out of range")
    return number


def load_json(text: str, path: str) -> object:
    """Parsed JSON; a syntax error raises ImportFileError with its line and column. NaN, Infinity and
    numbers out of float range are refused, and so is nesting deeper than max_json_depth."""
    depth = limits().max_json_depth
    too_deep = refused(path, f"JSON nested deeper than {depth} levels", "max_json_depth", depth)
    if _depth_over(text, depth):
        raise too_deep
    try:
        return json.loads(text, parse_constant=_not_a_number, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, f"invalid JSON: {exc.msg}", f"line {exc.lineno}, column {exc.colno}") from None
    except ValueError as exc:  # NaN, 1e999, an integer of more digits than Python converts
        raise ImportFileError(path, f"invalid JSON: {str(exc)[:120]}") from None
    except RecursionError:
        raise too_deep from None


_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _depth_over(text: str, limit: int, start: int = 0) -> bool:
    """Whether arrays and objects nest deeper than limit; checked on the text before json parses it
    (json's C parser recurses per level, and with a raised recursion limit it can crash the process)."""
    level = 0
    for m in _STRING_OR_BRACKET.finditer(text, start):
        token = m.group()
        if token[0] == '"':
            continue
        level += 1 if token in "[{" else -1
        if level > limit:
            return True
    return False


_DECODER = json.JSONDecoder(parse_constant=_not_a_number, parse_float=_finite)
_SPACE = re.compile(r"[ \t\n\r]*")


def json_records(text: str, path: str, start: int = 0, expected: str = "expected a JSON array"):
    """(number, record) for each element of the JSON array at text[start:], decoded one at a time so
    a large export never exists as one big tree of objects; more records than max_import_items are
    refused. Errors carry the line and column of the file; a trailing ';' (X archives) is allowed."""
    depth, cap = limits().max_json_depth, limits().max_import_items
    if _depth_over(text, depth, start):
        raise refused(path, f"JSON nested deeper than {depth} levels", "max_json_depth", depth)
    pos = _SPACE.match(text, start).end()
    if not text.startswith("[", pos):
        load_json(text[start:] if start else text, path)  # a syntax error is reported as such
        raise ImportFileError(path, expected, "line 1")

    def fail(message: str, at: int) -> ImportFileError:
        exc = json.JSONDecodeError(message, text, at)
        return ImportFileError(path, f"invalid JSON: {exc.msg}", f"line {exc.lineno}, column {exc.colno}")

    pos = _SPACE.match(text, pos + 1).end()
    number = 0
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            try:
                record, pos = _DECODER.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise ImportFileError(path, f"invalid JSON: {exc.msg}",
                                      f"line {exc.lineno}, column {exc.colno}") from None
            except ValueError as exc:  # NaN, 1e999, an integer of more digits than Python converts
                raise ImportFileError(path, f"invalid JSON: {str(exc)[:120]}", f"record {number + 1}") from None
            except RecursionError:
                raise refused(path, f"JSON nested deeper than {depth} levels", "max_json_depth", depth) from None
            number += 1
            if number > cap:
                raise refused(path, f"more than {cap} records", "max_import_items", cap)
            yield number, record
            pos = _SPACE.match(text, pos).end()
            if text.startswith("]", pos):
                pos += 1
                break
            if not text.startswith(",", pos):
                raise fail("Expecting ',' delimiter" if pos < len(text) else "Expecting value", pos)
            pos = _SPACE.match(text, pos + 1).end()
    end = _SPACE.match(text, pos).end()
    if text.startswith(";", end):
        end = _SPACE.match(text, end + 1).end()
    if end < len(text):
        raise fail("Extra data", end)


def cut(text: str, limit: int) -> str:
    """text, or its first `limit` characters and '…': long fields are cut as soon as they are read,
    before any regex, tokenizer or embedder sees them."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode_text(data: bytes, path: str) -> str:
    """Text of a file's bytes; binary or non-UTF-8 data raises ImportFileError with the byte offset."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(path, "not valid UTF-16 text", f"byte {exc.start}") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(path, "not a text file (binary data)", f"byte {nul}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(path, "not UTF-8 text", f"byte {exc.start}") from None


_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_MONTHS["sept"] = 9  # en-GB exports write "5 Sept 2024"
_ZONES = {  # hours from UTC of the abbreviations English Takeout exports print
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "IST": 5.5, "SGT": 8, "HKT": 8, "JST": 9, "KST": 9, "AWST": 8,
    "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "AST": -4,
    "ADT": -3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
    "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}
_TIME = (r"(?:,?\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
         r"(?:\s+(?P<tz>\S+))?")
_US = re.compile(r"(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})" + _TIME, re.I)
_UK = re.compile(r"(?P<d>\d{1,2})\s+(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})" + _TIME, re.I)
_TWEET = re.compile(
    r"[a-z]{3} (?P<mon>[a-z]{3}) (?P<d>\d{1,2}) (?P<t>\d\d:\d\d:\d\d) (?P<tz>[+-]\d{4}) (?P<y>\d{4})", re.I)
_OFFSET = re.compile(r"(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?", re.I)


def _zone(name: str | None) -> dt.tzinfo | None:
    if not name:
        return UTC
    if name.upper() in _ZONES:
        return dt.timezone(dt.timedelta(hours=_ZONES[name.upper()]))
    m = _OFFSET.fullmatch(name)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return dt.timezone(dt.timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


def _from_words(m: re.Match) -> dt.datetime | None:
    word = m["mon"].lower()
    month = _MONTHS.get(word[:4] if word.startswith("sept") else word[:3])
    zone = _zone(m["tz"])
    if month is None or zone is None:
        return None
    hour = int(m["h"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"].lower().startswith("p") else 0)
    try:
        at = dt.datetime(int(m["y"]), month, int(m["d"]), hour, int(m["mi"] or 0), int(m["s"] or 0),
                         tzinfo=zone)
    except ValueError:
        return None
    return at.astimezone(UTC)


def parse_datetime(value: str) -> dt.datetime | None:
    """A UTC-aware datetime from the forms exports write, or None when the form is not known.

    ISO 8601 (with or without fraction, 'Z', offset or a ' UTC' suffix; naive means UTC), the X form
    'Wed Mar 06 18:30:00 +0000 2024', and the English Takeout forms 'Mar 5, 2024, 6:22:11 PM GMT'
    and '5 Mar 2024, 18:22:11 CET'.
    """
    text = re.sub(r"[\s\u202f\u00a0\u2009]+", " ", str(value)).strip()
    if not text:
        return None
    iso = re.sub(r"\s+(UTC|GMT|Z)$", "+00:00", text, flags=re.I)
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        pass
    else:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    m = _TWEET.fullmatch(text)
    if m:
        words = f"{m['mon']} {m['d']} {m['y']} {m['t']} {m['tz']}"
        return parse_datetime(words)
    for pattern in (_US, _UK):
        m = pattern.fullmatch(text)
        if m:
            return _from_words(m)
    return None


def iso_z(at: dt.datetime) -> str:
    """'2024-03-05T18:22:11.123Z': the stable text form of a UTC time used inside item ids."""
    text = at.astimezone(UTC).isoformat(timespec="milliseconds" if at.microsecond else "seconds")
    return text.replace("+00:00", "Z")
