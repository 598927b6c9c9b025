"""Long use stays small: checkpoints pruned per thread, undo kept as capped diffs, vectors re-synced at start."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers import NEEDS_MODEL

from agent.session import Session
from memory.user_store import Evidence, UserStore, now_iso
from tools.library import Library, open_library
from tools.catalog.store import load_catalog

TURNS = ["I want to learn linear algebra", "more like #2", "nothing over 20 minutes", "why #1",
         "show me cooking videos", "drop cooking", "undo", "clear limits"]


def memory_of(lib: Library, user: str) -> dict:
    """What undo must put back: interests with evidence, rules and feedback (no timestamps of export)."""
    out = lib.users.export(user)
    return {k: out[k] for k in ("interests", "rules", "feedback")}


def checkpoints(data_dir: Path, thread: str) -> int:
    with sqlite3.connect(data_dir / "threads.sqlite") as db:
        return db.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?", (thread,)).fetchone()[0]


def test_a_long_thread_keeps_only_its_newest_checkpoints_and_still_resumes(lib, data_dir, user):
    session = Session(lib, data_dir, checkpoints_kept=6)
    for n in range(5):
        for text in TURNS:
            session.ask(text, user=user)
    assert checkpoints(data_dir, f"{user}:main") <= 6
    lib.clear_seen(user)  # five rounds show every match (all of them when search is by words alone)
    listed = session.ask("I want to learn linear algebra", user=user)
    assert listed.results
    why = session.ask("why #1", user=user)
    assert listed.results[0]["title"] in why.reply
    session.close()


def test_other_threads_are_pruned_at_start_and_keep_their_last_list(lib, data_dir, user):
    roomy = Session(lib, data_dir, checkpoints_kept=1000)
    for text in TURNS * 2:
        roomy.ask(text, user=user, thread="old")
    last = roomy.ask("I want to learn linear algebra", user=user, thread="old")
    assert checkpoints(data_dir, f"{user}:old") > 20
    roomy.conn.close()
    session = Session(lib, data_dir, checkpoints_kept=4)
    assert checkpoints(data_dir, f"{user}:old") == 4
    assert [r["video_id"] for r in session.shown(user, "old")][:3] == [r["video_id"] for r in last.results][:3]
    session.close()


def test_undo_takes_back_each_of_the_last_twenty_changes_in_order(lib, user):
    states = []
    for n in range(25):
        states.append(memory_of(lib, user))
        with lib.change(user, f"change {n}") as db:
            if n % 3 == 0:
                lib.users.upsert_interest(db, user, f"topic {n}", Evidence("chat", f"I like topic {n}", now_iso()))
            elif n % 3 == 1:
                lib.users.set_rule(db, user, "block_channel", f"Channel {n}")
            else:
                lib.users.set_rule(db, user, "max_duration_s", str(60 * n))
    for n in reversed(range(5, 25)):
        assert lib.undo(user) == f"change {n}"
        assert memory_of(lib, user) == states[n]


def test_the_journal_keeps_diffs_capped_in_count(data_dir, user):
    store = UserStore(data_dir / "memory.sqlite", undo_kept=20)
    for n in range(200):  # a memory that grows: a full copy per change would grow with it
        with store.change(user, f"add {n}") as db:
            store.upsert_interest(db, user, f"topic {n}", Evidence("chat", "x" * 400, now_iso()))
    rows = store.db.execute("SELECT snapshot FROM journal WHERE user = ?", (user,)).fetchall()
    assert len(rows) == 20
    assert max(len(r[0]) for r in rows) < 2000
    store.close()


def test_undoing_a_weight_change_keeps_the_evidence_it_did_not_touch(lib, user):
    with lib.change(user, "like") as db:
        lib.users.upsert_interest(db, user, "chess", Evidence("chat", "I love chess", now_iso()))
    with lib.change(user, "like again") as db:
        lib.users.upsert_interest(db, user, "chess", Evidence("liked_video", "Chess endgames", now_iso()), weight=2.0)
    assert lib.undo(user) == "like again"
    (chess,) = lib.users.interests(user)
    assert chess.weight == 1.0
    assert [e.quote for e in chess.evidence] == ["I love chess"]


def test_an_undo_entry_written_as_a_whole_copy_still_undoes(lib, user):
    with lib.change(user, "like") as db:
        lib.users.upsert_interest(db, user, "chess", Evidence("chat", "I love chess", now_iso()))
    copy = {"interests": [], "evidence": [], "rules": [], "feedback": []}
    with lib.users.transaction() as db:
        db.execute("INSERT INTO journal (user, action, snapshot, at) VALUES (?, ?, ?, ?)",
                   (user, "old-style", json.dumps(copy), now_iso()))
    assert lib.undo(user) == "old-style"
    assert lib.users.interests(user) == []


@NEEDS_MODEL  # without the model there are no interest vectors to fall out of step
def test_vectors_left_stale_by_a_crash_are_resynced_when_the_library_opens(tmp_path, user):
    catalog = load_catalog()
    lib = open_library(catalog, tmp_path / "data")
    with lib.change(user, "like") as db:
        lib.users.upsert_interest(db, user, "sourdough baking", Evidence("chat", "I bake", now_iso()))
    # The process dies after memory committed and before the vectors followed: only memory changed.
    with lib.users.change(user, "rename") as db:
        (bread,) = lib.users.interests(user)
        lib.users.rename_interest(db, bread.id, "rock climbing")
        lib.users.upsert_interest(db, user, "chess openings", Evidence("chat", "chess", now_iso()))
    assert {r[1] for r in lib.vectors.interest_records().values() if r[0] == user} == {"sourdough baking"}
    lib.users.close()
    reopened = open_library(catalog, tmp_path / "data")
    held = {r[1] for r in reopened.vectors.interest_records().values() if r[0] == user}
    assert held == {"rock climbing", "chess openings"}
    reopened.users.close()
