"""Read Google Takeout YouTube exports: watch history (JSON or HTML) and liked-videos / playlist CSVs."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from tools.errors import ImportFileError
from tools.imports.common import VIDEO_ID, Parsed, iso_z, load_json, parse_datetime, watch_url, youtube_id
from tools.imports.imported_item import ImportedItem

LIKED_PLAYLISTS = ("liked videos", "likes")
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
    title = _clean(title)
    text = "" if title == url or re.match(r"https?://", title) else title
    return ImportedItem(
        source="youtube_watch", item_id=f"{video_id}@{iso_z(at)}", text=text, at=at,
        location=f"{name}, record {number}", video_id=video_id, url=url, channel=channel or None)


def parse_watch_json(text: str, name: str, path: str) -> Parsed:
    """Watches of watch-history.json; ads, removed videos and non-video entries are skipped."""
    if not text.strip():
        raise ImportFileError(path, "empty file")
    records = load_json(text, path)
    if not isinstance(records, list):
        raise ImportFileError(path, "not a Takeout watch history: expected a JSON array of entries")
    parsed = Parsed()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not isinstance(record.get("title"), str):
            raise ImportFileError(path, "expected an entry object with a 'title'", f"record {number}")
        details = record.get("details") if isinstance(record.get("details"), list) else []
        if any(isinstance(d, dict) and "Google Ads" in str(d.get("name", "")) for d in details):
            parsed.skipped["ad"] += 1
            continue
        url = record.get("titleUrl")
        if not isinstance(url, str) or not url:
            parsed.skipped["removed or private video"] += 1
            continue
        if youtube_id(url) is None:
            parsed.skipped["not a video (post, story, …)"] += 1
            continue
        at = parse_datetime(record["time"]) if isinstance(record.get("time"), str) else None
        if at is None:
            raise ImportFileError(path, f"cannot read the time {record.get('time')!r}", f"record {number}")
        subtitles = record.get("subtitles") if isinstance(record.get("subtitles"), list) else []
        channel = subtitles[0].get("name") if subtitles and isinstance(subtitles[0], dict) else None
        title = re.sub(r"^Watched\s", "", record["title"])
        parsed.items.append(_watch(title, url, channel, at, name, number))
    return parsed


class _WatchHtml(HTMLParser):
    """Collects each 'outer-cell' entry: its content cells as lines (split at <br>) and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
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
                return
            self._depth += 1
            if "content-cell" in classes and self._cell is None:
                self._cell = {"classes": classes, "lines": [""], "links": []}
                self._cell_depth = self._depth
                self.entries[-1].append(self._cell)
        elif self._cell is not None and tag == "br":
            self._cell["lines"].append("")
        elif self._cell is not None and tag == "a":
            self._link = [dict(attrs).get("href") or "", ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._depth:
            if self._cell is not None and self._depth == self._cell_depth:
                self._cell = None
            self._depth -= 1
        elif tag == "a" and self._link is not None and self._cell is not None:
            self._cell["links"].append(tuple(self._link))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["lines"][-1] += data
            if self._link is not None:
                self._link[1] += data


def _clean(text: str) -> str:
    return re.sub(r"[\s\u202f\u00a0\u2003]+", " ", text).strip()


def parse_watch_html(text: str, name: str, path: str) -> Parsed:
    """Watches of watch-history.html (English date forms); ads and removed videos are skipped."""
    if not text.strip():
        raise ImportFileError(path, "empty file")
    reader = _WatchHtml()
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
    stem = re.sub(r"(-videos)?\.csv$", "", name.rsplit("/", 1)[-1], flags=re.I)
    playlist, header_seen, parsed = stem, False, Parsed()
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ImportFileError(path, f"invalid CSV: {exc}", f"line {reader.line_num}") from None
    for index, (line, row) in enumerate(rows):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if not header_seen:
            if cells[0].lower() == "playlist id" and "Title" in cells and index + 1 < len(rows):
                values, column = rows[index + 1][1], cells.index("Title")
                if column < len(values) and values[column].strip():
                    playlist = values[column].strip()
            if cells[0].lower() == "video id":
                if len(cells) > 1 and "time" not in cells[1].lower():
                    break
                header_seen = True
                liked = playlist.lower() in LIKED_PLAYLISTS or stem.lower() in LIKED_PLAYLISTS
            continue
        if not VIDEO_ID.fullmatch(cells[0]):
            raise ImportFileError(path, f"not a YouTube video id: '{cells[0]}'", f"line {line}")
        stamp = cells[1] if len(cells) > 1 else ""
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
