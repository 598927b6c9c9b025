"""The request parser's parts on phrasings of our own (not the paraphrase set): limits, dates, items,
channel names, clauses, and whole messages read against the demo catalog."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.understand.channels import ChannelIndex
from agent.understand.clauses import split_clauses
from agent.understand.item_refs import BIGGEST, item_numbers
from agent.understand.length_and_date import find_limits
from agent.understand.shared import catalog_words, parser_for

TODAY = dt.date(2026, 3, 10)


def limit(text: str, default_max: bool = False):
    found = find_limits(text, TODAY, default_max)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, minutes", [
    ("keep it below 7 minutes", 7), ("twenty minutes tops", 20), ("at most an hour", 60),
    ("no longer than 1.5 hours", 90), ("<=12 mins", 12), ("under three quarters", None),
])
def test_upper_length_limits_in_words(text, minutes):
    found = find_limits(text, TODAY)
    if minutes is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].max_minutes == minutes and found[0].min_minutes is None


@pytest.mark.parametrize("text, minutes", [("40 minutes or longer", 40), ("a minimum of 2 hours", 120),
                                           ("nothing shorter than ten minutes", 10)])
def test_lower_length_limits_in_words(text, minutes):
    assert limit(text).min_minutes == minutes and limit(text).max_minutes is None


def test_words_that_end_like_units_are_not_amounts():
    assert find_limits("quick ones only", TODAY, default_max=True) == []
    assert find_limits("the tens digit", TODAY, default_max=True) == []
    assert limit("5m max").max_minutes == 5


def test_a_bare_amount_is_a_limit_only_where_the_clause_is_about_length():
    assert find_limits("give me 5 minutes of calm", TODAY) == []
    assert limit("I've got 25 minutes", default_max=True).max_minutes == 25


@pytest.mark.parametrize("text, since", [
    ("since 2017", dt.date(2017, 1, 1)), ("from 2020 onwards", dt.date(2020, 1, 1)),
    ("uploaded in the past 2 weeks", dt.date(2026, 2, 24)), ("only this month", dt.date(2026, 3, 1)),
    ("published after 5 January 2024", dt.date(2024, 1, 5)), ("newer than 2025-11-30", dt.date(2025, 11, 30)),
])
def test_dates_in_words(text, since):
    assert limit(text).published_after == since


@pytest.mark.parametrize("text, why", [
    ("since 2024-13-45", "no month 13"), ("since 0000", "0000"), ("after February 29 2025", "February 29"),
    ("from 2031 on", "future"),
])
def test_impossible_dates_say_what_is_wrong(text, why):
    found = limit(text)
    assert found.published_after is None and why in found.bad_date


def test_a_year_inside_a_topic_is_not_a_limit():
    assert find_limits("the 2018 world cup final", TODAY) == []
    assert find_limits("saw #5 last week", TODAY) == []


@pytest.mark.parametrize("text, items", [
    ("the fourth one", [4]), ("#7 and #9", [7, 9]), ("the last three", [8, 9, 10]), ("top two", [1, 2]),
    ("number six", [6]), ("2, 5 or 8", [2, 5, 8]), ("the very last video", [10]),
])
def test_items_by_number_and_word(text, items):
    assert item_numbers(text, 10) == items


def test_an_absurd_item_number_is_capped_not_parsed_further():
    assert item_numbers("#99999999999999999999", 10) == [BIGGEST]


CHANNELS = ChannelIndex(["3Blue1Brown", "The Late Show with Stephen Colbert", "Veritasium", "Bon Appétit",
                         "Kurzgesagt – In a Nutshell", "Numberphile", "Numberphile2"])


@pytest.mark.parametrize("typed, name", [
    ("3b1b", "3Blue1Brown"), ("the late show", "The Late Show with Stephen Colbert"), ("colbert",
     "The Late Show with Stephen Colbert"), ("VERITASIUM", "Veritasium"), ("veritasim", "Veritasium"),
    ("the kurzgesagt channel", "Kurzgesagt – In a Nutshell"),
])
def test_channel_names_as_people_type_them(typed, name):
    assert CHANNELS.candidates(typed) == [name]


def test_a_common_word_is_not_a_channel_and_an_ambiguous_name_lists_both():
    assert CHANNELS.candidates("cooking") == []
    assert CHANNELS.exact("numberphile") == "Numberphile"
    assert set(CHANNELS.candidates("numberphil")) >= {"Numberphile"}


@pytest.mark.parametrize("text, clauses", [
    ("knitting and crochet", ["knitting and crochet"]),
    ("drop golf and block Numberphile", ["drop golf", "block Numberphile"]),
    ("forget tennis, squash and padel", ["forget tennis and squash and padel"]),
    ("hide 3, 4 and 7", ["hide 3, 4 and 7"]),
    ("more like #2 but shorter please", ["more like #2", "shorter please"]),
])
def test_messages_split_into_requests(text, clauses):
    assert split_clauses(text) == clauses


@pytest.fixture
def read(lib):
    words, parser = catalog_words(lib), parser_for(lib)
    shown = [{"video_id": v.video_id, "channel": v.channel, "duration_s": v.duration_s}
             for v in list(lib.catalog.videos.values())[:10]]

    def parse(text: str, **context):
        return parser.parse(text, words.context(TODAY, context.pop("shown", shown), **context))

    return parse


def kinds(reading) -> list[str]:
    return [a.intent for a in reading.actions]


def test_a_request_a_limit_and_a_refused_channel_in_one_message(read):
    reading = read("woodworking joints, nothing over 12 minutes, and not from Hype Machine Daily")

    assert sorted(kinds(reading)) == ["block_channel", "recommend", "set_limits"]
    by = {a.intent: a for a in reading.actions}
    assert by["recommend"].topics == ("woodworking joints",)
    assert by["set_limits"].max_minutes == 12
    assert by["block_channel"].channel == "Hype Machine Daily"


def test_refusing_a_channel_without_the_word_block(read):
    for said in ("I've had enough of hype machine daily", "nothing by Hype Machine Daily anymore"):
        reading = read(said)
        assert [(a.intent, a.channel) for a in reading.actions] == [("block_channel", "Hype Machine Daily")], said


def test_less_is_soft_and_drop_is_hard(read):
    assert [(a.intent, a.topics) for a in read("a bit less astronomy for a while").actions] == [
        ("less", ("astronomy",))]
    assert [(a.intent, a.topics) for a in read("never again astronomy").actions] == [("drop", ("astronomy",))]


def test_shorter_takes_its_number_from_the_list_on_screen(read):
    shown = [{"video_id": f"v{i}", "channel": "c", "duration_s": 600} for i in range(5)]
    reading = read("could these be shorter?", shown=shown)

    assert [(a.intent, a.max_minutes) for a in reading.actions] == [("set_limits", 7.0)]


def test_misspelt_topics_are_corrected_to_the_catalogs_words(read):
    reading = read("astronmy")

    assert [(a.intent, a.topics) for a in reading.actions] == [("recommend", ("astronomy",))]


def test_steering_words_never_become_topics(read):
    for said in ("could they be a bit shorter", "something similar to the top one", "add chess back"):
        topics = [t for a in read(said).actions for t in a.topics]
        assert not any(w in t for t in topics for w in ("shorter", "similar", "back", "top one")), (said, topics)


def test_a_channel_whose_name_holds_a_number_is_not_an_item(read):
    assert [(a.intent, a.channel, a.items) for a in read("block Theory in Ten").actions] == [
        ("block_channel", "Theory in Ten", ())]
    assert [(a.intent, a.channel, a.items) for a in read("block the channel of #10").actions] == [
        ("block_channel", None, (10,))]
