"""What the web UI shows and sends, as pure functions: cards, the memory panel, action requests, auth.

Every card and panel button sends a plain-language request through the graph, the same words a
user could type, so a click and a chat message change memory the same way. Untrusted text
(titles, channels, reasons, quotes, the agent's replies that echo them) is escaped so markdown
and HTML in it are shown as text, never rendered.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import sqlite3
import string
from pathlib import Path
from urllib.parse import quote

from agent.context import Context
from agent.rules.rules_controller import plan_request
from memory.user_store import Interest, normalise_topic
from tools.filters import describe_limits, fmt_duration
from tools.imports.imported_item import SOURCE_NAMES
from tools.library import Library

PLACEHOLDER_THUMB = "/public/placeholder-thumb.svg"
THUMB_MARK = "#clipwise-thumb"
"""Appended to every thumbnail URL: the stylesheet sizes these images and puts the placeholder
behind them, so an image that cannot load (offline) shows the placeholder."""
PUNCTUATION = frozenset(string.punctuation)
CARD_ACTIONS = (
    ("why", "Why?", "why #{n}", "explain"),
    ("more_like", "More like this", "more like #{n}", "more_like"),
    ("not_interested", "Not interested", "not interested in #{n}", "not_interested"),
    ("block_channel", "Block channel", "block the channel of #{n}", "block_channel"),
)
"""(action name, button label, the request it sends, the tool that request must call)."""
SOURCES = {"chat": "you said", "liked_video": "you liked a video",
           **{source: f"imported ({one})" for source, (one, _) in SOURCE_NAMES.items()}}
USER_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


# -- text -----------------------------------------------------------------------------

def escape_md(text: str | None) -> str:
    """Markdown that displays `text` literally: every ASCII punctuation mark is backslash-escaped
    (CommonMark allows it for all of them), so no emphasis, link, HTML tag or entity survives.
    Line breaks are kept; leading spaces become no-break spaces so indentation shows."""
    lines = []
    for line in (text or "").splitlines():
        body = line.lstrip(" ")
        escaped = "".join("\\" + c if c in PUNCTUATION else c for c in " ".join(body.split()))
        lines.append("\u00a0" * (len(line) - len(body)) + escaped)
    return "\n".join(lines)


def escape_token(token: str) -> str:
    """A streamed piece of a reply, shown literally (as escape_md does, spaces left as they come)."""
    return "".join("\\" + c if c in PUNCTUATION else c for c in token)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a markdown link target, or None."""
    if not url or not re.match(r"^https?://", url, re.I):
        return None
    return quote(url, safe=":/?&=#%+-_.~,;@!$*'")


YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_THUMB = "https://i.ytimg.com/vi/{}/mqdefault.jpg"
"""Where YouTube serves a video's thumbnail, known from its id alone (catalogs often omit it)."""


def thumbnail_src(card: dict) -> str:
    """The catalog's thumbnail, else YouTube's for a YouTube id; the local placeholder for demo
    items and ids that are not YouTube's (and, by the stylesheet, for any image that fails to load)."""
    if card.get("is_demo"):
        return PLACEHOLDER_THUMB + THUMB_MARK
    real = safe_url(card.get("thumbnail_url"))
    if real is None and YOUTUBE_ID.fullmatch(card.get("video_id") or ""):
        real = YOUTUBE_THUMB.format(card["video_id"])
    return (real or PLACEHOLDER_THUMB) + THUMB_MARK


def card_markdown(card: dict, n: int) -> str:
    """One recommendation: thumbnail, number and title, channel and length, clip link, reason."""
    lines = [f"![]({thumbnail_src(card)})", "",
             f"**{n}\\. {escape_md(card['title'])}**",
             f"{escape_md(card.get('channel') or 'unknown channel')} · {escape_md(card.get('duration') or '?')}"]
    clip, url = card.get("clip"), safe_url(card.get("url"))
    if clip:
        span = f"{fmt_duration(clip['start'])}–{fmt_duration(clip['end'])}"
        where = f"[▶ clip {span}]({url})" if url else f"clip {span} \\(demo item: no link\\)"
        quote_text = f" — “{escape_md(clip['quote'])}”" if clip.get("quote") else ""
        lines.append(where + quote_text)
    elif url:
        lines.append(f"[▶ watch]({url})")
    lines.append(f"*Why:* {escape_md(card.get('reason'))}")
    return "\n".join(lines)


def reply_head(reply: str, results: list[dict]) -> str:
    """The reply without the numbered list the cards already show."""
    if not results:
        return reply
    lines = reply.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("1. ")), len(lines))
    return "\n".join(lines[:first]).strip()


def step_name(summary: str) -> str:
    """'search: 120 candidates ...' -> 'search'."""
    head, sep, _ = summary.partition(":")
    return head.strip() if sep and re.fullmatch(r"[a-z ]{1,20}", head.strip()) else "tool"


# -- requests -------------------------------------------------------------------------

def plans(ctx: Context, request: str, tool: str, **expected) -> bool:
    """Whether the chat controller reads `request` as exactly one call of `tool` with these args."""
    calls = plan_request(ctx, request).calls
    if len(calls) != 1 or calls[0][0] != tool:
        return False
    args = calls[0][1]
    return all(_same(args.get(k), v) for k, v in expected.items())


def _same(got, want) -> bool:
    if isinstance(want, str) and isinstance(got, str):
        return normalise_topic(got) == normalise_topic(want)
    return got == want


def card_actions(n: int, video_id: str) -> list[dict]:
    """The four card buttons of item #n; each payload carries the request and the video it meant."""
    return [{"name": name, "label": label, "payload": {"request": req.format(n=n), "n": n, "video_id": video_id}}
            for name, label, req, _tool in CARD_ACTIONS]


def choice_actions(choices: list[str]) -> list[dict]:
    """Buttons for 'Did you mean 1) ... or 2) ...?': each answers with its number."""
    return [{"name": "choice", "label": f"{n}) {text}", "payload": {"request": str(n)}}
            for n, text in enumerate(choices, start=1)]


def stale_card(payload: dict, shown: list[dict]) -> str | None:
    """Why a card button can no longer act (its list was replaced), or None when it still can."""
    n = payload.get("n")
    if not isinstance(n, int) or not 1 <= n <= len(shown) or shown[n - 1].get("video_id") != payload.get("video_id"):
        return "That card belongs to an earlier list, so its buttons no longer apply. Use the latest list."
    return None


def card_metadata(n: int, video_id: str) -> dict:
    return {"clipwise_card": {"n": n, "video_id": video_id}}


def cards_to_restore(steps: list[dict], shown: list[dict]) -> list[tuple[str, int, str]]:
    """(message id, n, video_id) of the latest card messages that show the current list, so their
    buttons can be put back when a thread is resumed."""
    latest: dict[int, tuple[str, str]] = {}
    for step in steps:
        meta = step.get("metadata") or {}
        if isinstance(meta, str):
            meta = _json(meta)
        card = meta.get("clipwise_card") if isinstance(meta, dict) else None
        if card:
            latest[card["n"]] = (step["id"], card["video_id"])
    return [(sid, n, vid) for n, (sid, vid) in sorted(latest.items())
            if n <= len(shown) and shown[n - 1].get("video_id") == vid]


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return {}


# -- the memory panel ---------------------------------------------------------------

def _button(ctx: Context, label: str, request: str, tool: str, **expected) -> list[dict]:
    """A panel button, offered only when chat would read its words as that same change."""
    return [{"label": label, "request": request}] if plans(ctx, request, tool, **expected) else []


def _interest_row(ctx: Context, i: Interest) -> dict:
    t = i.text
    if i.status == "active":
        buttons = _button(ctx, "Drop", f"drop {t}", "drop_topic", topic=t)
    else:
        buttons = _button(ctx, "Add back", f"add {t}", "add_interest", topic=t)
    buttons += _button(ctx, "Forget", f"forget {t}", "forget_topic", topic=t)
    sources = [{"source": SOURCES.get(e.source, e.source), "quote": e.quote,
                "when": e.said_at[:16].replace("T", " ") or "date unknown"} for e in i.evidence[-3:]]
    return {"text": t, "status": i.status, "sources": sources, "buttons": buttons}


def panel_props(lib: Library, user: str) -> dict:
    """Interests (active and dropped, with where each came from) and rules, with their buttons."""
    interests = lib.users.interests(user)
    rules = lib.users.rules(user)
    limits = describe_limits(rules)
    ctx = Context(lib, user=user)
    return {
        "user": user,
        "active": [_interest_row(ctx, i) for i in interests if i.status == "active"],
        "dropped": [_interest_row(ctx, i) for i in interests if i.status == "dropped"],
        "blocked": [{"channel": c, "buttons": _button(ctx, "Unblock", f"unblock {c}", "unblock_channel", channel=c)}
                    for c in rules.blocked_channels],
        "limits": limits,
        "limit_buttons": _button(ctx, "Clear limits", "clear limits", "clear_limits") if limits else [],
        "hidden": len(rules.hidden_videos),
        "undo": _button(ctx, "Undo last change", "undo", "undo"),
    }


# -- auth and thread storage --------------------------------------------------------

def parse_auth_users(text: str) -> dict[str, str]:
    """'alice:pw1,bob:pw2' (commas or new lines; '#' starts a comment line) -> {name: password}."""
    users: dict[str, str] = {}
    for entry in re.split(r"[,\n]", text):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        name, sep, password = entry.partition(":")
        name = name.strip()
        if not sep or not password or not USER_NAME.match(name):
            raise ValueError(f"CLIPWISE_AUTH_USERS: bad entry {entry.split(':')[0]!r}: "
                             "write name:password, names of letters, digits and _.@-")
        users[name] = password
    if not users:
        raise ValueError("CLIPWISE_AUTH_USERS is set but names no user")
    return users


def load_auth_users(value: str) -> dict[str, str]:
    """The value of CLIPWISE_AUTH_USERS: inline 'name:pw,...' or '@/path/to/file' (one per line)."""
    if value.startswith("@"):
        return parse_auth_users(Path(value[1:]).expanduser().read_text(encoding="utf-8"))
    return parse_auth_users(value)


def check_password(users: dict[str, str], name: str, password: str) -> bool:
    known = users.get(name)
    return known is not None and hmac.compare_digest(known.encode(), password.encode())


def local_secret(data_dir: Path) -> str:
    """The signing secret of the single local user's sessions, made once and kept in the data dir."""
    path = data_dir / "chainlit-auth-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


CHAINLIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL, "createdAt" TEXT
);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT,
    "tags" TEXT, "metadata" TEXT,
    FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL,
    "parentId" TEXT, "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN, "isError" BOOLEAN,
    "metadata" TEXT, "tags" TEXT, "input" TEXT, "output" TEXT, "createdAt" TEXT, "command" TEXT,
    "modes" TEXT, "start" TEXT, "end" TEXT, "generation" TEXT, "showInput" TEXT, "language" TEXT,
    "indent" INT, "defaultOpen" BOOLEAN, "autoCollapse" BOOLEAN,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "url" TEXT, "chainlitKey" TEXT, "name" TEXT NOT NULL,
    "display" TEXT, "objectKey" TEXT, "size" TEXT, "page" INT, "language" TEXT, "forId" TEXT, "mime" TEXT,
    "props" TEXT, "autoPlay" BOOLEAN, "playerConfig" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT, "value" INT NOT NULL, "comment" TEXT
);
"""
"""Chainlit's SQLAlchemy data layer schema (docs.chainlit.io/data-layers/sqlalchemy), in SQLite types."""


def ensure_chainlit_schema(path: Path) -> None:
    """Create the chat-history tables Chainlit's SQLAlchemy data layer expects, if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(CHAINLIT_SCHEMA)
    db.close()
