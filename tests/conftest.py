"""Shared fixtures: an isolated home and data dir per test, one indexed demo library per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import REAL_DATA, library_with_store

from agent.session import Session
from tools.catalog.store import load_catalog
from tools.library import Library, open_library


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
    monkeypatch.setenv("CLIPWISE_FETCH_MODEL", "false")  # tests never download (tests/test_model_fetch.py serves it)
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
