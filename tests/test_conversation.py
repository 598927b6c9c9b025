"""Whole turns through the graph (Session.ask) on the demo catalog, as a user would talk."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers import CRYPTO_WORDS, LINEAR_ALGEBRA, ids, quote_is_in_transcript, transcript_segments

from agent.prompts import HELP


def about_crypto(lib, video_id: str) -> bool:
    v = lib.catalog.get(video_id)
    return bool(CRYPTO_WORDS.search(" ".join([v.title, v.description, *v.tags])))


def channel_of(lib, video_id: str) -> str:
    return lib.catalog.get(video_id).channel


def test_learning_request_lists_linear_algebra_first_with_clips_and_reasons(chat, lib):
    turn = chat("I want to learn linear algebra")

    got = ids(turn)
    assert 5 <= len(got) <= 10 and len(set(got)) == len(got)
    assert set(got[:5]) == LINEAR_ALGEBRA  # every linear-algebra video outranks everything else
    assert sum(r["matched_by"] == "exploration" for r in turn.results) <= 1  # a list is for what matches
    if len(got) < 10:
        assert "found" in turn.reply and "shorter rather than padded" in turn.reply
    numbered = [line for line in turn.reply.splitlines() if re.match(r"^\d+\. ", line)]
    assert [line.split(".")[0] for line in numbered] == [str(n) for n in range(1, len(got) + 1)]
    assert lib.catalog.get(got[0]).title in numbered[0]
    for card in turn.results:
        assert card["reason"].strip()
        if card["matched_by"] == "exploration":  # a weak match says so rather than claiming a clip
            assert card["clip"] is None and card["reason"].startswith("exploration pick")
        elif lib.catalog.has_transcript(card["video_id"]):
            clip = card["clip"]
            assert 30 <= clip["end"] - clip["start"] <= 180, card["video_id"]
            assert clip["start"] - 0.1 <= clip["quote_start"] <= clip["end"]
            assert quote_is_in_transcript(transcript_segments(card["video_id"]), clip["quote"], clip["quote_start"])
        else:
            assert card["clip"] is None


def test_learning_request_remembers_the_interest_with_the_users_words(chat, lib, user):
    chat("I want to learn linear algebra")

    interest = lib.users.find_interest(user, "linear algebra")
    assert interest is not None and interest.status == "active"
    assert [e.quote for e in interest.evidence] == ["I want to learn linear algebra"]


def test_recommend_something_without_interests_still_answers(chat):
    turn = chat("recommend something")

    assert len(turn.results) == 10
    assert all(r["reason"] for r in turn.results)


def test_recommend_something_follows_stored_interests(chat):
    chat("add astronomy")

    turn = chat("recommend something")

    assert set(ids(turn)[:3]) == {"demo-astro1", "demo-astro2", "demo-astro3"}
    assert "astronomy" in turn.results[0]["reason"]


def test_add_interest_and_im_into(chat, lib, user):
    added = chat("add astronomy")
    assert "astronomy" in added.reply and added.results == []

    into = chat("I'm into chess")

    assert set(ids(into)[:2]) == {"demo-chess1", "demo-chess2"}
    texts = {i.text: [e.quote for e in i.evidence] for i in lib.users.interests(user)}
    assert texts == {"astronomy": ["add astronomy"], "chess": ["I'm into chess"]}


def test_dropped_topic_never_comes_back_over_several_turns(chat, lib):
    dropped = chat("drop crypto")
    assert "crypto" in dropped.reply

    shown: list[str] = []
    for said in ["videos about proof of work", "videos about wallets and seed phrases", "recommend something",
                 "more like #1", "I want to learn about mining and hashes", "videos about computers"]:
        turn = chat(said)
        assert len(turn.results) == 10 or "found" in turn.reply  # a short list says why
        shown += ids(turn)

    assert len(shown) >= 15
    assert [v for v in shown if about_crypto(lib, v)] == []


def test_more_like_shows_similar_videos_without_the_seed(make_session, lib, user):
    s = make_session(k=3)
    first = s.ask("I want to learn linear algebra", user=user)
    seed = ids(first)[1]

    more = s.ask("more like #2", user=user)

    got = ids(more)
    assert seed not in got
    assert not set(got) & set(ids(first))
    assert set(got[:2]) == LINEAR_ALGEBRA - set(ids(first))  # the two linear-algebra videos not shown yet
    matched = [r for r in more.results if r["matched_by"] != "exploration"]
    assert len(matched) >= 2
    assert all(lib.catalog.get(seed).title in r["reason"] for r in matched)


def test_not_interested_video_never_returns(chat, lib, user):
    first = chat("videos about astronomy")
    hidden = ids(first)[2]

    reply = chat("not interested in #3")
    assert lib.catalog.get(hidden).title in reply.reply

    lib.users.clear_seen(user)  # only the feedback may keep it out now
    shown = ids(chat("videos about astronomy")) + ids(chat("recommend something"))
    assert hidden not in shown
    assert set(ids(first)[:2]) <= set(shown)  # its neighbours do come back once unseen


def test_block_channel_by_name_removes_it(chat, lib, user):
    turn = chat("block Vector Lane")
    assert "Vector Lane" in turn.reply
    assert lib.users.rules(user).blocked_channels == ("Vector Lane",)

    shown = []
    for said in ["I want to learn calculus", "videos about linear algebra", "more like #1"]:
        shown += ids(chat(said))

    assert shown
    assert [v for v in shown if channel_of(lib, v) == "Vector Lane"] == []


def test_block_the_channel_of_an_item(chat, lib):
    first = chat("I want to learn linear algebra")
    channel = channel_of(lib, ids(first)[0])

    blocked = chat("no more from the channel of #1")
    assert channel in blocked.reply

    shown = ids(chat("I want to learn calculus")) + ids(chat("videos about gradient descent"))
    assert shown
    assert [v for v in shown if channel_of(lib, v) == channel] == []


def test_length_limit_keeps_only_videos_of_known_short_length(chat, lib):
    chat("nothing over 10 minutes")

    shown = ids(chat("videos about machine learning")) + ids(chat("recommend something"))

    assert shown
    for vid in shown:
        duration = lib.catalog.get(vid).duration_s
        assert duration is not None and duration <= 600, (vid, duration)


def test_recency_limit_keeps_only_videos_of_known_recent_date(chat, lib):
    chat("only things from the last year")
    oldest = dt.date.today() - dt.timedelta(days=365)

    shown = ids(chat("videos about machine learning")) + ids(chat("recommend something"))

    assert shown
    for vid in shown:
        published = lib.catalog.get(vid).published_at
        assert published is not None and published >= oldest, (vid, published)


def test_undo_reverts_the_last_change_only(chat, lib, user):
    chat("drop crypto")
    chat("block Vector Lane")

    turn = chat("undo")

    assert "Vector Lane" in turn.reply
    assert lib.users.rules(user).blocked_channels == ()
    assert lib.users.find_interest(user, "crypto").status == "dropped"
    assert any(channel_of(lib, v) == "Vector Lane" for v in ids(chat("I want to learn calculus")))


def test_undo_a_limit_brings_long_videos_back(chat, lib):
    chat("nothing over 10 minutes")
    chat("undo")

    shown = ids(chat("videos about history"))

    assert any((lib.catalog.get(v).duration_s or 0) > 600 for v in shown)


def test_undo_with_nothing_to_undo_says_so(chat):
    assert "nothing to undo" in chat("undo").reply


def test_show_my_interests_lists_memory_with_the_users_words(chat):
    chat("I want to learn linear algebra")
    chat("drop crypto")
    chat("block Coin Signal")
    chat("nothing over 20 minutes")

    reply = chat("show my interests").reply

    interests, dropped = reply.index("Interests:"), reply.index("Dropped topics:")
    assert "linear algebra" in reply[interests:dropped] and "I want to learn linear algebra" in reply
    assert "crypto" in reply[dropped:] and "drop crypto" in reply
    assert "Coin Signal" in reply
    assert "20:00" in reply


def test_forget_topic_deletes_it_and_its_evidence(chat, lib, user):
    chat("add astronomy")
    chat("add chess")

    turn = chat("forget astronomy")

    assert "astronomy" in turn.reply
    assert lib.users.find_interest(user, "astronomy") is None
    assert [i.text for i in lib.users.interests(user)] == ["chess"]
    assert "astronomy" not in chat("show my interests").reply


def test_forget_unknown_topic_is_a_clear_message(chat):
    reply = chat("forget knitting").reply
    assert "knitting" in reply and "Traceback" not in reply


def test_why_cites_interest_evidence_transcript_quote_and_rules(chat, lib):
    chat("drop crypto")
    chat("nothing over 30 minutes")
    shown = chat("I want to learn linear algebra")

    turn = chat("why #2?")

    exp = turn.explanation
    assert exp["video_id"] == ids(shown)[1]
    assert [e["quote"] for e in exp["matched_interest"]["evidence"]] == ["I want to learn linear algebra"]
    assert exp["matched_interest"]["text"] == "linear algebra"
    quote = exp["quote"]
    assert quote_is_in_transcript(transcript_segments(exp["video_id"]), quote["text"], quote["start"])
    assert exp["clip"]["start"] - 0.1 <= quote["start"] <= exp["clip"]["end"]
    assert "dropped topic 'crypto'" in exp["rules_applied"]
    assert any("30:00" in r for r in exp["rules_applied"])
    assert quote["text"] in turn.reply and "I want to learn linear algebra" in turn.reply
    assert turn.results == []


def test_why_past_the_end_of_the_list_is_a_clear_message(make_session, user):
    s = make_session(k=5)
    s.ask("I want to learn linear algebra", user=user)

    turn = s.ask("why #7", user=user)

    assert "#7" in turn.reply and "5" in turn.reply
    assert "Traceback" not in turn.reply and turn.explanation is None


def test_why_before_any_list_is_a_clear_message(chat):
    turn = chat("why #1?")
    assert "no list yet" in turn.reply.lower() and turn.explanation is None


@pytest.mark.parametrize("said", ["flibber jabber wocky", "asdf zxcvb", "???"])
def test_gibberish_says_so_with_examples_and_stores_nothing(chat, lib, user, said):
    turn = chat(said)

    assert "didn't understand" in turn.reply
    assert "'videos about black holes'" in turn.reply and "'help'" in turn.reply
    assert turn.results == [] and lib.users.interests(user) == []


def test_not_understood_examples_fit_the_list_on_screen(chat):
    chat("astronomy")

    turn = chat("flibber jabber wocky")

    assert "didn't understand" in turn.reply and "'more like #2'" in turn.reply and "'why #1?'" in turn.reply


def test_help_gets_the_list_of_what_it_can_do(chat):
    turn = chat("what can you do?")

    assert HELP.strip() in turn.reply
    for example in ("drop crypto", "more like #2", "why #2", "undo", "block <channel>"):
        assert example in turn.reply


def test_block_unknown_channel_is_a_clear_message_and_changes_nothing(chat, lib, user):
    turn = chat("block NoSuchChannel")

    assert "NoSuchChannel" in turn.reply and "Traceback" not in turn.reply
    assert lib.users.rules(user).blocked_channels == ()


def test_nothing_is_shown_twice_across_turns(chat, lib, user):
    shown: list[str] = []
    for said in ["I want to learn linear algebra", "more like #2", "recommend something",
                 "videos about linear algebra", "add cooking", "recommend something"]:
        turn = chat(said)
        if turn.results:
            assert len(turn.results) == 10 or "found" in turn.reply  # a short list says why
        shown += ids(turn)

    assert len(shown) >= 12  # six turns, several of them short lists that say why (shorter still by words alone)
    assert len(shown) == len(set(shown))
    assert set(shown) <= lib.users.seen(user)
