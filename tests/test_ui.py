"""The web UI's pure parts (agent/web/web_views.py): escaping, cards, buttons as chat requests, the memory
panel, auth users and the chat-history schema. No browser; see test_browser.py for that."""

from __future__ import annotations

import asyncio
import json
import os
import stat

import pytest

from agent.context import Context
from helpers import MIDDLING_NEEDS_MODEL, ids

from agent.web import web_views as ui
from memory.user_store import Evidence, UserStore, normalise_topic

NASTY = "<b>Bold</b> claims about **sourdough** <script>alert(1)</script>"
"""The title of demo-cook01, written to test that titles are shown as text."""


def render(markdown: str) -> str:
    """HTML from a CommonMark renderer with raw HTML allowed: escaping must hold even then."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["strikethrough", "table"]).render(markdown)


def card(**over) -> dict:
    base = {
        "video_id": "abc123XYZ_-", "title": "Linear maps", "channel": "Vector Lane", "duration_s": 600,
        "duration": "10:00", "thumbnail_url": "https://i.ytimg.com/vi/abc123XYZ_-/hqdefault.jpg",
        "url": "https://www.youtube.com/watch?v=abc123XYZ_-&t=42s", "is_demo": False,
        "clip": {"start": 42.0, "end": 130.0, "quote": "a linear map keeps lines straight", "quote_start": 44.0},
        "reason": "matches your interest 'linear algebra'",
    }
    return {**base, **over}


# -- escaping -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    NASTY,
    "[click](javascript:alert(1)) ![x](http://evil/x.png) &lt;b&gt; `code` # heading",
    "1. not a list\n- nor this\n> nor a quote\n| a | b |\n|---|---|",
    "<img src=x onerror=alert(1)> ~~struck~~ _em_ __strong__ \\ backslash",
])
def test_untrusted_text_renders_as_the_same_text_never_as_markup(text):
    html = render(ui.escape_md(text))
    for tag in ("<b>", "<strong>", "<em>", "<script", "<img", "<a ", "<code>", "<h1>", "<ol>", "<ul>",
                "<blockquote>", "<table>", "<del>", "<s>"):
        assert tag not in html
    shown = html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    for line in text.splitlines():
        assert " ".join(line.split()) in shown


def test_a_streamed_reply_is_shown_as_text_too():
    """The LLM's reply streams in pieces; a title it repeats must not become a link or an image."""
    pieces = ["Try ", "[this](javascript:alert(1)) ", "![x](http://evil/x.png) and ", "<img src=x onerror=alert(1)>"]
    html = render("".join(ui.escape_token(p) for p in pieces))
    assert "<a " not in html and "<img" not in html
    assert "[this](javascript:alert(1))" in html.replace("&lt;", "<").replace("&gt;", ">")


def test_escaping_keeps_line_breaks_and_indentation():
    out = ui.escape_md("Why #1: x\n  That interest comes from y")
    assert out.splitlines()[1].startswith("\u00a0\u00a0That")


def test_a_card_carries_its_text_as_data_and_links_only_http():
    """Cards.jsx renders every string with React (text, never markup); the card gives it the title as
    written, and no link for a demo item."""
    c = ui.card_props(card(title=NASTY, channel="Slow Kitchen", is_demo=True, url=None, thumbnail_url=None), 1)
    assert c["title"] == NASTY and c["url"] is None and c["embed"] is None
    assert c["thumb"] == ui.PLACEHOLDER_THUMB and c["placeholder"] == ui.PLACEHOLDER_THUMB
    assert c["clip"] == {"span": "0:42–2:10", "quote": "a linear map keeps lines straight"}


def test_a_card_links_the_clip_start_and_plays_it_inline_in_youtubes_privacy_player():
    c = ui.card_props(card(published="2024-03-01"), 3)
    assert c["url"] == "https://www.youtube.com/watch?v=abc123XYZ_-&t=42s"
    assert c["meta"] == "Vector Lane · 10:00 · 2024-03-01"
    assert c["thumb"] == "https://i.ytimg.com/vi/abc123XYZ_-/hqdefault.jpg"
    assert c["embed"] == "https://www.youtube-nocookie.com/embed/abc123XYZ_-?start=42&end=130&autoplay=1&rel=0"
    assert [b["payload"]["request"] for b in c["buttons"]] == ["why #3", "more like #3", "not interested in #3",
                                                                "block the channel of #3"]
    whole = ui.card_props(card(clip=None, url="https://www.youtube.com/watch?v=abc123XYZ_-"), 1)
    assert whole["clip"] is None and "start=0&end=&" in whole["embed"]


def test_only_http_urls_become_links_or_images():
    assert ui.safe_url("javascript:alert(1)") is None
    assert ui.safe_url("data:text/html,x") is None
    assert ui.safe_url("https://x.test/a b)(") == "https://x.test/a%20b%29%28"
    assert ui.thumbnail_src(card(video_id="local-42", thumbnail_url="javascript:alert(1)")).startswith(
        ui.PLACEHOLDER_THUMB)
    assert ui.thumbnail_src(card(thumbnail_url="javascript:alert(1)")).startswith(
        "https://i.ytimg.com/vi/abc123XYZ_-/mqdefault.jpg")


def test_a_youtube_video_without_a_thumbnail_gets_youtubes_and_demo_items_the_placeholder():
    assert ui.thumbnail_src(card(video_id="dQw4w9WgXcQ", thumbnail_url=None)) == (
        "https://i.ytimg.com/vi/dQw4w9WgXcQ/mqdefault.jpg")
    assert ui.thumbnail_src(card(video_id="not a youtube id", thumbnail_url=None)).startswith(ui.PLACEHOLDER_THUMB)
    assert ui.thumbnail_src(card(video_id="dQw4w9WgXcQ", is_demo=True)).startswith(ui.PLACEHOLDER_THUMB)


def test_reply_head_drops_the_list_the_cards_show_and_says_the_trace_as_a_sentence():
    reply = "interests: added 'sourdough'\n\nsearch: 24 candidates; kept 2\n1. A — B (1:00)\n   why: x\n2. C — D (2:00)"
    results = [{"matched_by": "interest", "reason": "matches your interest 'sourdough'"}] * 2
    assert ui.reply_head(reply, results) == "interests: added 'sourdough'\n\n2 videos for your interests."
    assert ui.reply_head("rules: blocked channel 'X'", []) == "rules: blocked channel 'X'"


def test_the_list_sentence_says_what_was_left_out_and_why():
    asked = {"matched_by": "request", "reason": "matches your request 'linear algebra'; the part from 1:00 to 2:00"}
    explore = {"matched_by": "exploration", "reason": "exploration pick: little to do with what you asked"}
    trace = "search: 200 candidates; blocked channel: -3; already shown: -2; over 20 min: -4; kept 10"
    said = ui.reply_head(trace + "\nnote: 2 more match but their length is unknown\n1. x", [asked] * 9 + [explore])
    assert said == ("10 videos for “linear algebra” (1 of them is an exploration pick); 9 left out: "
                    "from channels you blocked (3), shown before (2), over 20 min (4).\n"
                    "2 more match but their length is unknown")
    like = {"matched_by": "similar video", "reason": "similar to 'Essence of calculus' (same playlist)"}
    assert ui.list_sentence("search: 50 candidates; the video itself: -1; kept 1", [like]) == (
        "1 video like “Essence of calculus”; 1 left out: the video you chose (1).")


def test_why_picture_has_the_score_parts_and_the_clip_on_the_timeline():
    exp = {"item": 2, "title": "T", "parts": {"your request": 0.5, "your interests": 0.1, "less crypto": -0.2},
           "score": 0.4, "duration_s": 600, "clip": {"start": 60.0, "end": 150.0}, "quote": {"text": "q", "start": 70.0},
           "rules_applied": ["blocked channel 'X'"], "matched_interest": None, "has_transcript": True}
    props = ui.why_props(exp)
    assert [(p["name"], p["value"]) for p in props["parts"]] == [("your request", 0.5), ("your interests", 0.1),
                                                                  ("less crypto", -0.2)]
    assert props["clip"] == {"start": 60.0, "end": 150.0, "span": "1:00–2:30"} and props["quote_at"] == 70.0
    assert props["duration_s"] == 600 and props["rules"] == ["blocked channel 'X'"]


def test_step_names_come_from_the_tool_summary():
    assert ui.step_name("search: 120 candidates; kept 10") == "search"
    assert ui.step_name("rules: blocked channel 'A: B'") == "rules"
    assert ui.step_name("something without a label") == "tool"


# -- buttons are chat requests --------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 10])
def test_card_buttons_send_the_chat_request_for_that_item(n, lib, user):
    tools = {a["name"]: a["payload"]["request"] for a in ui.card_actions(n, "vid")}
    assert tools == {"why": f"why #{n}", "more_like": f"more like #{n}",
                     "not_interested": f"not interested in #{n}", "block_channel": f"block the channel of #{n}"}
    for name, _label, _req, tool in ui.CARD_ACTIONS:
        assert ui.plans(Context(lib, user=user), tools[name], tool, item=n)


def test_a_card_of_an_earlier_list_cannot_act():
    shown = [{"video_id": "a"}, {"video_id": "b"}]
    assert ui.stale_card({"n": 2, "video_id": "b"}, shown) is None
    assert ui.stale_card({"n": 2, "video_id": "a"}, shown)
    assert ui.stale_card({"n": 3, "video_id": "c"}, shown)
    assert ui.stale_card({"n": "2", "video_id": "b"}, shown)


def test_a_resumed_thread_shows_its_lists_again_and_only_the_current_one_acts():
    listed = lambda *ids: {"cards": [{"video_id": v} for v in ids], "stale": False}  # noqa: E731
    steps = [
        {"id": "old", "metadata": json.dumps({"clipwise_list": listed("a", "b")})},  # stored as JSON text in SQLite
        {"id": "reply", "metadata": "{}"}, {"id": "why", "metadata": None},
        {"id": "new", "metadata": {"clipwise_list": listed("c", "d")}},
    ]
    restored = ui.lists_to_restore(steps, [{"video_id": "c"}, {"video_id": "d"}])
    assert [(i, p["stale"]) for i, p in restored] == [("old", True), ("new", False)]
    assert [p["stale"] for _, p in ui.lists_to_restore(steps, [{"video_id": "x"}])] == [True, True]


def test_only_the_clipwise_cookie_saying_narrow_makes_a_phone_screen():
    assert ui.narrow_screen("access_token=abc; clipwise_screen=narrow")
    assert not ui.narrow_screen("clipwise_screen=wide") and not ui.narrow_screen("")
    assert not ui.narrow_screen('bad"cookie; =;;') and not ui.narrow_screen("other_screen=narrow")


@pytest.fixture
def store(data_dir):
    s = UserStore(data_dir / "memory.sqlite")
    yield s
    s.close()


def remember(store: UserStore, user: str, topic: str, quote: str, source="chat", status="active"):
    with store.change(user, f"add '{topic}'") as db:
        store.upsert_interest(db, user, topic, Evidence(source, quote, "2025-01-02T03:04:05+00:00"), status=status)


def test_panel_shows_interests_with_their_source_and_rules_with_buttons(lib):
    store = lib.users
    remember(store, "alice", "sourdough", "videos about sourdough")
    remember(store, "alice", NASTY, "more like #1", source="liked_video")
    remember(store, "alice", "crypto", "drop crypto", status="dropped")
    with store.change("alice", "rules") as db:
        store.set_rule(db, "alice", "block_channel", "Slow Kitchen")
        store.set_rule(db, "alice", "max_duration_s", "600")
    props = ui.panel_props(lib, "alice")
    active = {i["text"]: i for i in props["active"]}
    assert set(active) == {"sourdough", normalise_topic(NASTY)}
    assert active["sourdough"]["sources"] == [{"source": "you said", "quote": "videos about sourdough",
                                               "when": "2025-01-02 03:04"}]
    assert [b["request"] for b in active["sourdough"]["buttons"]] == ["drop sourdough", "forget sourdough"]
    assert active[normalise_topic(NASTY)]["sources"][0]["source"] == "you liked a video"
    assert [b["request"] for b in props["dropped"][0]["buttons"]] == ["add crypto", "forget crypto"]
    assert props["blocked"] == [{"channel": "Slow Kitchen",
                                 "buttons": [{"label": "Unblock", "request": "unblock Slow Kitchen"}]}]
    assert props["limits"] == ["nothing over 10:00"]
    assert props["limit_buttons"] == [{"label": "Clear limits", "request": "clear limits"}]
    assert props["undo"] == [{"label": "Undo last change", "request": "undo"}]
    assert ui.panel_props(lib, "bob")["active"] == []


def test_panel_offers_no_button_whose_words_chat_would_read_as_another_change(lib):
    store = lib.users
    remember(store, "alice", "videos over 10 minutes", "x")  # "drop/forget ... over 10 minutes" read as a limit
    remember(store, "alice", "chess", "y")
    rows = {r["text"]: r for r in ui.panel_props(lib, "alice")["active"]}
    assert rows["videos over 10 minutes"]["buttons"] == []
    assert [b["label"] for b in rows["chess"]["buttons"]] == ["Drop", "Forget"]


# -- buttons through the real graph ---------------------------------------------------

def test_card_buttons_change_memory_like_the_same_words_in_chat(make_session, user, lib):
    session = make_session(k=2)  # leaves matches on other channels for the list after the block
    first = session.ask("videos about machine learning", user=user)
    assert first.results
    target = first.results[0]
    why = session.ask(ui.card_actions(1, target["video_id"])[0]["payload"]["request"], user=user)
    assert why.explanation and why.explanation["video_id"] == target["video_id"]
    block = ui.card_actions(1, target["video_id"])[3]["payload"]["request"]
    session.ask(block, user=user)
    assert lib.users.rules(user).blocked_channels == (target["channel"],)
    after = session.ask("recommend something", user=user)
    assert after.results and target["channel"] not in {r["channel"] for r in after.results}
    assert not set(ids(after)) & set(ids(first))


def test_every_panel_button_does_what_it_says(session, user, lib):
    session.ask("videos about sourdough", user=user)
    session.ask("block the channel of #1", user=user)
    session.ask("nothing over 20 minutes", user=user)

    def press(label: str, where: str, name: str | None = None) -> None:
        """Send the request of the panel button `label` (of the row named `name`) as the UI does."""
        props = ui.panel_props(lib, user)
        if where in ("undo", "limit_buttons"):
            buttons = props[where]
        else:
            buttons = [b for row in props[where] if name in (None, row.get("text"), row.get("channel"))
                       for b in row["buttons"]]
        session.ask(next(b["request"] for b in buttons if b["label"] == label), user=user)

    press("Drop", "active", "sourdough")
    assert lib.users.find_interest(user, "sourdough").status == "dropped"
    press("Add back", "dropped", "sourdough")
    assert lib.users.find_interest(user, "sourdough").status == "active"
    press("Undo last change", "undo")
    assert lib.users.find_interest(user, "sourdough").status == "dropped"
    press("Unblock", "blocked")
    assert lib.users.rules(user).blocked_channels == ()
    press("Clear limits", "limit_buttons")
    assert lib.users.rules(user).max_duration_s is None
    press("Forget", "dropped", "sourdough")
    assert lib.users.find_interest(user, "sourdough") is None


# -- auth -----------------------------------------------------------------------------

def test_auth_users_inline_or_from_a_file(tmp_path):
    assert ui.load_auth_users("alice:pw1, bob:p:w:2") == {"alice": "pw1", "bob": "p:w:2"}
    listing = tmp_path / "users.txt"
    listing.write_text("# people\nalice:pw1\n\ncarol@example.org:s3cret\n", encoding="utf-8")
    assert ui.load_auth_users(f"@{listing}") == {"alice": "pw1", "carol@example.org": "s3cret"}


@pytest.mark.parametrize("bad", ["alice", "alice:", "bad name:pw", ":pw", " , "])
def test_bad_auth_users_are_refused_without_echoing_passwords(bad):
    with pytest.raises(ValueError) as err:
        ui.parse_auth_users(bad)
    assert "pw" not in str(err.value).replace("password", "")


def test_password_check():
    users = {"alice": "pw1"}
    assert ui.check_password(users, "alice", "pw1")
    assert not ui.check_password(users, "alice", "pw2")
    assert not ui.check_password(users, "bob", "pw1")


def test_local_secret_is_made_once_and_private(tmp_path):
    first = ui.local_secret(tmp_path / "data")
    assert len(first) >= 32 and ui.local_secret(tmp_path / "data") == first
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "chainlit-auth-secret").st_mode) == 0o600


# -- chat history storage -------------------------------------------------------------

@pytest.mark.slow
def test_chainlit_sqlalchemy_data_layer_keeps_threads_in_our_sqlite_schema(tmp_path):
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
    from chainlit.types import Pagination, ThreadFilter
    from chainlit.user import User

    path = tmp_path / "chainlit.sqlite"
    ui.ensure_chainlit_schema(path)
    ui.ensure_chainlit_schema(path)  # idempotent

    async def scenario():
        layer = SQLAlchemyDataLayer(conninfo=f"sqlite+aiosqlite:///{path}")
        alice = await layer.create_user(User(identifier="alice"))
        bob = await layer.create_user(User(identifier="bob"))
        await layer.update_thread("t1", name="videos about sourdough", user_id=alice.id)
        create_step = SQLAlchemyDataLayer.create_step.__wrapped__  # skip the wait for a live session
        await create_step(layer, {
            "id": "s1", "threadId": "t1", "name": "clipwise", "type": "assistant_message", "streaming": False,
            "output": "card", "createdAt": "2025-01-01T00:00:00Z",
            "metadata": {"clipwise_list": {"cards": [{"video_id": "demo-cook01"}], "stale": False}},
        })
        thread = await layer.get_thread("t1")
        mine = await layer.list_threads(Pagination(first=10), ThreadFilter(userId=alice.id))
        theirs = await layer.list_threads(Pagination(first=10), ThreadFilter(userId=bob.id))
        await layer.close()
        return thread, mine, theirs

    thread, mine, theirs = asyncio.run(scenario())
    assert thread["userIdentifier"] == "alice" and [s["output"] for s in thread["steps"]] == ["card"]
    assert [(i, p["stale"]) for i, p in ui.lists_to_restore(thread["steps"], [{"video_id": "demo-cook01"}])] == [
        ("s1", False)]
    assert [t["id"] for t in mine.data] == ["t1"] and theirs.data == []


@MIDDLING_NEEDS_MODEL
def test_a_clarifying_question_comes_with_one_button_per_reading_that_answers_it(session, user, lib):
    asked = session.ask("chess maybe not", user=user)
    assert len(asked.choices) == 2 and "Did you mean 1)" in asked.reply

    buttons = ui.choice_actions(asked.choices)
    assert [b["label"] for b in buttons] == [f"1) {asked.choices[0]}", f"2) {asked.choices[1]}"]
    answered = session.ask(buttons[0]["payload"]["request"], user=user)
    assert lib.users.interests(user) or lib.users.rules(user).less_topics  # the first reading was carried out
    assert answered.choices == [] and "Did you mean" not in answered.reply
