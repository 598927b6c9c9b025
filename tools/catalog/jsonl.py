"""A catalog as JSONL: one video object a line, as in the real-data catalog; read and written."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from tools.atomic_file import write_atomically
from tools.catalog.video import Video
from tools.errors import CatalogError

FIELDS = set(Video.model_fields)


def video_from_record(record: dict, path: Path, line: int | None) -> Video:
    """Validate one record; a bad field raises CatalogError naming file, line and field."""
    if not isinstance(record, dict):
        raise CatalogError(path, "expected a JSON object", line)
    data = {k: v for k, v in record.items() if k in FIELDS and v is not None}
    if "tags" in data and isinstance(data["tags"], list):
        data["tags"] = tuple(str(t) for t in data["tags"])
    if isinstance(data.get("published_at"), str):
        data["published_at"] = data["published_at"][:10]
    if isinstance(data.get("duration_s"), float):
        data["duration_s"] = round(data["duration_s"])
    try:
        return Video(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise CatalogError(path, err["msg"], line, field) from None


def load_jsonl(path: Path) -> list[Video]:
    """All videos of a JSONL file; the first bad line stops the load with its position."""
    videos: list[Video] = []
    seen: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError(path, "not a UTF-8 text file") from None
    except OSError as exc:
        raise CatalogError(path, f"cannot read: {exc.strerror}") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CatalogError(path, f"invalid JSON ({exc.msg}, column {exc.colno})", number) from None
        video = video_from_record(record, path, number)
        if video.video_id in seen:
            raise CatalogError(path, f"duplicate video id '{video.video_id}'", number, "video_id")
        seen.add(video.video_id)
        videos.append(video)
    return videos


def write_jsonl(path: Path, videos) -> None:
    """The videos as a JSONL catalog that load_jsonl reads back, written whole or not at all."""
    write_atomically(path, "".join(json.dumps(v.model_dump(mode="json"), ensure_ascii=False) + "\n" for v in videos))
