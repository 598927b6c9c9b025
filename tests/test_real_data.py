"""On the real catalog (../shared/data/real): retrieval against a human grouping, and a drop that holds.

Building this index embeds 3,210 videos (minutes, not seconds), so it is built once per run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ids, library_with_store, quote_is_in_transcript, transcript_segments

from agent.session import Session
from tools.catalog.store import load_catalog
from tools.library import Library, open_library

pytestmark = pytest.mark.slow

SERIES = "3Blue1Brown topic: Linear Algebra"


@pytest.fixture(scope="module")
def real_index(real_data: Path, real_index_dir: Path) -> Library:
    lib = open_library(load_catalog(real_data / "catalog.jsonl", real_data / "transcripts"), real_index_dir)
    yield lib
    lib.users.close()


@pytest.fixture(scope="module")
def series(real_data: Path) -> set[str]:
    groups = [json.loads(line) for line in (real_data / "groups.jsonl").read_text(encoding="utf-8").splitlines()]
    return set(next(g for g in groups if g["group"] == SERIES)["video_ids"])


@pytest.fixture
def real_session(real_index, data_dir):
    s = Session(library_with_store(real_index, data_dir / "memory.sqlite"), data_dir)
    yield s
    s.close()


def test_learning_linear_algebra_finds_the_series(real_session, real_data, series, user):
    turn = real_session.ask("I want to learn linear algebra", user=user)

    top = ids(turn)[:10]
    assert len(set(top) & series) >= 6, [r["title"] for r in turn.results]

    with_transcript = next(n for n, r in enumerate(turn.results, start=1) if r["clip"])
    exp = real_session.ask(f"why #{with_transcript}?", user=user).explanation
    segments = transcript_segments(exp["video_id"], real_data / "transcripts")
    assert quote_is_in_transcript(segments, exp["quote"]["text"], exp["quote"]["start"])


def test_dropped_series_does_not_come_back(real_session, series, user):
    real_session.ask("I want to learn linear algebra", user=user)
    real_session.ask("drop linear algebra", user=user)

    later = ids(real_session.ask("recommend something", user=user))
    later += ids(real_session.ask("recommend something", user=user))

    assert len(later) == 20
    assert not set(later) & series


def test_drop_holds_even_when_another_interest_pulls_towards_the_series(real_index, data_dir, series, user):
    """'vectors and matrices' alone brings the series back; the drop is what keeps it out."""
    s = Session(library_with_store(real_index, data_dir / "memory.sqlite"), data_dir)
    try:
        def later_lists(who: str, drop: bool) -> list[str]:
            s.ask("I want to learn linear algebra", user=who)
            s.ask("add vectors and matrices", user=who)
            if drop:
                s.ask("drop linear algebra", user=who)
            return ids(s.ask("recommend something", user=who)) + ids(s.ask("recommend something", user=who))

        assert set(later_lists(user + "/control", drop=False)) & series
        assert not set(later_lists(user, drop=True)) & series
    finally:
        s.close()
