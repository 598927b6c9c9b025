"""Chroma's default MiniLM model, run with padding to the longest text of each batch."""

from __future__ import annotations

import logging
import os
import tarfile
from functools import cached_property
from typing import Sequence

import httpx
import numpy as np
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2
from tenacity import RetryError

log = logging.getLogger(__name__)

MODEL_FILES = ("config.json", "model.onnx", "tokenizer.json", "vocab.txt")
MAX_TOKENS = 256


class MiniLMEmbedder(ONNXMiniLM_L6_V2):
    """Same weights, tokenizer and pooling as Chroma's `DefaultEmbeddingFunction`.

    Chroma pads every text to 256 tokens; titles are ~15 tokens, so almost all of the
    work there is on padding. Here texts are sorted by length and each batch is padded
    only to its longest member, which gives the same vectors much faster.
    """

    name_for_index = "all-MiniLM-L6-v2"

    def __init__(self, batch_size: int = 32) -> None:
        super().__init__(preferred_providers=["CPUExecutionProvider"])
        self.batch_size = batch_size

    @property
    def model_dir(self) -> str:
        return os.path.join(self.DOWNLOAD_PATH, self.EXTRACTED_FOLDER_NAME)

    def is_available(self) -> bool:
        return all(os.path.exists(os.path.join(self.model_dir, f)) for f in MODEL_FILES)

    @cached_property
    def tokenizer(self):  # type: ignore[override]
        tokenizer = self.Tokenizer.from_file(os.path.join(self.model_dir, "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in the order given."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, batch: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        hidden = self.model.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
        return self._normalize(pooled).astype(np.float32)


FETCH_COMMAND = ('uv run python -c "from chromadb.utils.embedding_functions import DefaultEmbeddingFunction as D; '
                 "D()(['x'])\"")
"""One command that makes Chroma fetch its model (on a machine with internet)."""


def fetch_model(embedder: MiniLMEmbedder) -> bool:
    """Fetch the model through Chroma's own download (a progress bar, its SHA-256 checked); False
    when it cannot be had (no network, a refused or corrupted download)."""
    log.info("Embedding model all-MiniLM-L6-v2 not found in %s: fetching it (once, about 80 MB)", embedder.model_dir)
    try:
        embedder._download_model_if_not_exists()
    except (httpx.HTTPError, OSError, ValueError, tarfile.TarError, RetryError) as exc:
        log.info("fetching the embedding model failed: %s", exc)
        return False
    return embedder.is_available()


def load_embedder(fetch: bool = False) -> MiniLMEmbedder | None:
    """The embedder, fetched first where it is missing and `fetch` allows; or None, with one plain
    warning saying what is lost and how to get it."""
    embedder = MiniLMEmbedder()
    if embedder.is_available() or (fetch and fetch_model(embedder)):
        return embedder
    log.warning(
        "Embedding model all-MiniLM-L6-v2 not found in %s%s; semantic search is off and clipwise runs on "
        "lexical (BM25) matching only: videos must share your words to be found, and clips are placed by "
        "words alone. To turn it on, run once with internet: %s",
        embedder.model_dir, " and it could not be fetched" if fetch else "", FETCH_COMMAND,
    )
    return None
