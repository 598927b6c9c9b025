"""Chroma collections: catalog videos, transcript windows and per-user interest texts, embedded in
the data dir or on a Chroma server that several app instances share."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

COSINE = {"hnsw": {"space": "cosine"}}
BATCH = 1000


def chroma_client(path: Path, url: str | None = None):
    """Chroma's `HttpClient` for a server at `url` (`chroma run`), else its embedded `PersistentClient` at `path`."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parts = urlsplit(url)
    try:
        return chromadb.HttpClient(host=parts.hostname or "localhost", ssl=parts.scheme == "https",
                                   port=parts.port or (443 if parts.scheme == "https" else 8000), settings=settings)
    except Exception as exc:  # chromadb raises ValueError / httpx errors when the server is not there
        raise ConnectionError(f"The Chroma server at {url} (CLIPWISE_CHROMA_URL) could not be reached: {exc}") from exc


class VectorStore:
    """Chroma collections (embedded in the data dir, or on the server at `url`); vectors come from our embedder."""

    def __init__(self, path: Path, catalog_name: str = "default", url: str | None = None):
        self.client = chroma_client(path, url)
        tag = hashlib.sha1(catalog_name.encode()).hexdigest()[:10]
        self.videos = self._collection(f"videos-{tag}")
        self.windows = self._collection("transcript-windows")
        self.interests = self._collection("interests")
        self._windows: dict[tuple[str, str], tuple[list[dict], np.ndarray] | None] = {}
        first = self.windows.get(where={"index": 0}, include=["metadatas"])
        self._indexed = {m["video_id"]: m["fingerprint"] for m in first["metadatas"]}
        """Which transcripts have stored windows, so a turn asks Chroma only when it will find some."""

    def _collection(self, name: str):
        return self.client.get_or_create_collection(name, embedding_function=None, configuration=COSINE)

    @staticmethod
    def upsert(collection, ids: list[str], vectors: np.ndarray, metadatas: list[dict], documents: list[str]) -> None:
        for i in range(0, len(ids), BATCH):
            collection.upsert(
                ids=ids[i : i + BATCH], embeddings=vectors[i : i + BATCH],
                metadatas=metadatas[i : i + BATCH], documents=documents[i : i + BATCH],
            )

    def video_fingerprints(self) -> dict[str, str]:
        got = self.videos.get(include=["metadatas"])
        return {i: m.get("fingerprint", "") for i, m in zip(got["ids"], got["metadatas"])}

    def video_vectors(self, ids: list[str]) -> np.ndarray:
        """Vectors of the given videos in that order; missing ones are rows of zeros."""
        out = np.zeros((len(ids), 384), dtype=np.float32)
        pos = {vid: n for n, vid in enumerate(ids)}
        for i in range(0, len(ids), BATCH):
            got = self.videos.get(ids=ids[i : i + BATCH], include=["embeddings"])
            for vid, vec in zip(got["ids"], got["embeddings"]):
                out[pos[vid]] = vec
        return out

    def nearest_videos(self, vector: np.ndarray, n: int) -> dict[str, float]:
        """Cosine similarity of the n nearest catalog videos."""
        n = min(n, self.videos.count())
        if n == 0:
            return {}
        got = self.videos.query(query_embeddings=[vector], n_results=n, include=["distances"])
        return {vid: 1.0 - d for vid, d in zip(got["ids"][0], got["distances"][0])}

    def windows_of(self, video_id: str, fingerprint: str) -> tuple[list[dict], np.ndarray] | None:
        """Stored windows of a transcript (metadata, vectors), or None if absent or stale."""
        key = (video_id, fingerprint)
        if self._indexed.get(video_id) != fingerprint:
            return None
        if key not in self._windows:
            self._windows[key] = self._read_windows(video_id, fingerprint)
        return self._windows[key]

    def _read_windows(self, video_id: str, fingerprint: str) -> tuple[list[dict], np.ndarray] | None:
        got = self.windows.get(where={"video_id": video_id}, include=["metadatas", "embeddings"])
        if not got["ids"] or any(m.get("fingerprint") != fingerprint for m in got["metadatas"]):
            return None
        order = np.argsort([m["index"] for m in got["metadatas"]])
        return [got["metadatas"][i] for i in order], np.asarray(got["embeddings"], dtype=np.float32)[order]

    def replace_windows(self, video_id: str, metadatas: list[dict], vectors: np.ndarray, texts: list[str]) -> None:
        self.windows.delete(where={"video_id": video_id})
        self._windows = {k: v for k, v in self._windows.items() if k[0] != video_id}
        ids = [f"{video_id}:{m['index']}" for m in metadatas]
        self.upsert(self.windows, ids, vectors, metadatas, texts)
        self._indexed[video_id] = metadatas[0]["fingerprint"]

    def put_interests(self, user: str, rows: list[tuple[str, str, str]], vectors: np.ndarray) -> None:
        """Store (id, text, status) interests of the user with their vectors, in one write."""
        self.interests.upsert(
            ids=[r[0] for r in rows], embeddings=vectors, documents=[r[1] for r in rows],
            metadatas=[{"user": user, "status": r[2]} for r in rows],
        )

    def user_interest_records(self, user: str) -> dict[str, tuple[str, str]]:
        """Id -> (text, status) of the user's stored interest vectors."""
        got = self.interests.get(where={"user": user}, include=["metadatas", "documents"])
        return {i: (d, m["status"]) for i, m, d in zip(got["ids"], got["metadatas"], got["documents"])}

    def delete_interests(self, ids: list[str]) -> None:
        if ids:
            self.interests.delete(ids=ids)

    def interest_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self.interests.get(ids=ids, include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def interest_records(self) -> dict[str, tuple[str, str, str]]:
        """Id -> (user, text, status) of every stored interest vector."""
        got = self.interests.get(include=["metadatas", "documents"])
        return {i: (m["user"], d, m["status"]) for i, m, d in zip(got["ids"], got["metadatas"], got["documents"])}
