"""Talking naturally on the demo catalog: soft 'less', watched items, clarifying questions, small talk,
impossible dates, and steering words that never become interests or evidence."""

from __future__ import annotations

from agent.prompts import HELP
from helpers import MIDDLING_NEEDS_MODEL, ids


def active(lib, user) -> set[str]:
    return {i.text for i in lib.users.interests(user, "active")}


def test_less_keeps_the_interest_and_ranks_it_lower(chat, lib, user):
    chat("astronomy and chess")
    before = chat("recommend something")
    astro_before = sum(i.startswith("demo-astro") for i in ids(before)[:5])

    turn = chat("a bit less astronomy please")

    assert "less of 'astronomy'" in turn.reply and "dropped" not in turn.reply
    assert active(lib, user) >= {"astronomy", "chess"}
    after = chat("recommend something")
    assert sum(i.startswith("demo-astro") for i in ids(after)[:5]) < astro_before or astro_before == 0
    assert "Showing less of: astronomy" in chat("what do you know about me?").reply


def test_more_of_it_again_undoes_less(chat, lib, user):
    chat("astronomy")
    chat("less astronomy")

    turn = chat("add astronomy back")

    assert "back to full weight" in turn.reply
    assert lib.users.rules(user).less_topics == ()


def test_already_watched_items_are_marked_and_never_shown_again(chat, lib, user):
    first = ids(chat("astronomy"))

    turn = chat("already watched 2 and 3")

    assert "marked as watched" in turn.reply
    later = [v for _ in range(3) for v in ids(chat("more astronomy"))]
    assert first[1] not in later and first[2] not in later


def test_add_back_reactivates_a_dropped_topic_and_drop_words_are_no_evidence(chat, lib, user):
    chat("chess")
    chat("I'm done with chess")
    assert "chess" not in active(lib, user)

    turn = chat("ok, add chess back")

    assert "'chess' is back" in turn.reply and "chess" in active(lib, user)
    chat("recommend something")
    why = chat("why #1?").reply
    assert "done with" not in why


def applied(lib, user, reading: str, turn) -> bool:
    """Whether memory (or the list) shows that the chosen reading of 'chess maybe not' was carried out."""
    if "show less of" in reading:
        return lib.users.rules(user).less_topics == ("chess",)
    if "hide everything" in reading:
        return lib.users.find_interest(user, "chess").status == "dropped"
    return bool(turn.results) and "chess" in active(lib, user)


@MIDDLING_NEEDS_MODEL
def test_a_middling_reading_asks_and_the_answer_acts(chat, lib, user):
    asked = chat("chess maybe not")

    assert "Did you mean 1)" in asked.reply and asked.results == [] and len(asked.choices) == 2
    assert lib.users.interests(user) == [] and lib.users.rules(user).less_topics == ()
    picked = chat("2")
    assert applied(lib, user, asked.choices[1], picked)
    assert not applied(lib, user, asked.choices[0], picked)


@MIDDLING_NEEDS_MODEL
def test_no_to_a_question_changes_nothing_and_the_question_is_not_kept(chat, lib, user):
    chat("chess maybe not")

    assert "left everything as it was" in chat("no").reply
    assert active(lib, user) == set() and lib.users.rules(user).less_topics == ()
    chat("1")  # the question was answered: '1' no longer picks its first reading
    assert lib.users.rules(user).less_topics == () and "chess" not in active(lib, user)


def test_small_talk_gets_an_answer_not_the_help_text(chat, lib, user):
    for said in ("hey there!", "thanks, that was great", "what's the capital of peru?"):
        reply = chat(said).reply
        assert HELP.strip() not in reply and "didn't understand" not in reply, said
    assert active(lib, user) == set()


def test_questions_about_memory_and_about_an_item_by_position(chat):
    chat("I want to learn astronomy")

    assert "astronomy" in chat("what have you learned about me so far?").reply
    turn = chat("how come you suggested the top one?")
    assert turn.explanation is not None and turn.explanation["item"] == 1


def test_impossible_dates_and_numbers_are_answered_plainly(chat, lib, user):
    chat("astronomy")
    for said, words in (("only since 2024-13-45", "no month 13"), ("since 0000", "0000"),
                        ("more like #99999999999999999999", "no #99999999999999999999")):
        reply = chat(said).reply
        assert words in reply and "Traceback" not in reply, said
    assert lib.users.rules(user).published_after is None


def test_forget_the_time_cap_clears_only_the_length(chat, lib, user):
    chat("nothing over 10 minutes, only from the last 2 years")

    turn = chat("forget about the time cap")

    rules = lib.users.rules(user)
    assert "cleared" in turn.reply and rules.max_duration_s is None and rules.published_after is not None


@MIDDLING_NEEDS_MODEL
def test_the_clear_part_of_a_message_is_done_and_the_unclear_part_asked_about(chat, lib, user):
    turn = chat("nothing over 20 minutes, chess maybe not")

    assert lib.users.rules(user).max_duration_s == 1200
    assert "nothing over 20:00" in turn.reply
    assert turn.reply.rstrip().endswith("Answer 1 or 2 (or say it another way).")
    assert 'About "chess maybe not"' in turn.reply and lib.users.find_interest(user, "chess") is None
    answered = chat("1")
    assert applied(lib, user, turn.choices[0], answered)


def test_an_overlong_message_is_refused_plainly_and_changes_nothing(chat, lib, user):
    turn = chat("drop chess " + "and more words " * 2000)

    assert "characters long" in turn.reply and "4,000" in turn.reply
    assert turn.results == [] and lib.users.interests(user) == []
