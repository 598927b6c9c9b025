"""The catalog: videos by id and where each one's transcript lives."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tools.catalog.jsonl import load_jsonl
from tools.catalog.transcript_files import read_transcript
from tools.catalog.video import Segment, Video
from tools.catalog.windows import Window, cut_windows
from tools.catalog.ytdlp import load_ytdlp_folder
from tools.errors import CatalogError, UnknownVideoError

DEMO_DIR = Path(__file__).parent / "demo"


@dataclass
class Catalog:
    """Videos in load order, plus a transcript file per video where one exists."""

    videos: dict[str, Video]
    transcript_paths: dict[str, Path] = field(default_factory=dict)
    name: str = ""
    _transcripts: dict[str, list[Segment]] = field(default_factory=dict, repr=False)
    _fingerprints: dict[str, str] = field(default_factory=dict, repr=False)
    _windows: dict[str, list[Window]] = field(default_factory=dict, repr=False)

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
        if video_id not in self._transcripts:
            self._transcripts[video_id] = read_transcript(self.transcript_paths[video_id])
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
        stat = path.stat()
        return hashlib.sha1(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()

    def fingerprint(self, video_id: str) -> str:
        """Changes when what gets indexed for this video changes (computed once per load)."""
        if video_id in self._fingerprints:
            return self._fingerprints[video_id]
        video = self.get(video_id)
        path = self.transcript_paths.get(video_id)
        stamp = f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}" if path else ""
        self._fingerprints[video_id] = hashlib.sha1((video.embedding_text() + "\0" + stamp).encode()).hexdigest()
        return self._fingerprints[video_id]


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
        videos, paths = load_ytdlp_folder(catalog)
    elif catalog.is_file():
        videos, paths = load_jsonl(catalog), {}
    else:
        raise CatalogError(catalog, "catalog not found (give a JSONL file or a folder of yt-dlp .info.json files)")
    if not videos:
        raise CatalogError(catalog, "the catalog holds no videos")
    by_id = {v.video_id: v for v in videos}
    if transcripts is not None:
        paths.update({vid: p for vid, p in transcript_folder(Path(transcripts)).items() if vid in by_id})
    return Catalog(videos=by_id, transcript_paths=paths, name=str(catalog.resolve()))
