"""Everything a turn reads: the catalog, its vector and lexical indexes, and user memory."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np

from memory.embedder import MiniLMEmbedder, load_embedder
from memory.indexer import IndexReport, index_videos, stale_videos
from memory.lexical import LexicalIndex
from memory.user_store import UserStore
from memory.vector_store import VectorStore
from tools.catalog import Catalog

log = logging.getLogger(__name__)
SEMANTIC_WEIGHT = 0.7


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
        self.ids = list(self.catalog.videos)
        self.row = {vid: i for i, vid in enumerate(self.ids)}
        self.lexical = LexicalIndex([self.catalog.get(v).search_text() for v in self.ids])
        self.embed_text = lru_cache(maxsize=4096)(self._embed_text)
        self.lexical_scores = lru_cache(maxsize=1024)(self._lexical_scores)

    @property
    def semantic(self) -> bool:
        return self.embedder is not None and self.matrix is not None

    def load_vectors(self) -> None:
        if self.embedder is not None:
            self.matrix = self.vectors.video_vectors(self.ids)

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
        """Cosine of every video to one video (lexical on its title without the model)."""
        if self.semantic:
            return self.matrix @ self.matrix[self.row[video_id]]
        return self.lexical_scores(self.catalog.get(video_id).title)


def open_library(catalog: Catalog, data_dir: Path, build_index: bool = True) -> Library:
    """Open memory in the data dir and bring the video index up to date with the catalog."""
    data_dir.mkdir(parents=True, exist_ok=True)
    embedder = load_embedder()
    vectors = VectorStore(data_dir / "chroma", catalog_name=catalog.name)
    lib = Library(catalog, vectors, UserStore(data_dir / "memory.sqlite"), embedder)
    if embedder is not None and build_index:
        todo, gone = stale_videos(catalog, vectors)
        if todo or gone:
            log.info("indexing %d new or changed videos", len(todo))
            index_videos(catalog, vectors, embedder)
    lib.load_vectors()
    return lib


def build_index(lib: Library, progress=None) -> IndexReport:
    report = index_videos(lib.catalog, lib.vectors, lib.embedder, progress)
    lib.load_vectors()
    return report
