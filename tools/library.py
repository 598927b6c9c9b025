"""Everything a turn reads: the catalog, its vector and lexical indexes, and user memory.

`Library.change` is the one door for writing user memory: it journals the change (so it can be
undone) and, once it is committed, mirrors the user's interests into the vector store."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from memory.embedder import MiniLMEmbedder, load_embedder
from memory.lexical import LexicalIndex
from memory.user_store import UNDO_KEPT, UserStore
from memory.vector_store import VectorStore
from tools.catalog.indexer import IndexReport, embed_videos, index_videos, stale_videos
from tools.catalog.store import Catalog
from tools.catalog.video import Video
from tools.related import RelatedFeatures
from tools.related import similarity as related_similarity
from tools.semantic_ids import FILE_NAME as SEMANTIC_IDS_FILE, SemanticIds
from tools.errors import ClipwiseError
from tools.search_backend import LocalCatalog, SearchBackend, TranscriptAnswer

log = logging.getLogger(__name__)
SEMANTIC_WEIGHT = 0.7
TRANSCRIPT_FETCHES = 4
"""Transcripts fetched at once for one list (network-bound, so threads)."""


class Library:
    """Deliberately a plain class, not a dataclass: tools receive it inside their runtime, and
    pydantic walks dataclasses field by field when a tool's input is dumped, which on a large
    catalog with its transcripts loaded cost hundreds of milliseconds per tool call."""

    def __init__(self, catalog: Catalog, vectors: VectorStore, users: UserStore,
                 embedder: MiniLMEmbedder | None, matrix: np.ndarray | None = None):
        self.catalog, self.vectors, self.users, self.embedder = catalog, vectors, users, embedder
        self.matrix = matrix
        self.memo: dict = {}
        """Per-catalog results worth keeping for the process (e.g. what a dropped topic blocks)."""
        self.sources: list[SearchBackend] = [LocalCatalog(catalog)]
        """Where videos come from, local catalog first; open_library adds the others."""
        self.no_transcript: dict[str, str] = {}
        """Why a video has no transcript (captions off, request blocked...), for 'why'."""
        self.growing = threading.Lock()
        self.embed_text = lru_cache(maxsize=4096)(self._embed_text)
        self.lexical_scores = lru_cache(maxsize=1024)(self._lexical_scores)
        self.related = RelatedFeatures(self)
        """What relates each video to the others, for 'more like this'."""
        self.families = SemanticIds(self, None)
        """Each video's semantic ID; open_library keeps the codebooks in the data dir."""
        self._reindex_lexical()

    def _reindex_lexical(self) -> None:
        self.ids = list(self.catalog.videos)
        self.row = {vid: i for i, vid in enumerate(self.ids)}
        self.lexical = LexicalIndex([self.catalog.get(v).search_text() for v in self.ids])
        self.lexical_scores.cache_clear()
        self.memo.clear()

    def add_videos(self, videos: list[Video]) -> list[str]:
        """Add videos a search backend found; returns the ids that were new (embedded and indexed).

        The vectors are made first and the library changes only once they exist: a failure leaves
        it exactly as it was, so ids and matrix rows always agree."""
        with self.growing:
            new = {v.video_id: v for v in videos if v.video_id not in self.catalog.videos}
            if not new:
                return []
            added = None
            if self.embedder is not None:
                added = embed_videos(Catalog(videos=new), self.vectors, self.embedder, list(new))
            self.catalog.videos.update(new)
            self._reindex_lexical()
            if added is not None and self.matrix is not None:
                # New ids were appended last, so their rows go at the bottom of the matrix. (With no
                # matrix yet, the first run's indexing is under way: load_vectors reads these rows too.)
                self.matrix = np.vstack([self.matrix, added])
            return list(new)

    def ensure_transcripts(self, video_ids: list[str]) -> None:
        """Fetch the transcripts a backend can still get for these videos; note why any is missing."""
        # Failures are asked again: the backend remembers each for as long as it should (a blocked
        # request for an hour, captions off for days), not this process for its lifetime.
        todo = [v for v in video_ids if v not in self.catalog.transcript_paths]
        jobs = [(v, s) for v in todo for s in self.sources[1:] if s.owns(self.catalog.get(v))]
        if not jobs:
            return
        with ThreadPoolExecutor(TRANSCRIPT_FETCHES) as pool:
            answers = list(pool.map(fetch_transcript, jobs))
        for video_id, answer in answers:
            if answer.path is not None:
                self.catalog.transcript_paths[video_id] = answer.path
                self.no_transcript.pop(video_id, None)
            elif answer.reason:
                self.no_transcript[video_id] = answer.reason

    # -- writing user memory: every write goes through these --------------------------
    @contextmanager
    def change(self, user: str, action: str) -> Iterator[sqlite3.Connection]:
        """One undoable change of the user's memory (journalled, all or nothing); once it has
        committed, the interest vectors are brought in line with it."""
        with self.users.change(user, action) as db:
            yield db
        self.sync_interest_vectors(user)

    def undo(self, user: str) -> str | None:
        """Revert the user's last change; its label, or None when there was nothing to undo."""
        action = self.users.undo(user)
        self.sync_interest_vectors(user)
        return action

    def mark_seen(self, user: str, video_ids: list[str]) -> None:
        self.users.mark_seen(user, video_ids)

    def clear_seen(self, user: str) -> int:
        return self.users.clear_seen(user)

    def sync_interest_vectors(self, user: str) -> None:
        """Mirror the user's interests into Chroma so they can be looked up by meaning."""
        if not self.semantic:
            return
        interests = self.users.interests(user)
        held = self.vectors.user_interest_records(user)
        # Only what differs is written: most changes (limits, blocks, 'not interested') touch no
        # interest, and every Chroma write is a disk write that other people's turns queue behind.
        changed = [(i.id, i.text, i.status) for i in interests if held.get(i.id) != (i.text, i.status)]
        if changed:
            self.vectors.put_interests(user, changed, np.stack([self.embed_text(text) for _, text, _ in changed]))
        kept = {i.id for i in interests}
        self.vectors.delete_interests([i for i in held if i not in kept])

    def resync_interest_vectors(self) -> int:
        """Bring the interest vectors back in line with memory wherever they disagree (a crash between a
        change's commit and its vector update leaves them stale); how many users were re-synced."""
        if not self.semantic:
            return 0
        stored, held = self.users.interest_records(), self.vectors.interest_records()
        # A Chroma server may be shared by instances that each keep their own memory: the vectors
        # of a user this memory has never seen are another instance's, not stale ones.
        users = {rec[0] for rec in stored.values()} | {u for u in {rec[0] for rec in held.values()}
                                                       if self.users.has_user(u)}
        stale = sorted(u for u in users if {i: r for i, r in stored.items() if r[0] == u}
                       != {i: r for i, r in held.items() if r[0] == u})
        for user in stale:
            self.sync_interest_vectors(user)
        return len(stale)

    @property
    def semantic(self) -> bool:
        return self.embedder is not None and self.matrix is not None

    def load_vectors(self) -> None:
        """Read the catalog's vectors: from then on, search is by meaning as well as by words."""
        if self.embedder is not None:
            with self.growing:
                matrix = self.vectors.video_vectors(self.ids)
                self.memo.clear()
                self.matrix = matrix

    def _embed_text(self, text: str) -> np.ndarray | None:
        return None if self.embedder is None else self.embedder.embed([text])[0]

    def _lexical_scores(self, text: str) -> np.ndarray:
        """BM25 over the catalog scaled to [0, 1] by the best match."""
        scores = self.lexical.scores(text)
        top = float(scores.max()) if scores.size else 0.0
        return scores / top if top > 0 else scores

    def relevance(self, text: str, vector: np.ndarray | None = None) -> np.ndarray:
        """Hybrid relevance of every catalog video to a text: cosine and BM25, blended."""
        lexical = self.lexical_scores(text)
        vector = vector if vector is not None else self.embed_text(text)
        if not self.semantic or vector is None:
            return lexical
        return SEMANTIC_WEIGHT * (self.matrix @ vector) + (1 - SEMANTIC_WEIGHT) * lexical

    def similarity_to(self, video_id: str) -> np.ndarray:
        """How related every video is to one video, in [0, 1] (+1 for its next part): the fitted
        blend of tools/related.py (its semantic features are zero without the model)."""
        return related_similarity(self, video_id)


def fetch_transcript(job: tuple[str, SearchBackend]) -> tuple[str, TranscriptAnswer]:
    """One video's transcript from its backend; a backend's failure becomes a reason, never an error."""
    video_id, source = job
    try:
        return video_id, source.transcript(video_id)
    except Exception as exc:  # noqa: BLE001 - one transcript must never sink a list
        log.warning("transcript of %s from %s failed: %s", video_id, source.name, type(exc).__name__)
        return video_id, TranscriptAnswer(None, "its transcript could not be fetched")


def open_library(catalog: Catalog, data_dir: Path, build_index: bool = True,
                 sources: tuple[SearchBackend, ...] = (), undo_kept: int = UNDO_KEPT,
                 progress: Callable[[int, int], None] | None = None, fetch_model: bool = False,
                 on_usable: Callable[[Library], None] | None = None, chroma_url: str | None = None) -> Library:
    """Open memory in the data dir and bring the video index up to date with the catalog and with
    what the other sources (YouTube) found before. `progress(n, total)` is told of each batch of n
    new videos embedded out of total (the first run embeds them all). `on_usable(lib)` is handed the
    library as soon as it can answer: before that indexing, searching by words alone until it ends.
    `chroma_url`: the Chroma server holding the index (else Chroma embedded in the data dir)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for source in sources:
        catalog.videos.update({v.video_id: v for v in source.saved_videos() if v.video_id not in catalog.videos})
        catalog.transcript_paths.update(source.saved_transcripts())
    embedder = load_embedder(fetch=fetch_model)
    try:
        vectors = VectorStore(data_dir / "chroma", catalog_name=catalog.name, url=chroma_url)
    except ConnectionError as exc:
        raise ClipwiseError(str(exc)) from exc
    lib = Library(catalog, vectors, UserStore(data_dir / "memory.sqlite", undo_kept=undo_kept), embedder)
    lib.sources += list(sources)
    lib.families.path = data_dir / SEMANTIC_IDS_FILE
    answered_early = False
    if embedder is not None and build_index:
        todo, gone = stale_videos(catalog, vectors)
        if todo or gone:
            log.info("indexing %d new or changed videos", len(todo))
            if progress and todo:
                progress(0, len(todo))
            if on_usable:
                on_usable(lib)
                answered_early = True
            index_videos(catalog, vectors, embedder, (lambda n: progress(n, len(todo))) if progress else None)
    lib.load_vectors()
    resynced = lib.resync_interest_vectors()
    if resynced and answered_early:  # interests set while searching by words get their vectors now
        log.info("interest vectors of %d user(s) brought in line with memory after indexing", resynced)
    elif resynced:
        log.warning("interest vectors of %d user(s) disagreed with memory (an interrupted change?): re-synced",
                    resynced)
    return lib


def build_index(lib: Library, progress=None) -> IndexReport:
    report = index_videos(lib.catalog, lib.vectors, lib.embedder, progress)
    lib.load_vectors()
    return report


def forget_user(data_dir: Path, user: str, catalog_name: str, chroma_url: str | None = None) -> tuple[int, int]:
    """Delete everything kept about the user: memory rows (undo history included), then their
    interest vectors, whether or not the embedding model is present; returns (rows, vectors).
    Needs no catalog or model, so it works on a data dir whose index cannot be opened."""
    store = UserStore(data_dir / "memory.sqlite")
    try:
        rows = store.forget_user(user)
    finally:
        store.close()
    folder = data_dir / "chroma"
    if not chroma_url and not folder.exists():
        return rows, 0
    try:
        vectors = VectorStore(folder, catalog_name=catalog_name, url=chroma_url)
        held = list(vectors.user_interest_records(user))
        vectors.delete_interests(held)
    except Exception as exc:  # noqa: BLE001 - the SQLite memory is gone already; say what is left
        raise ClipwiseError(f"Memory deleted, but the interest vectors in {chroma_url or folder} could not be "
                            f"removed: {exc}") from exc
    return rows, len(held)
