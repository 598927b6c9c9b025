"""Read Google Takeout YouTube exports: watch history (JSON or HTML) and liked-videos / playlist CSVs."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from tools.errors import ImportFileError
from tools.imports.bounded import refused
from tools.imports.common import (MAX_DATE_CHARS, MAX_ID_CHARS, MAX_URL_CHARS, VIDEO_ID, Parsed, cut, iso_z, json_records,
                                 parse_datetime, watch_url, youtube_id)
from tools.imports.imported_item import ImportedItem
from tools.limits import limits

LIKED_PLAYLISTS = ("liked videos", "likes")
MAX_CSV_LINE_CHARS = 65_536
_MAX_PARTS = 50
"""Cells per entry, and lines and links per cell, read from watch-history.html (a real entry has 2-5)."""
_DATE_HELP = ("dates in English forms like 'Mar 5, 2024, 6:22:11 PM GMT' or '5 Mar 2024, 18:22:11 CET' "
              "are read; for other languages choose JSON as the history format in Google Takeout")


def takeout_kind(name: str) -> str | None:
    """'watch_json', 'watch_html' or 'playlist' for a Takeout file name, None for anything else."""
    parts = name.lower().split("/")
    base, parent = parts[-1], (parts[-2] if len(parts) > 1 else "")
    if base == "watch-history.json":
        return "watch_json"
    if base in ("watch-history.html", "watch-history.htm"):
        return "watch_html"
    if base.endswith(".csv") and (parent == "playlists" and base != "playlists.csv"
                                  or base in ("likes.csv", "liked videos.csv")):
        return "playlist"
    return None


def _watch(title: str, url: str, channel: str | None, at, name: str, number: int) -> ImportedItem:
    """A watch; its text is '' when the export only repeats the link (the importer looks it up later)."""
    video_id = youtube_id(url)
    title = _clean(cut(title, limits().max_title_chars))
    channel = cut(_clean(channel), limits().max_title_chars) if channel else None
    text = "" if title == url or re.match(r"https?://", title) else title
    return ImportedItem(
        source="youtube_watch", item_id=f"{video_id}@{iso_z(at)}", text=text, at=at,
        location=f"{name}, record {number}", video_id=video_id, url=url, channel=channel or None)


def parse_watch_json(text: str, name: str, path: str) -> Parsed:
    """Watches of watch-history.json; ads, removed videos and non-video entries are skipped."""
    if not text.strip():
        raise ImportFileError(path, "empty file")
    parsed = Parsed()
    records = json_records(text, path, expected="not a Takeout watch history: expected a JSON array of entries")
    for number, record in records:
        if not isinstance(record, dict) or not isinstance(record.get("title"), str):
            raise ImportFileError(path, "expected an entry object with a 'title'", f"record {number}")
        details = record.get("details") if isinstance(record.get("details"), list) else []
        if any(isinstance(d, dict) and "Google Ads" in str(d.get("name", ""))[:200] for d in details[:20]):
            parsed.skipped["ad"] += 1
            continue
        url = record.get("titleUrl")
        if not isinstance(url, str) or not url:
            parsed.skipped["removed or private video"] += 1
            continue
        url = cut(url, MAX_URL_CHARS)
        if youtube_id(url) is None:
            parsed.skipped["not a video (post, story, …)"] += 1
            continue
        stamp = record.get("time")
        at = parse_datetime(cut(stamp, MAX_DATE_CHARS)) if isinstance(stamp, str) else None
        if at is None:
            shown = cut(stamp, MAX_DATE_CHARS) if isinstance(stamp, str) else type(stamp).__name__
            raise ImportFileError(path, f"cannot read the time {shown!r}", f"record {number}")
        subtitles = record.get("subtitles") if isinstance(record.get("subtitles"), list) else []
        channel = subtitles[0].get("name") if subtitles and isinstance(subtitles[0], dict) else None
        title = re.sub(r"^Watched\s", "", cut(record["title"], limits().max_title_chars))
        parsed.items.append(_watch(title, url, channel if isinstance(channel, str) else None, at, name, number))
    return parsed


class _WatchHtml(HTMLParser):
    """Collects each 'outer-cell' entry: its content cells as lines (split at <br>) and links."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self._path, self._cap = path, limits().max_import_items
        self._room = max(limits().max_title_chars, MAX_DATE_CHARS)
        self.entries: list[list[dict]] = []
        self._depth = 0  # div nesting inside the current outer-cell; 0 when outside one
        self._cell: dict | None = None
        self._cell_depth = 0
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            if self._depth == 0:
                if "outer-cell" in classes:
                    self._depth = 1
                    self.entries.append([])
                    if len(self.entries) > self._cap:
                        raise refused(self._path, f"more than {self._cap} entries", "max_import_items", self._cap)
                return
            self._depth += 1
            if "content-cell" in classes and self._cell is None and len(self.entries[-1]) < _MAX_PARTS:
                self._cell = {"classes": classes, "lines": [""], "links": []}
                self._cell_depth = self._depth
                self.entries[-1].append(self._cell)
        elif self._cell is not None and tag == "br" and len(self._cell["lines"]) < _MAX_PARTS:
            self._cell["lines"].append("")
        elif self._cell is not None and tag == "a" and len(self._cell["links"]) < _MAX_PARTS:
            self._link = [cut(dict(attrs).get("href") or "", MAX_URL_CHARS), ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._depth:
            if self._cell is not None and self._depth == self._cell_depth:
                self._cell = None
            self._depth -= 1
        elif tag == "a" and self._link is not None and self._cell is not None:
            self._cell["links"].append(tuple(self._link))
            self._link = None

    def handle_data(self, data: str) -> None:
        # Each line and link text is kept to a bounded length: a 30 MB title costs no more than a short one.
        if self._cell is not None:
            lines = self._cell["lines"]
            lines[-1] = cut(lines[-1] + data[: self._room], self._room)
            if self._link is not None:
                self._link[1] = cut(self._link[1] + data[: self._room], self._room)


def _clean(text: str) -> str:
    return re.sub(r"[\s\u202f\u00a0\u2003]+", " ", text).strip()


def parse_watch_html(text: str, name: str, path: str) -> Parsed:
    """Watches of watch-history.html (English date forms); ads and removed videos are skipped."""
    if not text.strip():
        raise ImportFileError(path, "empty file")
    reader = _WatchHtml(path)
    reader.feed(text)
    reader.close()
    if not reader.entries:
        raise ImportFileError(path, "not a Takeout watch history: no 'outer-cell' entries found")
    parsed = Parsed()
    for number, cells in enumerate(reader.entries, start=1):
        main = next((c for c in cells if "mdl-typography--caption" not in c["classes"]), None)
        lines = [line for line in (_clean(x) for x in (main or {"lines": []})["lines"]) if line]
        if not lines:
            raise ImportFileError(path, "entry without text", f"record {number}")
        notes = " ".join(_clean(x) for c in cells if c is not main for x in c["lines"])
        if "Google Ads" in notes:
            parsed.skipped["ad"] += 1
            continue
        links = [(href, _clean(label)) for href, label in main["links"]]
        video = next((i for i, (href, _) in enumerate(links) if youtube_id(href)), None)
        if video is None:
            parsed.skipped["removed or private video" if not links else "not a video (post, story, …)"] += 1
            continue
        at = parse_datetime(lines[-1])
        if at is None:
            raise ImportFileError(path, f"cannot read the date '{lines[-1]}': {_DATE_HELP}",
                                  f"record {number}")
        href, title = links[video]
        channel = links[video + 1][1] if video + 1 < len(links) else None
        parsed.items.append(_watch(title, href, channel, at, name, number))
    return parsed


def parse_playlist_csv(text: str, name: str, path: str) -> Parsed:
    """Video ids of a liked-videos or playlist CSV, new ('Video ID,Playlist Video Creation Timestamp')
    or old (playlist metadata lines, a blank line, then 'Video Id,Time Added') format."""
    if not text.strip():
        raise ImportFileError(path, "empty file")
    long_line = re.search(r"[^\n]{%d}" % MAX_CSV_LINE_CHARS, text)
    if long_line:
        line = text.count("\n", 0, long_line.start()) + 1
        raise ImportFileError(path, f"not a YouTube playlist CSV: a line longer than {MAX_CSV_LINE_CHARS} "
                              "characters", f"line {line}")
    stem = re.sub(r"(-videos)?\.csv$", "", name.rsplit("/", 1)[-1], flags=re.I)
    playlist, header_seen, parsed, title_column = stem, False, Parsed(), None
    cap = limits().max_import_items
    reader = csv.reader(io.StringIO(text))
    rows = 0
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise ImportFileError(path, f"invalid CSV: {exc}", f"line {reader.line_num}") from None
        if row is None:
            break
        line, rows = reader.line_num, rows + 1
        if rows > cap:
            raise refused(path, f"more than {cap} lines", "max_import_items", cap)
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if not header_seen:
            if title_column is not None:  # the line under the playlist metadata header holds the title
                if title_column < len(cells) and cells[title_column]:
                    playlist = cut(cells[title_column], limits().max_title_chars)
                title_column = None
            if cells[0].lower() == "playlist id" and "Title" in cells:
                title_column = cells.index("Title")
            if cells[0].lower() == "video id":
                if len(cells) > 1 and "time" not in cells[1].lower():
                    break
                header_seen = True
                liked = playlist.lower() in LIKED_PLAYLISTS or stem.lower() in LIKED_PLAYLISTS
            continue
        if not VIDEO_ID.fullmatch(cells[0]):
            raise ImportFileError(path, f"not a YouTube video id: '{cut(cells[0], MAX_ID_CHARS)}'", f"line {line}")
        stamp = cut(cells[1], MAX_DATE_CHARS) if len(cells) > 1 else ""
        at = parse_datetime(stamp) if stamp else None
        if stamp and at is None:
            raise ImportFileError(path, f"cannot read the time '{stamp}'", f"line {line}")
        parsed.items.append(ImportedItem(
            source="youtube_like" if liked else "youtube_playlist",
            item_id=cells[0] if liked else f"{playlist}:{cells[0]}", text="", at=at,
            location=f"{name}, line {line}", video_id=cells[0], url=watch_url(cells[0])))
    if not header_seen:
        raise ImportFileError(path, "not a YouTube playlist CSV: no 'Video ID,<time>' header line")
    return parsed
