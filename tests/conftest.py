"""Shared fixtures: an isolated home and data dir per test, one indexed demo library per session."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from agent.session import Session
from tools.library import Library, open_library
from memory.user_store import UserStore
from tools.catalog.store import DEMO_DIR, load_catalog

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
LINEAR_ALGEBRA = {f"demo-linal{n}" for n in range(1, 6)}
"""The five linear-algebra videos of the demo catalog (tools/catalog/demo/README.md)."""
CRYPTO_WORDS = re.compile(r"\b(crypto|bitcoin|blockchain)\b", re.IGNORECASE)



@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and HOME; no CLIPWISE_*, OPENAI_* or YOUTUBE_* setting leaks in.

    The embedding model's folder was fixed from the real HOME when chromadb was imported
    (at collection), so moving HOME here changes where data would go, not which model is used.
    """
    for name in [n for n in os.environ if n.startswith(("CLIPWISE_", "OPENAI_", "YOUTUBE_"))]:
        monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    data = tmp_path / "clipwise-data"
    data.mkdir()
    monkeypatch.setenv("CLIPWISE_DATA_DIR", str(data))
    return data


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The demo catalog's videos embedded once per test run.

    Transcript windows are not embedded here (630 windows take ~15 s), so clips in chat
    turns are placed as a fresh chat session places them: lexically, until indexed.
    """
    root = tmp_path_factory.mktemp("demo-index")
    lib = open_library(load_catalog(), root)
    yield lib
    lib.users.close()


def library_with_store(base: Library, memory_file: Path) -> Library:
    """The base library's catalog and vectors with its own user memory (a 'process' of its own)."""
    return Library(base.catalog, base.vectors, UserStore(memory_file), base.embedder, matrix=base.matrix)


@pytest.fixture
def lib(demo_index: Library, data_dir: Path) -> Library:
    """The shared demo index with a fresh UserStore in this test's data dir."""
    library = library_with_store(demo_index, data_dir / "memory.sqlite")
    yield library
    library.users.close()


@pytest.fixture
def user(request: pytest.FixtureRequest) -> str:
    """A user name no other test uses (the demo vectors, interests included, are shared)."""
    return request.node.nodeid


@pytest.fixture
def make_session(lib: Library, data_dir: Path):
    """Sessions on this test's data dir (own threads.sqlite); closed at the end of the test."""
    made: list[Session] = []

    def make(k: int = 10) -> Session:
        made.append(Session(lib, data_dir, k=k))
        return made[-1]

    yield make
    for s in made:
        s.close()


@pytest.fixture
def session(make_session) -> Session:
    return make_session()


@pytest.fixture
def chat(session: Session, user: str):
    """Say one thing to the default session as this test's user; returns the TurnResult."""
    return lambda text: session.ask(text, user=user)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real-data folder beside the repo, or a skip saying where it was looked for."""
    needed = ("catalog.jsonl", "groups.jsonl", "transcripts")
    missing = [n for n in needed if not (REAL_DATA / n).exists()]
    if missing:
        pytest.skip(f"real data not found at {REAL_DATA}: missing {', '.join(missing)}")
    return REAL_DATA


@pytest.fixture(scope="session")
def real_index_dir(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose index holds the real catalog, built once per run (minutes, not seconds)."""
    root = tmp_path_factory.mktemp("real-index")
    lib = open_library(load_catalog(real_data / "catalog.jsonl", real_data / "transcripts"), root)
    lib.users.close()
    return root


# -- helpers the test modules share ---------------------------------------------------

def ids(turn) -> list[str]:
    return [r["video_id"] for r in turn.results]


def transcript_segments(video_id: str, folder: Path = DEMO_DIR / "transcripts") -> list[dict]:
    """The transcript file as written on disk, read without the product's reader."""
    return json.loads((folder / f"{video_id}.json").read_text(encoding="utf-8"))


def quote_is_in_transcript(segments: list[dict], quote: str, at: float, slack: float = 1.0) -> bool:
    """The quote is a verbatim piece of a segment that starts within `slack` s of `at`."""
    near = [s for s in segments if abs(s["start"] - at) <= slack]
    return bool(quote) and any(quote in " ".join(s["text"].split()) for s in near)
