"""Closing clipwise and opening it again on the same data dir loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import LINEAR_ALGEBRA, ids, library_with_store

from agent.session import Session
from tools.catalog.store import load_catalog
from tools.library import Library, open_library


def reopen(demo_index: Library, data_dir: Path) -> Session:
    """A new process on the same data dir: its own connection to memory.sqlite and threads.sqlite."""
    return Session(library_with_store(demo_index, data_dir / "memory.sqlite"), data_dir)


def test_memory_and_last_list_survive_a_restart(demo_index, data_dir, user):
    before = reopen(demo_index, data_dir)
    shown_before = ids(before.ask("I want to learn linear algebra", user=user))
    before.ask("add astronomy", user=user)
    before.ask("drop crypto", user=user)
    before.ask("block Coin Signal", user=user)
    before.close()

    after = reopen(demo_index, data_dir)
    try:
        memory = after.ask("show my interests", user=user).reply
        assert "linear algebra" in memory and "I want to learn linear algebra" in memory
        assert "astronomy" in memory
        dropped = memory[memory.index("Dropped topics:"):memory.index("Blocked channels:")]
        assert "crypto" in dropped and "astronomy" not in dropped
        assert "Coin Signal" in memory[memory.index("Blocked channels:"):]

        why = after.ask("why #1?", user=user)
        assert why.explanation["video_id"] == shown_before[0]
        assert why.explanation["matched_interest"]["evidence"][0]["quote"] == "I want to learn linear algebra"
        assert [s["video_id"] for s in after.shown(user=user)] == shown_before
    finally:
        after.close()


def test_seen_record_and_filters_hold_after_a_restart(demo_index, data_dir, user):
    before = reopen(demo_index, data_dir)
    first = ids(before.ask("I want to learn linear algebra", user=user))
    before.ask("drop crypto", user=user)
    before.ask("no more from the channel of #1", user=user)  # Vector Lane
    before.close()

    after = reopen(demo_index, data_dir)
    try:
        later = ids(after.ask("videos about linear algebra", user=user))
        later += ids(after.ask("videos about proof of work and bitcoin", user=user))
        later += ids(after.ask("recommend something", user=user))
        assert later
        assert not set(later) & set(first)
        assert not [v for v in later if demo_index.catalog.get(v).channel == "Vector Lane"]
        assert not [v for v in later if v.startswith("demo-crypt")]
    finally:
        after.close()


def test_undo_after_a_restart_reverts_the_change_made_before_it(demo_index, data_dir, user):
    before = reopen(demo_index, data_dir)
    before.ask("block Vector Lane", user=user)
    before.close()

    after = reopen(demo_index, data_dir)
    try:
        assert "Vector Lane" in after.ask("undo", user=user).reply
        assert after.lib.users.rules(user).blocked_channels == ()
    finally:
        after.close()


@pytest.mark.slow
def test_full_reopen_of_the_data_dir_with_open_library(data_dir, user):
    """Library, index and memory all opened from disk again, as `clipwise chat` does on start."""
    first = Session(open_library(load_catalog(), data_dir), data_dir)
    shown = ids(first.ask("I want to learn linear algebra", user=user))
    first.ask("not interested in #1", user=user)
    first.close()

    second = Session(open_library(load_catalog(), data_dir), data_dir)
    try:
        assert second.ask("why #2", user=user).explanation["video_id"] == shown[1]
        again = ids(second.ask("videos about linear algebra", user=user))
        assert not set(again) & set(shown)
        assert set(shown[:5]) == LINEAR_ALGEBRA
        assert shown[0] in second.lib.users.rules(user).hidden_videos
    finally:
        second.close()
