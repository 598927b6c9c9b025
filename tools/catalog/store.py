"""The catalog: videos by id and where each one's transcript lives."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from tools.catalog.jsonl import nothing_usable, read_jsonl
from tools.catalog.load_report import LoadReport
from tools.catalog.transcript_files import read_transcript
from tools.catalog.video import Segment, Video
from tools.catalog.windows import Window, cut_windows
from tools.catalog.ytdlp import load_ytdlp_folder
from tools.errors import CatalogError, TranscriptError, UnknownVideoError

log = logging.getLogger(__name__)
DEMO_DIR = Path(__file__).parent / "demo"


@dataclass
class Catalog:
    """Videos in load order, plus a transcript file per video where one exists."""

    videos: dict[str, Video]
    transcript_paths: dict[str, Path] = field(default_factory=dict)
    name: str = ""
    load_report: LoadReport = field(default_factory=LoadReport)
    """What loading the catalog skipped or cut, and why (shown by `clipwise index`)."""
    _transcripts: dict[str, list[Segment]] = field(default_factory=dict, repr=False)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False)
    _windows: dict[str, list[Window]] = field(default_factory=dict, repr=False)
    _unreadable: dict[str, str] = field(default_factory=dict, repr=False)

    def get(self, video_id: str) -> Video:
        try:
            return self.videos[video_id]
        except KeyError:
            raise UnknownVideoError(video_id) from None

    def __len__(self) -> int:
        return len(self.videos)

    def has_transcript(self, video_id: str) -> bool:
        return video_id in self.transcript_paths

    def transcript(self, video_id: str) -> list[Segment] | None:
        """Segments of the video's transcript, None when it has none (errors if unreadable)."""
        self.get(video_id)
        if video_id not in self.transcript_paths:
            return None
        if video_id in self._unreadable:
            raise TranscriptError(self._unreadable[video_id])
        if video_id not in self._transcripts:
            try:
                self._transcripts[video_id] = read_transcript(self.transcript_paths[video_id])
            except TranscriptError as exc:
                self._unreadable[video_id] = str(exc)  # read (and refused) once per load, not on every request
                raise
        return self._transcripts[video_id]

    def windows(self, video_id: str) -> list[Window]:
        """The transcript cut into ~20 s windows (empty without a transcript)."""
        if video_id not in self._windows:
            self._windows[video_id] = cut_windows(self.transcript(video_id) or [])
        return self._windows[video_id]

    def transcript_fingerprint(self, video_id: str) -> str:
        """Changes when the video's transcript file changes."""
        path = self.transcript_paths.get(video_id)
        if path is None:
            return ""
        return hashlib.sha1(file_stamp(path).encode()).hexdigest()

    def fingerprint(self, video_id: str) -> str:
        """Changes when what gets indexed for this video changes (computed once per load)."""
        if video_id in self._fingerprints:
            return self._fingerprints[video_id]
        video = self.get(video_id)
        path = self.transcript_paths.get(video_id)
        stamp = file_stamp(path) if path else ""
        self._fingerprints[video_id] = hashlib.sha1((video.embedding_text() + "\0" + stamp).encode()).hexdigest()
        return self._fingerprints[video_id]


def file_stamp(path: Path) -> str:
    """Path, size and time of change; a file gone since the load has a stamp of its own."""
    try:
        stat = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def transcript_folder(folder: Path) -> dict[str, Path]:
    """`<video_id>.json` files (youtube-transcript-api shape) of a folder."""
    if not folder.is_dir():
        raise CatalogError(folder, "transcript folder not found")
    return {p.stem: p for p in sorted(folder.glob("*.json"))}


def load_catalog(catalog: Path | None = None, transcripts: Path | None = None) -> Catalog:
    """Load a JSONL file or yt-dlp folder (the demo catalog when none is given)."""
    if catalog is None:
        catalog, transcripts = DEMO_DIR / "catalog.jsonl", transcripts or DEMO_DIR / "transcripts"
    catalog = Path(catalog)
    if catalog.is_dir():
        videos, paths, report = load_ytdlp_folder(catalog)
    elif catalog.is_file():
        (videos, report), paths = read_jsonl(catalog), {}
    else:
        raise CatalogError(catalog, "catalog not found (give a JSONL file or a folder of yt-dlp .info.json files)")
    if not videos:
        raise nothing_usable(catalog, report) if report.skipped else CatalogError(catalog, "the catalog holds no videos")
    if report:
        log.warning("catalog %s: %d videos loaded; %d entries skipped, %d fields cut (`clipwise index` lists them)",
                    catalog, len(videos), len(report.skipped), len(report.cut))
    by_id = {v.video_id: v for v in videos}
    if transcripts is not None:
        paths.update({vid: p for vid, p in transcript_folder(Path(transcripts)).items() if vid in by_id})
    return Catalog(videos=by_id, transcript_paths=paths, name=str(catalog.resolve()), load_report=report)
