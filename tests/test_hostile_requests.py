"""Chat input that used to crash a turn or store nonsense, and turns that fail anyway: what the person sees,
that memory is unchanged, and that the next turn in the same thread works."""

from __future__ import annotations

import asyncio

import pytest

from agent.rules.rules_controller import rules_controller
from agent.session import AsyncSession, Session
from tools.limits import limits


def memory(lib, user) -> dict:
    """What is stored about the user, the undo journal included (its timestamp aside)."""
    exported = lib.users.export(user)
    exported.pop("exported_at")
    return exported


def visible(turn) -> str:
    assert "Traceback" not in turn.reply and "Error" not in turn.reply and "(ref " not in turn.reply, turn.reply
    return turn.reply


@pytest.mark.parametrize("said, answer", [
    ("since 0000", "there is no year 0000"),
    ("since 2024-13-45", "there is no month 13 (a year has 12)"),
    ("only since 2024-02-30", "there is no February 30 in 2024"),
    ("since 1999", "YouTube began in 2005, so there are no uploads from 1999"),
    ("since 3000", "3000-01-01 is in the future"),
    ("from the last 99999999999999999999 years", "figures go up to 10,000"),
    ("in the past 0 days", "is no time at all"),
    ("from the last 40 years", "reaches back before YouTube began"),
    ("nothing over 99999999999999999999 minutes", "figures go up to 10,000"),
    ("at least 9000 hours", "longer than any video"),
    ("nothing over 0 minutes", "no time at all"),
    ("nothing over 0.0000001 minutes", "no time at all"),
    ("under -5 minutes", "a length cannot be negative"),
    ("between 30 and 5 minutes", "puts the shortest length above the longest"),
    ("at least 40 minutes and no more than 10 minutes", "leaves nothing"),
    ("more like #99999999999999999999", "There is no #99999999999999999999 in the list; the list has 10."),
    ("why is 99999999999999999999th there", "There is no #99999999999999999999 in the list; the list has 10."),
    ("mark 1, 2 and 99999999999999999999 as seen", "There is no #99999999999999999999 in the list"),
    ("block #" + "9" * 3000, "the list has 10"),
])
def test_impossible_figures_are_answered_plainly_and_change_nothing(chat, lib, user, said, answer):
    chat("astronomy")
    before = memory(lib, user)

    reply = visible(chat(said))

    assert answer in reply and "Nothing was changed" in reply or "There is no #" in reply, reply
    assert memory(lib, user) == before


def test_the_next_turn_after_an_impossible_figure_still_works(chat, lib, user):
    chat("astronomy")
    chat("more like #99999999999999999999")

    turn = chat("more like #2")

    assert len(turn.results) > 1 and "liked" in " ".join(turn.steps)


def test_a_huge_number_with_no_list_yet_says_there_is_no_list(chat):
    assert "there is no list yet" in visible(chat("more like #99999999999999999999"))


def test_a_smaller_request_number_limit_is_the_one_named(monkeypatch, chat, lib, user):
    monkeypatch.setenv("CLIPWISE_MAX_REQUEST_NUMBER", "50")
    limits.cache_clear()
    try:
        shown = len(chat("astronomy").results)
        assert f"There is no #51 in the list; the list has {shown}." in visible(chat("more like #51"))
        assert "figures go up to 50" in visible(chat("nothing over 60 minutes"))
        assert lib.users.rules(user).max_duration_s is None
    finally:
        limits.cache_clear()




class Breaks(Exception):
    """A fault no code path expects (a bug, a disk error)."""


def failing_after_first_change(state, runtime):
    """The rules controller, except that a message saying 'and explode' fails once its first tool has run:
    a turn that breaks half-way, after memory was already written."""
    said = state.messages[-1]
    if "explode" in str(said.content) and said.type == "tool":
        raise Breaks("the controller broke half-way through the turn")
    return rules_controller(state, runtime)


def unserialisable_update(state, runtime):
    """The rules controller, except that on 'overflow' it puts a number msgpack cannot hold into the state,
    so writing the checkpoint fails (as a huge '#N' once did)."""
    update = rules_controller(state, runtime)
    if "overflow" in str(state.messages[-1].content):
        update["pending"] = [{"intent": "more_like", "items": [10 ** 30]}]
    return update


@pytest.fixture
def breaking_session(lib, data_dir):
    made = []

    def make(controller):
        made.append(Session(lib, data_dir, controller=controller))
        return made[-1]

    yield make
    for s in made:
        s.close()


def test_a_message_over_the_length_limit_is_refused_unread(breaking_session, lib, user):
    s = breaking_session(rules_controller)
    s.max_message_chars = 100

    reply = s.ask("astronomy " * 20, user=user).reply

    assert "200 characters long" in reply and "up to 100" in reply and lib.users.interests(user) == []


def test_a_turn_that_breaks_half_way_shows_a_reference_and_undoes_its_changes(breaking_session, lib, user, caplog):
    s = breaking_session(failing_after_first_change)
    s.ask("astronomy", user=user)
    before = memory(lib, user)

    turn = s.ask("add knitting and gardening and explode", user=user)

    assert turn.reply.startswith("Something went wrong on our side (ref ") and "Traceback" not in turn.reply
    assert memory(lib, user) == before
    ref = turn.reply.split("(ref ")[1][:6]
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_thread_goes_on_after_a_broken_turn(breaking_session, lib, user):
    s = breaking_session(failing_after_first_change)
    s.ask("astronomy", user=user)
    s.ask("add knitting and explode", user=user)

    turn = s.ask("more like #2", user=user)

    assert len(turn.results) > 1 and "Something went wrong" not in turn.reply
    assert lib.users.find_interest(user, "knitting") is None


def test_a_state_that_cannot_be_checkpointed_fails_one_turn_not_the_thread(breaking_session, lib, user):
    s = breaking_session(unserialisable_update)
    first = s.ask("astronomy", user=user)

    broken = s.ask("overflow", user=user)
    after = s.ask("more like #3", user=user)

    assert "(ref " in broken.reply
    assert after.results and "(ref " not in after.reply
    assert s.shown(user)[0]["video_id"] == after.results[0]["video_id"] != first.results[2]["video_id"]


def test_the_first_turn_of_a_thread_can_fail_and_the_thread_starts_clean(breaking_session, user):
    s = breaking_session(unserialisable_update)

    assert "(ref " in s.ask("overflow", user=user).reply
    assert s.ask("astronomy", user=user).results


def test_a_broken_streamed_turn_ends_with_a_reference_and_the_next_one_works(lib, data_dir, user):
    async def run():
        s = await AsyncSession(lib, data_dir, controller=failing_after_first_change).start()
        try:
            await collect(s, "astronomy")
            broken = await collect(s, "add knitting and explode")
            after = await collect(s, "more like #2")
        finally:
            await s.aclose()
        return broken, after

    async def collect(s, text):
        return [event async for event in s.astream_turn(text, user=user)]

    broken, after = asyncio.run(run())

    kind, turn = broken[-1]
    assert kind == "turn" and "(ref " in turn.reply
    assert after[-1][1].results and lib.users.find_interest(user, "knitting") is None
