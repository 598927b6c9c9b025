"""Degraded modes: no embedding model (lexical only), and a transcript file that cannot be read."""

from __future__ import annotations

import logging
import shutil

import pytest
from helpers import LINEAR_ALGEBRA, ids, quote_is_in_transcript, transcript_segments
from typer.testing import CliRunner

from agent.cli.main import app
from agent.session import Session
from memory.embedder import MiniLMEmbedder
from memory.user_store import UserStore
from tools.catalog.store import DEMO_DIR, load_catalog
from tools.library import Library, open_library


@pytest.fixture(params=["is_available", "empty_model_dir"])
def no_model(request, monkeypatch, tmp_path):
    """The embedding model is not there: either the check says so, or its folder is empty."""
    if request.param == "is_available":
        monkeypatch.setattr(MiniLMEmbedder, "is_available", lambda self: False)
    else:
        empty = tmp_path / "no-model"
        empty.mkdir()
        monkeypatch.setattr(MiniLMEmbedder, "DOWNLOAD_PATH", str(empty))


@pytest.fixture
def lexical_session(no_model, data_dir):
    s = Session(open_library(load_catalog(), data_dir), data_dir)
    yield s
    s.close()


def test_opening_without_the_model_logs_one_plain_warning(no_model, data_dir, caplog):
    with caplog.at_level(logging.INFO):
        lib = open_library(load_catalog(), data_dir)
    lib.users.close()

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    [warning] = warnings
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    message = warning.getMessage()
    assert "all-MiniLM-L6-v2" in message and "lexical" in message
    assert lib.embedder is None and not lib.semantic


def test_recommend_works_lexically(lexical_session, user):
    turn = lexical_session.ask("I want to learn linear algebra", user=user)

    assert set(ids(turn)[:5]) == LINEAR_ALGEBRA
    for card in turn.results[:5]:
        assert card["clip"]["method"] == "lexical"
        assert 30 <= card["clip"]["end"] - card["clip"]["start"] <= 180
        assert quote_is_in_transcript(transcript_segments(card["video_id"]), card["clip"]["quote"],
                                      card["clip"]["quote_start"])


def test_drop_holds_lexically(lexical_session, user):
    assert "crypto" in lexical_session.ask("drop crypto", user=user).reply

    shown = []
    for said in ["videos about proof of work", "videos about bitcoin wallets", "recommend something"]:
        shown += ids(lexical_session.ask(said, user=user))

    assert shown
    assert not [v for v in shown if v.startswith("demo-crypt")]


def test_why_works_lexically(lexical_session, user):
    shown = lexical_session.ask("I want to learn linear algebra", user=user)

    exp = lexical_session.ask("why #1?", user=user).explanation

    assert exp["video_id"] == ids(shown)[0]
    assert exp["matched_interest"]["evidence"][0]["quote"] == "I want to learn linear algebra"
    assert quote_is_in_transcript(transcript_segments(exp["video_id"]), exp["quote"]["text"], exp["quote"]["start"])


def test_index_command_without_the_model_says_it_runs_lexically(no_model, data_dir):
    result = CliRunner().invoke(app, ["index", "--json", "--data-dir", str(data_dir)])

    assert result.exit_code == 0, result.stderr
    assert '"mode": "lexical"' in result.stdout


def test_one_unreadable_transcript_does_not_sink_the_whole_turn(demo_index, data_dir, tmp_path, user):
    """A broken transcript file costs that video its clip, not every recommendation of the turn."""
    transcripts = tmp_path / "transcripts"
    shutil.copytree(DEMO_DIR / "transcripts", transcripts)
    (transcripts / "demo-linal3.json").write_text("{not json", encoding="utf-8")
    catalog = load_catalog(DEMO_DIR / "catalog.jsonl", transcripts)
    lib = Library(catalog, demo_index.vectors, UserStore(data_dir / "memory.sqlite"), demo_index.embedder,
                  matrix=demo_index.matrix)
    s = Session(lib, data_dir)
    try:
        turn = s.ask("I want to learn linear algebra", user=user)
    finally:
        s.close()

    assert len(LINEAR_ALGEBRA & set(ids(turn))) >= 4
    assert all(r["clip"] is None for r in turn.results if r["video_id"] == "demo-linal3")
