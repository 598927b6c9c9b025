"""A catalog as JSONL: one video object a line, as in the real-data catalog; read and written."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import BinaryIO, Iterator

from pydantic import ValidationError

from tools.atomic_file import write_atomically
from tools.catalog.load_report import LoadReport
from tools.catalog.strict_json import JSONRefused, loads
from tools.catalog.video import Video
from tools.errors import CatalogError
from tools.limits import limits

FIELDS = set(Video.model_fields)
BOM = b"\xef\xbb\xbf"


def _cut(data: dict, key: str, limit: int, env: str, where: str, report: LoadReport | None) -> None:
    value = data.get(key)
    if isinstance(value, str) and len(value) > limit:
        data[key] = value[:limit]
        if report is not None:
            report.cut.append(f"{where}: field '{key}' cut from {len(value):,} to {limit:,} characters ({env})")


def video_from_record(record: object, path: Path, line: int | None, report: LoadReport | None = None) -> Video:
    """Validate one record; a bad field raises CatalogError naming file, line and field.
    Over-long titles and descriptions are cut to their limits, and the cut is noted in `report`."""
    if not isinstance(record, dict):
        raise CatalogError(path, "expected a JSON object", line)
    data = {k: v for k, v in record.items() if k in FIELDS and v is not None}
    where = str(path) + (f", line {line}" if line is not None else "")
    lim = limits()
    _cut(data, "title", lim.max_title_chars, "CLIPWISE_MAX_TITLE_CHARS", where, report)
    _cut(data, "channel", lim.max_title_chars, "CLIPWISE_MAX_TITLE_CHARS", where, report)
    _cut(data, "description", lim.max_description_chars, "CLIPWISE_MAX_DESCRIPTION_CHARS", where, report)
    if "tags" in data and isinstance(data["tags"], list):
        data["tags"] = tuple(str(t)[: lim.max_title_chars] for t in data["tags"])
    if isinstance(data.get("published_at"), str):
        data["published_at"] = data["published_at"][:10]
    if isinstance(data.get("duration_s"), float) and math.isfinite(data["duration_s"]):
        data["duration_s"] = round(data["duration_s"])
    try:
        return Video(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise CatalogError(path, err["msg"], line, field) from None


def _lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """The file's lines, read one at a time; None for a line over `max_bytes`, whose rest is
    read past in pieces so that a huge line never sits in memory whole."""
    while True:
        line = handle.readline(max_bytes + 2)
        if not line:
            return
        body = line.rstrip(b"\r\n")
        if len(body) > max_bytes or (len(line) == max_bytes + 2 and not line.endswith(b"\n")):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield None
        else:
            yield body


def read_jsonl(path: Path) -> tuple[list[Video], LoadReport]:
    """Every good line's video; a bad line is skipped and reported with its file, line and field."""
    videos: list[Video] = []
    report = LoadReport()
    seen: set[str] = set()
    max_bytes = limits().max_catalog_line_bytes
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise CatalogError(path, f"cannot read: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(_lines(handle, max_bytes), start=1):
            try:
                video = _video_of_line(raw, path, number, max_bytes, report)
            except CatalogError as exc:
                report.skip(exc)
                continue
            if video is None:
                continue
            if video.video_id in seen:
                report.skip(CatalogError(path, f"duplicate video id '{video.video_id}'", number, "video_id"))
                continue
            seen.add(video.video_id)
            videos.append(video)
    return videos, report


def _video_of_line(raw: bytes | None, path: Path, number: int, max_bytes: int, report: LoadReport) -> Video | None:
    if raw is None:
        raise CatalogError(path, f"line longer than {max_bytes:,} bytes (CLIPWISE_MAX_CATALOG_LINE_BYTES)", number)
    if number == 1:
        raw = raw.removeprefix(BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogError(path, "not UTF-8 text", number) from None
    if not text.strip():
        return None
    try:
        record = loads(text)
    except JSONRefused as exc:
        raise CatalogError(path, exc.problem, number, exc.field) from None
    return video_from_record(record, path, number, report)


def load_jsonl(path: Path) -> list[Video]:
    """The videos of a JSONL file, bad lines left out; a file with lines but no good one is an error."""
    videos, report = read_jsonl(path)
    if report.skipped and not videos:
        raise nothing_usable(path, report)
    return videos


def nothing_usable(path: Path, report: LoadReport) -> CatalogError:
    """The error for a catalog none of whose entries could be used, with the first reasons."""
    shown = "; ".join(report.skipped[:3]) + ("; ..." if len(report.skipped) > 3 else "")
    return CatalogError(path, f"no usable videos: all {len(report.skipped)} entries were skipped ({shown})")


def write_jsonl(path: Path, videos) -> None:
    """The videos as a JSONL catalog that load_jsonl reads back, written whole or not at all."""
    write_atomically(path, "".join(json.dumps(v.model_dump(mode="json"), ensure_ascii=False) + "\n" for v in videos))
