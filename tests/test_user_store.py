"""User memory in SQLite: interests with evidence, rules, undo, atomic changes, persistence."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from memory.user_store import Evidence, UserStore

ALICE, BOB = "alice", "bob"


@pytest.fixture
def store(data_dir):
    s = UserStore(data_dir / "memory.sqlite")
    yield s
    s.close()


def said(quote: str, source: str = "chat", ref: str | None = None) -> Evidence:
    return Evidence(source, quote, "2025-01-02T03:04:05+00:00", ref)


def add(store: UserStore, user: str, topic: str, quote: str, status: str = "active", weight: float = 1.0) -> None:
    with store.change(user, f"{status} '{topic}'") as db:
        store.upsert_interest(db, user, topic, said(quote), weight=weight, status=status)


def dump(store: UserStore, user: str) -> dict[str, list[tuple]]:
    """Every undoable row of the user, as plain tuples in a stable order."""
    q = {
        "interests": "SELECT * FROM interests WHERE user = ? ORDER BY id",
        "evidence": "SELECT e.* FROM evidence e JOIN interests i ON i.id = e.interest_id WHERE i.user = ? ORDER BY e.id",
        "rules": "SELECT * FROM rules WHERE user = ? ORDER BY kind, value",
        "feedback": "SELECT * FROM feedback WHERE user = ? ORDER BY video_id, kind",
    }
    return {t: [tuple(r) for r in store.db.execute(sql, (user,))] for t, sql in q.items()}


def test_interest_keeps_every_piece_of_evidence_in_order(store):
    add(store, ALICE, "Linear  Algebra", "I want to learn linear algebra")
    add(store, ALICE, "linear algebra", "more linear algebra please")

    [interest] = store.interests(ALICE)
    assert interest.text == "linear algebra" and interest.status == "active"
    assert [e.quote for e in interest.evidence] == ["I want to learn linear algebra", "more linear algebra please"]
    assert all(e.source == "chat" for e in interest.evidence)
    assert store.find_interest(ALICE, "LINEAR ALGEBRA.") == interest


def test_users_do_not_see_each_others_memory(store):
    add(store, ALICE, "chess", "I'm into chess")
    with store.change(ALICE, "block") as db:
        store.set_rule(db, ALICE, "block_channel", "Coin Signal")

    assert store.interests(BOB) == []
    assert store.rules(BOB).blocked_channels == ()


def test_drop_then_add_back_keeps_one_interest_with_all_evidence(store):
    add(store, ALICE, "crypto", "I like crypto")
    add(store, ALICE, "crypto", "drop crypto", status="dropped")

    assert [i.text for i in store.interests(ALICE, status="dropped")] == ["crypto"]
    assert store.interests(ALICE, status="active") == []

    add(store, ALICE, "crypto", "add crypto")

    [interest] = store.interests(ALICE)
    assert interest.status == "active"
    assert [e.quote for e in interest.evidence] == ["I like crypto", "drop crypto", "add crypto"]


def test_a_new_limit_replaces_the_old_one_and_channel_blocks_add_up(store):
    with store.change(ALICE, "limits") as db:
        store.set_rule(db, ALICE, "max_duration_s", "1200")
        store.set_rule(db, ALICE, "published_after", "2024-01-01")
    with store.change(ALICE, "limits again") as db:
        store.set_rule(db, ALICE, "max_duration_s", "600")
        store.set_rule(db, ALICE, "block_channel", "Coin Signal")
        store.set_rule(db, ALICE, "block_channel", "Ledger Explained")
        store.set_rule(db, ALICE, "block_channel", "Coin Signal")

    rules = store.rules(ALICE)
    assert rules.max_duration_s == 600
    assert rules.published_after == dt.date(2024, 1, 1)
    assert rules.min_duration_s is None
    assert rules.blocked_channels == ("Coin Signal", "Ledger Explained")


def test_remove_rule_reports_what_it_removed(store):
    with store.change(ALICE, "block") as db:
        store.set_rule(db, ALICE, "block_channel", "Coin Signal")
    with store.change(ALICE, "unblock") as db:
        assert store.remove_rule(db, ALICE, "block_channel", "Nobody") == 0
        assert store.remove_rule(db, ALICE, "block_channel", "Coin Signal") == 1

    assert store.rules(ALICE).blocked_channels == ()


def test_not_interested_feedback_hides_the_video(store):
    with store.change(ALICE, "hide") as db:
        store.add_feedback(db, ALICE, "demo-crypt1", "not_interested")
        store.add_feedback(db, ALICE, "demo-linal1", "more_like")

    assert store.rules(ALICE).hidden_videos == {"demo-crypt1"}


def test_undo_restores_exactly_the_state_before_the_last_change(store):
    add(store, ALICE, "linear algebra", "I want to learn linear algebra")
    add(store, ALICE, "crypto", "I like crypto", weight=0.6)
    with store.change(ALICE, "rules") as db:
        store.set_rule(db, ALICE, "max_duration_s", "1200")
        store.add_feedback(db, ALICE, "demo-histo1", "not_interested")
    before = dump(store, ALICE)

    with store.change(ALICE, "a big change") as db:
        store.upsert_interest(db, ALICE, "crypto", said("drop crypto"), weight=1.0, status="dropped")
        store.upsert_interest(db, ALICE, "chess", said("I'm into chess"))
        store.delete_interest(db, store.find_interest(ALICE, "linear algebra").id)
        store.set_rule(db, ALICE, "max_duration_s", "600")
        store.set_rule(db, ALICE, "block_channel", "Vector Lane")
        store.add_feedback(db, ALICE, "demo-linal2", "not_interested")
    assert dump(store, ALICE) != before

    assert store.undo(ALICE) == "a big change"
    assert dump(store, ALICE) == before


def test_undo_steps_back_one_change_at_a_time_and_then_says_nothing_left(store):
    add(store, ALICE, "chess", "I'm into chess")
    first = dump(store, ALICE)
    add(store, ALICE, "astronomy", "add astronomy")

    assert store.undo(ALICE) == "active 'astronomy'"
    assert dump(store, ALICE) == first
    assert store.undo(ALICE) == "active 'chess'"
    assert store.interests(ALICE) == []
    assert store.undo(ALICE) is None


def test_undo_touches_only_the_users_own_memory(store):
    add(store, ALICE, "chess", "I'm into chess")
    add(store, BOB, "cooking", "I like cooking")
    bob = dump(store, BOB)

    store.undo(ALICE)

    assert store.interests(ALICE) == []
    assert dump(store, BOB) == bob


def test_a_failed_change_leaves_nothing_half_written(store):
    add(store, ALICE, "chess", "I'm into chess")
    before = dump(store, ALICE)

    with pytest.raises(RuntimeError):
        with store.change(ALICE, "doomed") as db:
            store.upsert_interest(db, ALICE, "astronomy", said("add astronomy"))
            store.upsert_interest(db, ALICE, "chess", said("drop chess"), status="dropped")
            store.set_rule(db, ALICE, "block_channel", "Vector Lane")
            raise RuntimeError("disk full, say")

    assert dump(store, ALICE) == before
    assert store.undo(ALICE) == "active 'chess'"  # the failed change left no journal entry either


def test_a_failing_statement_rolls_back_the_whole_change(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.change(ALICE, "bad status") as db:
            store.upsert_interest(db, ALICE, "astronomy", said("add astronomy"))
            store.upsert_interest(db, ALICE, "chess", said("hmm"), status="maybe")

    assert store.interests(ALICE) == []
    assert store.undo(ALICE) is None


def test_seen_record_adds_up_and_ignores_repeats(store):
    store.mark_seen(ALICE, ["a", "b"])
    store.mark_seen(ALICE, ["b", "c"])

    assert store.seen(ALICE) == {"a", "b", "c"}
    assert store.seen(BOB) == set()


def test_memory_survives_closing_and_reopening_the_file(data_dir):
    path = data_dir / "memory.sqlite"
    first = UserStore(path)
    add(first, ALICE, "linear algebra", "I want to learn linear algebra")
    add(first, ALICE, "crypto", "drop crypto", status="dropped")
    with first.change(ALICE, "rules") as db:
        first.set_rule(db, ALICE, "block_channel", "Coin Signal")
        first.set_rule(db, ALICE, "max_duration_s", "600")
        first.add_feedback(db, ALICE, "demo-histo1", "not_interested")
    first.mark_seen(ALICE, ["demo-linal1", "demo-linal2"])
    before = (first.interests(ALICE), first.rules(ALICE), first.seen(ALICE))
    first.close()

    again = UserStore(path)
    try:
        assert (again.interests(ALICE), again.rules(ALICE), again.seen(ALICE)) == before
        assert again.undo(ALICE) == "rules"  # the undo journal survives too
        assert again.rules(ALICE).blocked_channels == ()
    finally:
        again.close()
