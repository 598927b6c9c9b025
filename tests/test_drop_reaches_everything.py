"""'Drop X' also pauses interests that stand for X (a liked video about it), says so, and undo or
adding X back restores them."""

from __future__ import annotations

from tools.ranking import Request, recommend
from tools.steering import add_interest, drop_topic, like_video, undo


def active(lib, user) -> set[str]:
    return {i.text for i in lib.users.interests(user, "active")}


def test_dropping_a_topic_pauses_the_liked_video_about_it_and_says_so(lib, user):
    add_interest(lib, user, "linear algebra", "I like linear algebra")
    like_video(lib, user, "demo-crypt2", "more like #2")
    liked = lib.catalog.get("demo-crypt2").title.lower()
    assert liked in active(lib, user)

    reply = drop_topic(lib, user, "crypto", "drop crypto")

    assert f"also paused: 'liked: {liked}' (about crypto)" in reply
    assert active(lib, user) == {"linear algebra"}
    shown = recommend(lib, Request(user=user, k=10)).items
    assert not [i for i in shown if i.video_id.startswith("demo-crypt")]


def test_undo_brings_the_paused_interest_back(lib, user):
    like_video(lib, user, "demo-crypt2", "more like #2")
    drop_topic(lib, user, "crypto", "drop crypto")

    undo(lib, user)

    assert lib.catalog.get("demo-crypt2").title.lower() in active(lib, user)
    assert "crypto" not in active(lib, user)


def test_adding_the_topic_back_resumes_what_was_paused_with_it(lib, user):
    like_video(lib, user, "demo-crypt2", "more like #2")
    drop_topic(lib, user, "crypto", "drop crypto")

    reply = add_interest(lib, user, "crypto", "actually, crypto again")

    liked = lib.catalog.get("demo-crypt2").title.lower()
    assert "resumed too" in reply and liked in reply
    assert {"crypto", liked} <= active(lib, user)


def test_interests_about_something_else_are_left_alone(lib, user):
    like_video(lib, user, "demo-astro2", "more like #1")
    add_interest(lib, user, "guitar", "I play guitar")

    reply = drop_topic(lib, user, "crypto", "drop crypto")

    assert "also paused" not in reply
    assert {"guitar", lib.catalog.get("demo-astro2").title.lower()} <= active(lib, user)
