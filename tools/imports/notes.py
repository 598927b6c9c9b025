"""Read a folder of plain-text and Markdown notes as paragraphs, with their YouTube links."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from tools.errors import ImportFileError
from tools.imports.common import MAX_DATE_CHARS, Parsed, cut, parse_datetime, watch_url, youtube_ids
from tools.imports.imported_item import ImportedItem
from tools.limits import limits

NOTE_SUFFIXES = (".txt", ".md", ".markdown")
MIN_WORDS = 3
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s+|$)")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MARKDOWN = [  # (pattern, replacement) applied in order to each Markdown line
    (re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$"), r"\1"),
    (re.compile(r"^\s*(>\s?)+"), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?"), ""),
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$"), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[\[[^\]|]+\|([^\]]+)\]\]"), r"\1"),
    (re.compile(r"\[\[([^\]]+)\]\]"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"</?[a-zA-Z][^>]*>"), ""),
    (re.compile(r"\*\*|__|~~|`"), ""),
    (re.compile(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)"), r"\1"),
]


def is_note_file(name: str) -> bool:
    return name.lower().endswith(NOTE_SUFFIXES)


def _front_matter(lines: list[str], path: str) -> tuple[int, dt.datetime | None]:
    """Where the body starts after a '---' front matter block, and its 'date:' (or 'created:')."""
    if not lines or lines[0].strip() != "---":
        return 0, None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return 0, None  # a lone '---' opening the file is a horizontal rule, not front matter
    found = {}
    for i in range(1, end):
        m = re.match(r"^(date|created)\s*:\s*(.*?)\s*$", cut(lines[i], MAX_DATE_CHARS), re.I)
        if m and m.group(2).strip("'\""):
            found.setdefault(m.group(1).lower(), (i, m.group(2).strip("'\"")))
    if not found:
        return end + 1, None
    line, value = found.get("date") or found["created"]
    at = parse_datetime(value)
    if at is None:
        raise ImportFileError(path, f"cannot read the front matter date '{value}'", f"line {line + 1}")
    return end + 1, at


def _blocks(lines: list[str], start: int, markdown: bool) -> list[list[tuple[int, str]]]:
    """Blank-line separated paragraphs as (line number, line); Markdown code fences are left out,
    and a Markdown heading is a paragraph of its own."""
    blocks: list[list[tuple[int, str]]] = [[]]
    fenced, room, used = False, limits().max_description_chars, 0
    for number, line in enumerate(lines[start:], start=start + 1):
        line = cut(line, room)  # before the Markdown regexes, some of which are slow on huge lines
        if markdown and _FENCE.match(line):
            fenced = not fenced
            blocks.append([])
            continue
        if fenced or not line.strip() or (markdown and _RULE.match(line)):
            blocks.append([])
            continue
        if markdown and _HEADING.match(line):
            blocks.extend([[(number, line)], []])
            continue
        if not blocks[-1]:
            used = 0
        if used < room:  # a paragraph is read up to the limit
            blocks[-1].append((number, line))
            used += len(line)
    return [b for b in blocks if b]


def note_item_id(words: str, video_ids: list[str]) -> str:
    """'note:' and a hash of the paragraph's words (whitespace and case normalised) and of the
    videos it links to: the same paragraph keeps its id when paragraphs are added or removed around
    it, when its note is moved or renamed, and whether the notes are given as a folder, a zip of it
    (one path level more) or a single file."""
    key = " ".join(words.split()).casefold()
    if video_ids:  # a Markdown link's URL is not in the words: '[talk](url1)' and '[talk](url2)' differ
        key += "\n" + " ".join(video_ids)
    return "note:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _clean(line: str) -> str:
    for pattern, replacement in _MARKDOWN:
        line = pattern.sub(replacement, line)
    return line


def parse_note(text: str, name: str, path: str, modified: dt.datetime) -> Parsed:
    """Paragraphs of one note of three words or more, or with a YouTube link; dated by the front
    matter 'date:' or else by `modified` (the file's mtime, UTC)."""
    parsed = Parsed()
    if not text.strip():
        parsed.skipped["empty note"] += 1
        return parsed
    markdown = not name.lower().endswith(".txt")
    lines = text.splitlines()
    start, at = _front_matter(lines, path) if markdown else (0, None)
    for number, block in enumerate(_blocks(lines, start, markdown), start=1):
        raw = "\n".join(line for _, line in block)
        words = " ".join(_clean(line) if markdown else line for _, line in block)
        words = cut(re.sub(r"\s+", " ", words).strip(), limits().max_description_chars)
        ids = youtube_ids(raw)
        if len(words.split()) < MIN_WORDS and not ids:
            parsed.skipped["short paragraph"] += 1
            continue
        parsed.items.append(ImportedItem(
            source="note", item_id=note_item_id(words, ids), text=words, at=at or modified,
            location=f"{name}, paragraph {number}, line {block[0][0]}", video_id=ids[0] if ids else None,
            url=watch_url(ids[0]) if ids else None))
    return parsed
