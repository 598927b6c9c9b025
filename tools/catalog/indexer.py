"""Build and update the vector index: only what changed since the last run is embedded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from memory.embedder import MiniLMEmbedder
from memory.vector_store import VectorStore
from tools.catalog.load_report import listing
from tools.catalog.store import Catalog
from tools.catalog.windows import Window
from tools.errors import TranscriptError

Progress = Callable[[int], None]


@dataclass
class IndexReport:
    videos_total: int = 0
    videos_embedded: int = 0
    videos_removed: int = 0
    transcripts_embedded: int = 0
    windows_embedded: int = 0
    skipped: list[str] = field(default_factory=list)
    """Catalog entries and transcript files left out, each with its file, line, field and reason."""
    cut: list[str] = field(default_factory=list)
    """Fields cut to their size limit while loading."""

    def summary(self) -> str:
        head = (
            f"index: {self.videos_total} videos, {self.videos_embedded} embedded, "
            f"{self.videos_removed} removed; {self.transcripts_embedded} transcripts "
            f"({self.windows_embedded} windows) embedded"
        )
        return "\n".join(part for part in (
            head, listing(self.skipped, "skipped (indexing went on without them)"),
            listing(self.cut, "cut to the size limit"),
        ) if part)


def stale_videos(catalog: Catalog, store: VectorStore) -> tuple[list[str], list[str]]:
    """(ids to embed, ids to remove) against what the store holds."""
    stored = store.video_fingerprints()
    todo = [vid for vid in catalog.videos if stored.get(vid) != catalog.fingerprint(vid)]
    gone = [vid for vid in stored if vid not in catalog.videos]
    return todo, gone


def index_videos(
    catalog: Catalog, store: VectorStore, embedder: MiniLMEmbedder | None, progress: Progress | None = None,
    batch: int = 256,
) -> IndexReport:
    """Embed what changed; with no embedding model, embed nothing and still report what loading left out."""
    report = IndexReport(videos_total=len(catalog),
                         skipped=list(catalog.load_report.skipped), cut=list(catalog.load_report.cut))
    if embedder is None:
        return report
    todo, gone = stale_videos(catalog, store)
    report.videos_removed = len(gone)
    if gone:
        store.videos.delete(ids=gone)
    for i in range(0, len(todo), batch):
        ids = todo[i : i + batch]
        embed_videos(catalog, store, embedder, ids)
        report.videos_embedded += len(ids)
        if progress:
            progress(len(ids))
    return report


def embed_videos(catalog: Catalog, store: VectorStore, embedder: MiniLMEmbedder, ids: list[str]) -> np.ndarray:
    """Embed these catalog videos and store their vectors (with the fingerprint that marks them current)."""
    videos = [catalog.get(v) for v in ids]
    texts = [v.embedding_text() for v in videos]
    vectors = embedder.embed(texts)
    metas = [{"channel": v.channel, "fingerprint": catalog.fingerprint(v.video_id)} for v in videos]
    store.upsert(store.videos, ids, vectors, metas, texts)
    return np.asarray(vectors, dtype=np.float32)


def transcript_windows(
    catalog: Catalog, store: VectorStore, embedder: MiniLMEmbedder | None, video_id: str,
    embed_missing: bool = True,
) -> tuple[list[Window], np.ndarray | None]:
    """Windows of a video's transcript and their vectors (embedded on first use if asked)."""
    windows = catalog.windows(video_id)
    if embedder is None or not windows:
        return windows, None
    fingerprint = catalog.transcript_fingerprint(video_id)
    stored = store.windows_of(video_id, fingerprint)
    if stored is not None and len(stored[0]) == len(windows):
        return windows, stored[1]
    if not embed_missing:
        return windows, None
    vectors = embedder.embed([w.text for w in windows])
    metas = [
        {"video_id": video_id, "index": w.index, "start": w.start, "end": w.end, "fingerprint": fingerprint}
        for w in windows
    ]
    store.replace_windows(video_id, metas, vectors, [w.text for w in windows])
    return windows, vectors


def transcripts_to_index(catalog: Catalog, store: VectorStore) -> list[str]:
    """Videos whose transcript has no current windows in the store."""
    return [v for v in catalog.transcript_paths
            if store.windows_of(v, catalog.transcript_fingerprint(v)) is None]


def index_transcript(catalog: Catalog, store: VectorStore, embedder: MiniLMEmbedder | None, video_id: str,
                     report: IndexReport) -> None:
    """Embed one transcript's windows (with no model, only read them); an unreadable file is reported and skipped."""
    try:
        windows, _ = transcript_windows(catalog, store, embedder, video_id)
    except TranscriptError as exc:
        report.skipped.append(str(exc))
    else:
        if embedder is None:
            return
        report.transcripts_embedded += 1
        report.windows_embedded += len(windows)


def index_transcripts(
    catalog: Catalog, store: VectorStore, embedder: MiniLMEmbedder | None, report: IndexReport,
    progress: Progress | None = None,
) -> None:
    """Embed the windows of every transcript not yet indexed; an unreadable file is reported and skipped.
    With no embedding model every transcript is read, so a broken one is still reported."""
    todo = set(catalog.transcript_paths if embedder is None else transcripts_to_index(catalog, store))
    for video_id in catalog.transcript_paths:
        if video_id in todo:
            index_transcript(catalog, store, embedder, video_id, report)
        if progress:
            progress(1)
