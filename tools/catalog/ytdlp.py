"""Load a catalog from a folder of yt-dlp `.info.json` files with subtitle files beside them."""

from __future__ import annotations

import datetime as dt
import glob
from pathlib import Path

from tools.catalog.jsonl import video_from_record
from tools.catalog.load_report import LoadReport
from tools.catalog.strict_json import JSONRefused, loads
from tools.catalog.video import Video
from tools.errors import CatalogError
from tools.limits import limits

SUBTITLE_SUFFIXES = (".json3", ".vtt")


def _published(info: dict, path: Path) -> str | None:
    raw = info.get("upload_date") or info.get("release_date")
    if raw is None:
        return None
    try:
        return dt.datetime.strptime(str(raw), "%Y%m%d").date().isoformat()
    except ValueError:
        raise CatalogError(path, f"expected YYYYMMDD, got {str(raw)[:40]!r}", field="upload_date") from None


def _record(info: dict, path: Path) -> dict:
    if not isinstance(info, dict):
        raise CatalogError(path, "expected a JSON object")
    for key in ("id", "title"):
        if not info.get(key) or not isinstance(info[key], str):
            raise CatalogError(path, "missing, empty or not text", field=key)
    return {
        "video_id": info["id"],
        "title": info["title"],
        "channel": info.get("channel") or info.get("uploader") or "",
        "description": info.get("description") or "",
        "tags": info.get("tags") or [],
        "duration_s": info.get("duration"),
        "published_at": _published(info, path),
        "view_count": info.get("view_count"),
        "thumbnail_url": info.get("thumbnail"),
        "language": info.get("language"),
        "source": "yt-dlp",
    }


def subtitle_files(info_path: Path, languages: tuple[str, ...] = ("en",)) -> list[Path]:
    """Subtitle files of one info.json, preferred languages first."""
    base = info_path.name.removesuffix(".info.json")
    found = [p for p in info_path.parent.glob(glob.escape(base) + ".*") if p.suffix in SUBTITLE_SUFFIXES]

    def rank(p: Path) -> tuple[int, int]:
        lang = p.name[len(base) + 1 :].split(".")[0]
        lang_rank = next((i for i, l in enumerate(languages) if lang == l or lang.startswith(l + "-")), len(languages))
        return lang_rank, SUBTITLE_SUFFIXES.index(p.suffix)

    return sorted(found, key=rank)


def read_info(path: Path) -> object:
    """The parsed .info.json; too big, not UTF-8 or refused JSON raises CatalogError naming the file."""
    max_bytes = limits().max_catalog_line_bytes
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise CatalogError(path, f"cannot read: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise CatalogError(path, f"file larger than {max_bytes:,} bytes (CLIPWISE_MAX_CATALOG_LINE_BYTES)")
    try:
        return loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CatalogError(path, "not UTF-8 text") from None
    except JSONRefused as exc:
        raise CatalogError(path, exc.problem, field=exc.field) from None


def load_ytdlp_folder(folder: Path) -> tuple[list[Video], dict[str, Path], LoadReport]:
    """Videos of every `*.info.json` in the folder, the best subtitle file of each, and what was
    skipped (a bad file is reported with its name and field, and the rest still load)."""
    videos: list[Video] = []
    transcripts: dict[str, Path] = {}
    report = LoadReport()
    seen: set[str] = set()
    for path in sorted(folder.glob("*.info.json")):
        try:
            info = read_info(path)
            if isinstance(info, dict) and info.get("_type", "video") != "video":
                continue  # a playlist's or channel's own info file, not a video
            video = video_from_record(_record(info, path), path, None, report)
        except CatalogError as exc:
            report.skip(exc)
            continue
        if video.video_id in seen:
            report.skip(CatalogError(path, f"duplicate video id '{video.video_id}'", field="id"))
            continue
        seen.add(video.video_id)
        videos.append(video)
        subs = subtitle_files(path)
        if subs:
            transcripts[video.video_id] = subs[0]
    return videos, transcripts, report
