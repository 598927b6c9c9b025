"""Semantic IDs: a short hierarchical code per video from its content vector (residual k-means), so
videos about the same thing share a prefix ("family")."""

from __future__ import annotations

import io
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import pairwise_distances_argmin

from memory.lexical import words
from tools.atomic_file import write_atomically

LEVELS = 3
CODES = 64
"""Codes per level. A catalog too small for them gets fewer: one code per VIDEOS_PER_CODE videos."""
VIDEOS_PER_CODE = 8
MIN_VIDEOS = 2 * VIDEOS_PER_CODE
"""Fewer videos than this (an empty YouTube-only start, a tiny catalog) get no codes: nothing to spread."""
REFIT_GROWTH = 0.2
"""New videos are assigned to the nearest codes; the codebooks are fitted again once the catalog
has grown by this share since they were fitted."""
TRANSCRIPT_SHARE = 0.5
"""A video with an indexed transcript is placed by its title and description and by its talk, half each."""
FAMILY_WORDS = 3
FILE_NAME = "semantic_ids.npz"


@dataclass(frozen=True)
class Codebooks:
    centroids: tuple[np.ndarray, ...]
    """One (codes, dim) array per level; each level quantises what the levels above left over."""
    fitted_on: int


def fit_codebooks(vectors: np.ndarray, levels: int = LEVELS, codes: int = CODES, seed: int = 0) -> Codebooks:
    """Residual k-means: level 1 clusters the vectors, each next level clusters what is left."""
    k = int(max(2, min(codes, len(vectors) // VIDEOS_PER_CODE)))
    residual = np.asarray(vectors, dtype=np.float64).copy()
    books = []
    for level in range(levels):
        km = KMeans(n_clusters=k, n_init=1, random_state=seed + level).fit(residual)
        books.append(km.cluster_centers_.astype(np.float32))
        residual -= km.cluster_centers_[km.labels_]
    return Codebooks(tuple(books), len(vectors))


def assign(vectors: np.ndarray, books: Codebooks) -> np.ndarray:
    """Each vector's code at every level, (n, levels)."""
    residual = np.asarray(vectors, dtype=np.float32).copy()
    out = []
    for centroids in books.centroids:
        idx = pairwise_distances_argmin(residual, centroids)
        out.append(idx)
        residual -= centroids[idx]
    return np.stack(out, axis=1) if out else np.zeros((len(vectors), 0), dtype=int)


def save(books: Codebooks, path: Path) -> None:
    """Write the codebooks whole or not at all."""
    buffer = io.BytesIO()
    np.savez(buffer, fitted_on=books.fitted_on, **{f"level{i}": c for i, c in enumerate(books.centroids)})
    write_atomically(path, buffer.getvalue())


def load(path: Path, dim: int) -> Codebooks | None:
    """The stored codebooks; None when there are none, or they are unreadable or for another model."""
    try:
        with np.load(path) as data:
            levels = sorted((k for k in data.files if k.startswith("level")), key=lambda k: int(k[5:]))
            books = Codebooks(tuple(np.asarray(data[k]) for k in levels), int(data["fitted_on"]))
    except (OSError, ValueError, KeyError):
        return None
    if not books.centroids or any(c.ndim != 2 or c.shape[1] != dim for c in books.centroids):
        return None
    return books


def content_vectors(matrix: np.ndarray, centroids: np.ndarray | None, has_transcript: np.ndarray) -> np.ndarray:
    """Title and description, and the talk where its windows are indexed, as one unit vector per video."""
    out = np.asarray(matrix, dtype=np.float32).copy()
    if centroids is not None and has_transcript.any():
        out[has_transcript] = (1 - TRANSCRIPT_SHARE) * out[has_transcript] + TRANSCRIPT_SHARE * centroids[has_transcript]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


class SemanticIds:
    """The catalog's codes, kept in step with it: assigned on load, refitted as it grows."""

    def __init__(self, lib, folder: Path | None):
        self.lib, self.path = lib, (folder / FILE_NAME if folder else None)
        self._lock = threading.Lock()
        self._for: int | None = None
        self.codes = np.zeros((0, LEVELS), dtype=int)
        self.books: Codebooks | None = None

    def ready(self) -> bool:
        """Whether codes exist (they need the video vectors: none without the embedding model)."""
        lib = self.lib
        if not lib.semantic or len(lib.ids) < MIN_VIDEOS:
            return False
        with self._lock:
            if self._for != len(lib.ids):
                self._build()
        return True

    def _build(self) -> None:
        lib = self.lib
        lib.related.ready()
        vectors = content_vectors(lib.matrix, lib.related.centroids, lib.related.has_transcript)
        books = self.books or (load(self.path, vectors.shape[1]) if self.path else None)
        if books is None or len(vectors) > books.fitted_on * (1 + REFIT_GROWTH):
            books = fit_codebooks(vectors)
            if self.path:
                save(books, self.path)
        self.books, self.codes, self._for = books, assign(vectors, books), len(lib.ids)
        self._words: dict[int, list[str]] = {}

    def code(self, video_id: str) -> str:
        """'12-03-40': the video's code, level 1 first."""
        return "-".join(f"{c:02d}" for c in self.codes[self.lib.row[video_id]])

    def family(self, video_id: str) -> int:
        return int(self.codes[self.lib.row[video_id], 0])

    def prefix(self, video_id: str, levels: int) -> tuple[int, ...]:
        return tuple(int(c) for c in self.codes[self.lib.row[video_id], :levels])

    def family_words(self, family: int) -> list[str]:
        """The words most titles of a family use: what the family is about, in a person's words."""
        if family not in self._words:
            counts: Counter = Counter()
            for i in np.flatnonzero(self.codes[:, 0] == family):
                title = self.lib.catalog.get(self.lib.ids[i]).title
                counts.update({w for w in words(title) if w not in ENGLISH_STOP_WORDS and len(w) > 2 and not w.isdigit()})
            self._words[family] = [w for w, _ in counts.most_common(FAMILY_WORDS)]
        return self._words[family]
