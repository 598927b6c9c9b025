"""`clipwise forget` and `export`: what is named must exist, what is forgotten is gone everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_import_flow import CHESS, SOURDOUGH, watch_history
from typer.testing import CliRunner

from agent.cli.main import app
from agent.settings import Settings
from agent.sources import catalog_name
from memory.vector_store import VectorStore


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.fixture
def ana(run, tmp_path: Path) -> dict:
    """User 'ana' with sourdough and chess imported from a watch history; returns her export."""
    done = run("import", str(watch_history(tmp_path, SOURDOUGH + CHESS)), "--user", "ana")
    assert done.exit_code == 0, done.output
    return exported(run, "ana")


def said(result) -> str:
    """The output with the terminal's line wrapping undone."""
    return " ".join(result.output.split())


def exported(run, user: str) -> dict:
    result = run("export", "--user", user)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def evidence_ids(export: dict) -> list[int]:
    return [e["id"] for i in export["interests"] for e in i["evidence"]]


def interest_vector_ids(data_dir: Path, user: str) -> list[str]:
    vectors = VectorStore(data_dir / "chroma", catalog_name=catalog_name(Settings(data_dir=data_dir)))
    return vectors.interests.get(where={"user": user}, include=[])["ids"]


def test_forgetting_an_unknown_evidence_id_fails_and_journals_nothing(run, ana):
    result = run("forget", "--user", "ana", "--evidence", "99999")

    assert result.exit_code == 1
    assert "99999" in said(result) and "nothing was forgotten" in said(result)
    assert "Traceback" not in said(result)
    after = exported(run, "ana")
    assert evidence_ids(after) == evidence_ids(ana)
    assert after["undo_history"] == ana["undo_history"]  # the next 'undo' still undoes the import


def test_one_unknown_id_among_known_ones_deletes_nothing(run, ana):
    known = evidence_ids(ana)[0]
    result = run("forget", "--user", "ana", "--evidence", str(known), "--evidence", "424242")

    assert result.exit_code == 1 and "424242" in said(result) and f"{known}," not in said(result)
    assert evidence_ids(exported(run, "ana")) == evidence_ids(ana)


def test_another_users_evidence_cannot_be_forgotten(run, ana, tmp_path):
    bob = tmp_path / "bob"
    bob.mkdir()
    assert run("import", str(watch_history(bob, CHESS)), "--user", "bob").exit_code == 0
    bobs = evidence_ids(exported(run, "bob"))

    result = run("forget", "--user", "ana", "--evidence", str(bobs[0]))

    assert result.exit_code == 1 and str(bobs[0]) in said(result)
    assert evidence_ids(exported(run, "bob")) == bobs


def test_forgetting_known_evidence_counts_what_was_deleted(run, ana):
    first = evidence_ids(ana)[0]
    result = run("forget", "--user", "ana", "--evidence", str(first), "--evidence", str(first))

    assert result.exit_code == 0, result.output
    assert "forgot 1 piece(s) of evidence" in said(result) and "undo" in said(result)
    after = exported(run, "ana")
    assert first not in evidence_ids(after) and len(evidence_ids(after)) == len(evidence_ids(ana)) - 1
    assert len(after["undo_history"]) == len(ana["undo_history"]) + 1


def test_an_unknown_source_says_which_sources_there_are(run, ana):
    result = run("forget", "--user", "ana", "--source", "nosuch")

    assert result.exit_code == 1
    assert "'nosuch'" in said(result) and "youtube_watch" in said(result)
    assert exported(run, "ana")["undo_history"] == ana["undo_history"]


def test_an_unknown_source_for_a_user_without_evidence(run):
    result = run("forget", "--user", "nobody", "--source", "x_like")

    assert result.exit_code == 1 and "'x_like'" in said(result) and "no evidence at all" in said(result)


def test_an_unknown_interest_changes_nothing(run, ana):
    first = ana["interests"][0]["text"]
    result = run("forget", "--user", "ana", "--interest", first, "--interest", "knitting")

    assert result.exit_code == 1 and "knitting" in said(result)
    assert exported(run, "ana")["interests"] == ana["interests"]


def test_forgetting_an_interest_says_undo_can_bring_it_back(run, ana):
    topic = ana["interests"][0]["text"]
    result = run("forget", "--user", "ana", "--interest", topic)

    assert result.exit_code == 0, result.output
    assert f"forgot '{topic}'" in said(result)
    assert "undo" in said(result) and "forget --all" in said(result)


def test_export_lists_the_undo_history_without_its_copies(run, ana):
    assert run("forget", "--user", "ana", "--evidence", str(evidence_ids(ana)[0])).exit_code == 0
    history = exported(run, "ana")["undo_history"]

    assert [set(entry) for entry in history] == [{"action", "at"}] * len(history)
    assert history[-1]["action"] == "forget 1 piece(s) of evidence"
    assert len(history) >= 2 and history[-1]["at"] >= history[0]["at"]


def test_forget_all_drops_the_interest_vectors_too(run, ana, data_dir):
    # A vector left from a run with the embedding model is dropped even if the model is gone now.
    store = VectorStore(data_dir / "chroma", catalog_name=catalog_name(Settings(data_dir=data_dir)))
    unit = np.ones((1, 384), dtype=np.float32) / np.sqrt(384)
    store.put_interests("ana", [("stale-interest", "origami", "active")], unit)
    store.put_interests("bob", [("someone-else", "origami", "active")], unit)
    assert "stale-interest" in interest_vector_ids(data_dir, "ana")

    result = run("forget", "--user", "ana", "--all")

    assert result.exit_code == 0, result.output
    assert "interest vector(s) dropped" in said(result)
    assert interest_vector_ids(data_dir, "ana") == []
    assert interest_vector_ids(data_dir, "bob") == ["someone-else"]
    after = exported(run, "ana")
    assert after["interests"] == [] and after["undo_history"] == []


def test_forget_all_without_any_index_creates_none(run, data_dir):
    result = run("forget", "--user", "ana", "--all")

    assert result.exit_code == 0, result.output
    assert "0 interest vector(s) dropped" in said(result)
    assert not (data_dir / "chroma").exists()
