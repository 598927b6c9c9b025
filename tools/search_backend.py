"""Where videos come from: the interface every search backend offers, and the local catalog's."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from memory.user_store import Rules
from tools.catalog.store import Catalog
from tools.catalog.video import Video


@dataclass
class BackendAnswer:
    """Videos a backend found for some queries, and one-line notices for the user."""

    videos: list[Video] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TranscriptAnswer:
    """A transcript file for a video, or the reason there is none (shown in 'why')."""

    path: Path | None
    reason: str | None = None


class SearchBackend(Protocol):
    """A source of videos. The ranker, clipper, memory and controller never see which one answered:
    the library holds the union of what its backends gave, and ranks that."""

    name: str

    def saved_videos(self) -> list[Video]:
        """Videos this backend found before (kept across restarts), to load at start."""
        ...

    def saved_transcripts(self) -> dict[str, Path]:
        """Transcript files already on disk for saved videos."""
        ...

    def search(self, queries: list[str], rules: Rules) -> BackendAnswer:
        """New videos for short queries, within the user's hard limits where the backend can."""
        ...

    def lookup(self, video_ids: list[str]) -> list[Video]:
        """The videos with these ids, where the backend can tell (an import that holds ids only)."""
        ...

    def owns(self, video: Video) -> bool:
        """Whether this backend can fetch the video's transcript."""
        ...

    def transcript(self, video_id: str) -> TranscriptAnswer:
        ...


class LocalCatalog:
    """The catalog given at start (JSONL, yt-dlp folder or the demo). All of it is loaded up front,
    so a search adds nothing, and its transcripts are the files beside it."""

    name = "local catalog"

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def saved_videos(self) -> list[Video]:
        return list(self.catalog.videos.values())

    def saved_transcripts(self) -> dict[str, Path]:
        return dict(self.catalog.transcript_paths)

    def search(self, queries: list[str], rules: Rules) -> BackendAnswer:
        return BackendAnswer()

    def lookup(self, video_ids: list[str]) -> list[Video]:
        return [self.catalog.videos[v] for v in video_ids if v in self.catalog.videos]

    def owns(self, video: Video) -> bool:
        return video.source != "youtube"

    def transcript(self, video_id: str) -> TranscriptAnswer:
        path = self.catalog.transcript_paths.get(video_id)
        return TranscriptAnswer(path, None if path else "the catalog has no transcript for it")
