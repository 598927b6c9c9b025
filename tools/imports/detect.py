"""Tell what an export path is (X archive, Google Takeout, notes; a folder, .zip/.tgz or file) and read it."""

from __future__ import annotations

import datetime as dt
import os
import re
import tarfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.errors import ImportFileError
from tools.imports.bounded import ReadBudget, check_member_count, check_upload_size, read_capped, refused
from tools.imports.common import UTC, Parsed, decode_text
from tools.imports.imported_item import ImportedItem
from tools.imports.notes import is_note_file, parse_note
from tools.imports.takeout import parse_playlist_csv, parse_watch_html, parse_watch_json, takeout_kind
from tools.imports.x_archive import is_likes_file, is_tweets_file, parse_likes_js, parse_tweets_js
from tools.limits import limits

Progress = Callable[[int, int, str], None]
EXPECTED = ("an X archive (its .zip, or the folder with data/tweets.js or data/like.js), a Google "
            "Takeout of YouTube (its .zip/.tgz or folder, or watch-history.json/.html or a playlist "
            ".csv), or notes (a .md/.txt file or a folder of them)")
_PARSERS = {"tweets": parse_tweets_js, "likes": parse_likes_js, "watch_json": parse_watch_json,
            "watch_html": parse_watch_html, "playlist": parse_playlist_csv}
ARCHIVE_SUFFIXES = (".zip", ".tgz", ".tar.gz", ".tar")
_NOTHING = {"x": "no posts or likes", "takeout": "no watched, liked or playlist videos",
            "notes": "no note paragraphs"}


@dataclass
class ImportBatch:
    """Everything one export yielded, what was skipped and why, and the files read."""

    kind: str
    """'x', 'takeout' or 'notes'."""
    items: list[ImportedItem]
    skipped: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _hidden(name: str) -> bool:
    """Dot files and folders (.obsidian, .git, macOS '._x' forks) and the __MACOSX folder of zips."""
    return any(p.startswith(".") and p not in (".", "..") or p == "__MACOSX" for p in name.split("/"))


class _Export:
    """The files of an export by relative POSIX name, whether a folder, a .zip/.tgz, or one file.
    Every read goes through the size limits (tools/limits.py): the file's size before it is opened,
    the member count when it is listed, and the bytes each member actually expands to as it is read."""

    def __init__(self, path: Path):
        self.path, self._zip, self._tar = path, None, None
        if path.is_file():
            check_upload_size(str(path), path.stat().st_size)
        archive = path.is_file() and (path.name.lower().endswith(ARCHIVE_SUFFIXES) or zipfile.is_zipfile(path))
        self.single = path.is_file() and not archive
        self.budget = ReadBudget(path.stat().st_size if archive else None)
        try:
            if path.is_dir():
                self.names = _walk(path)
            elif self.single:
                self.names = [path.name]
            elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
                self._zip = zipfile.ZipFile(path)
                infos = self._zip.infolist()
                check_member_count(str(path), len(infos))
                self._members = {i.filename.replace("\\", "/").lstrip("/"): i for i in infos if not i.is_dir()}
                self.names = sorted(n for n in self._members if not _hidden(n))
            else:
                self._tar = tarfile.open(path)
                self._members = _tar_members(self._tar, str(path))
                self.names = sorted(n for n in self._members if not _hidden(n))
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            self.close()
            kind = "zip" if path.suffix.lower() == ".zip" else "tar"
            raise ImportFileError(path, f"not a readable {kind} archive ({exc})") from None
        except ImportFileError:
            self.close()
            raise

    def label(self, name: str) -> str:
        return str(self.path) if self.single else f"{self.path}/{name}"

    def read(self, name: str) -> bytes:
        label = self.label(name)
        try:
            if self._zip is not None:
                info = self._members[name]
                with self._zip.open(info) as stream:
                    return read_capped(stream, label, self.budget, info.compress_size)
            if self._tar is not None:
                stream = self._tar.extractfile(self._members[name])
                return b"" if stream is None else read_capped(stream, label, self.budget)
            file = self.path if self.single else self.path / name
            if not self.single and not file.resolve().is_relative_to(self.path.resolve()):
                raise ImportFileError(label, "refused: a link to a file outside the export folder")
            with file.open("rb") as stream:
                return read_capped(stream, label, self.budget)
        except (zipfile.BadZipFile, tarfile.TarError, zlib.error, RuntimeError, NotImplementedError,
                EOFError, OSError) as exc:
            raise ImportFileError(label, f"cannot read ({exc})") from None

    def modified(self, name: str) -> dt.datetime:
        try:
            if self._zip is not None:
                return dt.datetime(*self._members[name].date_time).astimezone(UTC)
            if self._tar is not None:
                return dt.datetime.fromtimestamp(self._members[name].mtime, UTC)
            file = self.path if self.single else self.path / name
            return dt.datetime.fromtimestamp(file.stat().st_mtime, UTC)
        except (ValueError, OverflowError, OSError):  # a date stamp out of range: dated by the import
            return dt.datetime.now(UTC)

    def close(self) -> None:
        for archive in (self._zip, self._tar):
            if archive is not None:
                archive.close()


def _tar_members(tar: tarfile.TarFile, label: str) -> dict[str, tarfile.TarInfo]:
    """The regular files of a tar by name, listed one header at a time: listing stops at the member
    count limit, or once the declared sizes alone pass the limits, before the rest is decompressed."""
    members, count, declared = {}, 0, 0
    caps = limits()
    for member in tar:
        count += 1
        check_member_count(label, count)
        if not member.isfile():
            continue  # links, devices and folders hold nothing to read
        if member.size > caps.max_member_bytes:
            raise refused(f"{label}/{member.name}", f"the file declares {member.size} bytes",
                          "max_member_bytes", caps.max_member_bytes)
        declared += member.size
        if declared > caps.max_uncompressed_bytes:
            raise refused(label, f"the archive expands past {caps.max_uncompressed_bytes} bytes in all",
                          "max_uncompressed_bytes", caps.max_uncompressed_bytes)
        members[re.sub(r"^(\./)+", "", member.name)] = member
    return members


def _walk(root: Path) -> list[str]:
    """Relative names of the files under root, hidden files and folders (.obsidian, .git) left out."""
    names = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        names += [Path(folder, f).relative_to(root).as_posix() for f in files if not _hidden(f)]
        check_member_count(str(root), len(names))
    return sorted(names)


def _single_kind(name: str) -> tuple[str, str] | None:
    """(export kind, file kind) of a file given on its own, judged by its name."""
    base = name.lower()
    if is_tweets_file("data/" + base):
        return "x", "tweets"
    if is_likes_file("data/" + base):
        return "x", "likes"
    if base.endswith(".json"):
        return "takeout", "watch_json"
    if base.endswith((".html", ".htm")):
        return "takeout", "watch_html"
    if base.endswith(".csv"):
        return "takeout", "playlist"
    if is_note_file(base):
        return "notes", "note"
    return None


def _plan(export: _Export) -> tuple[str, list[tuple[str, str]]]:
    """The export kind and the (name, file kind) pairs to read, in order."""
    if export.single:
        kind = _single_kind(export.names[0])
        if kind is None:
            raise ImportFileError(export.path, f"not a known export file; expected {EXPECTED}")
        return kind[0], [(export.names[0], kind[1])]
    x = [(n, "tweets" if is_tweets_file(n) else "likes") for n in export.names
         if is_tweets_file(n) or is_likes_file(n)]
    if x:
        return "x", x
    takeout = [(n, takeout_kind(n)) for n in export.names if takeout_kind(n)]
    if any(k == "watch_json" for _, k in takeout):
        # Takeout writes the history in the one format chosen; if both are present, JSON is exact.
        takeout = [(n, k) for n, k in takeout if k != "watch_html"]
    if takeout:
        return "takeout", takeout
    notes = [(n, "note") for n in export.names if is_note_file(n)]
    if notes:
        return "notes", notes
    raise ImportFileError(export.path, f"nothing to import: found no export files; expected {EXPECTED}")


def _read_file(export: _Export, name: str, file_kind: str) -> Parsed:
    """One file of the export parsed. Whatever a file of an unexpected shape makes a parser raise
    (a TypeError on a number where a list was expected, a RecursionError on JSON nested too deeply)
    becomes an ImportFileError naming that file; ImportFileErrors pass as they are."""
    label = export.label(name)
    try:
        text = decode_text(export.read(name), label)
        if file_kind == "note":
            return parse_note(text, name, label, export.modified(name))
        return _PARSERS[file_kind](text, name, label)
    except ImportFileError:
        raise
    except RecursionError:
        raise ImportFileError(label, "could not be read: RecursionError: data nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - KeyboardInterrupt and SystemExit still pass
        raise ImportFileError(label, f"could not be read: {_describe(exc)}") from exc


def _describe(exc: Exception, limit: int = 200) -> str:
    """'TypeError: 'int' object is not iterable': the class and the first line of the message."""
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def read_export(path: Path, since: dt.datetime | None = None,
                progress: Progress | None = None) -> ImportBatch:
    """Read everything an export path holds; `since` keeps items at or after it (undated ones too).

    `progress(done_files, total_files, current_name)` is called before each file and once at the end.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ImportFileError(path, f"no such file or folder; expected {EXPECTED}")
    export = _Export(path)
    try:
        kind, plan = _plan(export)
        items: list[ImportedItem] = []
        skipped: Counter[str] = Counter()
        seen: set[tuple[str, str]] = set()
        cap = limits().max_import_items
        for done, (name, file_kind) in enumerate(plan):
            if progress:
                progress(done, len(plan), name)
            parsed = _read_file(export, name, file_kind)
            if len(items) + len(parsed.items) > cap:
                raise refused(export.label(name), f"the export holds more than {cap} items",
                              "max_import_items", cap)
            for item in parsed.items:
                # One item per (source, id): the importer knows items by it. The same paragraph
                # in two notes, or a record an export repeats, is kept once.
                if (item.source, item.item_id) in seen:
                    skipped["repeated paragraph" if item.source == "note" else "repeated record"] += 1
                    continue
                seen.add((item.source, item.item_id))
                items.append(item)
            skipped.update(parsed.skipped)
        if progress:
            progress(len(plan), len(plan), "")
    finally:
        export.close()
    if not items:
        why = ", ".join(f"{count} {reason}" for reason, count in skipped.items())
        raise ImportFileError(path, f"nothing to import: {_NOTHING[kind]} found"
                              + (f" (skipped: {why})" if why else ""))
    if since is not None:
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since
        kept = [i for i in items if i.at is None or i.at >= since]
        if len(kept) < len(items):
            skipped["before the since date"] += len(items) - len(kept)
        items = kept
    return ImportBatch(kind, items, dict(skipped), [export.label(n) for n, _ in plan])
