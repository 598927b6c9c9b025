"""Plain helpers and constants the test modules share (the fixtures are in conftest.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from memory.embedder import MiniLMEmbedder
from memory.user_store import UserStore
from tools.catalog.store import DEMO_DIR
from tools.library import Library

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
LINEAR_ALGEBRA = {f"demo-linal{n}" for n in range(1, 6)}
"""The five linear-algebra videos of the demo catalog (tools/catalog/demo/README.md)."""
MODEL_ON_DISK = MiniLMEmbedder().is_available()
NEEDS_MODEL = pytest.mark.skipif(not MODEL_ON_DISK, reason=(
    "the embedding model is not on this machine (../shared/scripts/seed-chroma-model puts it there): "
    "without it clipwise searches by words alone, and this test is about search by meaning"))
MIDDLING_NEEDS_MODEL = pytest.mark.skipif(not MODEL_ON_DISK, reason=(
    "'chess maybe not' is a middling reading (asked about) for the request parser on the model's sentence "
    "vectors; on word counts alone, without the model, it is read with confidence as 'less chess'"))
CRYPTO_WORDS = re.compile(r"\b(crypto|bitcoin|blockchain)\b", re.IGNORECASE)


def library_with_store(base: Library, memory_file: Path) -> Library:
    """The base library's catalog and vectors with its own user memory (a 'process' of its own)."""
    return Library(base.catalog, base.vectors, UserStore(memory_file), base.embedder, matrix=base.matrix)


def ids(turn) -> list[str]:
    return [r["video_id"] for r in turn.results]


def transcript_segments(video_id: str, folder: Path = DEMO_DIR / "transcripts") -> list[dict]:
    """The transcript file as written on disk, read without the product's reader."""
    return json.loads((folder / f"{video_id}.json").read_text(encoding="utf-8"))


def quote_is_in_transcript(segments: list[dict], quote: str, at: float, slack: float = 1.0) -> bool:
    """The quote is a verbatim piece of a segment that starts within `slack` s of `at`."""
    near = [s for s in segments if abs(s["start"] - at) <= slack]
    return bool(quote) and any(quote in " ".join(s["text"].split()) for s in near)
