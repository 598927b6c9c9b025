"""What the web UI shows and sends, as pure functions: cards, the memory panel, action requests, auth.

Every card and panel button sends a plain-language request through the graph, the same words a
user could type, so a click and a chat message change memory the same way. Untrusted text
(titles, channels, reasons, quotes, the agent's replies that echo them) is escaped so markdown
and HTML in it are shown as text, never rendered.
"""

from __future__ import annotations

import copy
import hmac
import json
import re
import secrets
import sqlite3
import string
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import quote

from agent.context import Context
from agent.rules.rules_controller import plan_request
from memory.user_store import Interest, normalise_topic
from tools.filters import describe_limits, fmt_duration
from tools.imports.imported_item import SOURCE_NAMES
from tools.library import Library

PLACEHOLDER_THUMB = "/public/placeholder-thumb.svg"
"""Shown for demo items and ids that are not YouTube's, and by Cards.jsx for any thumbnail that
cannot load (offline)."""
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
    items and ids that are not YouTube's."""
    if card.get("is_demo"):
        return PLACEHOLDER_THUMB
    real = safe_url(card.get("thumbnail_url"))
    if real is None and YOUTUBE_ID.fullmatch(card.get("video_id") or ""):
        real = YOUTUBE_THUMB.format(card["video_id"])
    return real or PLACEHOLDER_THUMB


YOUTUBE_EMBED = "https://www.youtube-nocookie.com/embed/{id}?start={start}&end={end}&autoplay=1&rel=0"
"""YouTube's privacy-enhanced player: no cookies until the user plays."""


def clip_span(clip: dict) -> str:
    return f"{fmt_duration(clip['start'])}–{fmt_duration(clip['end'])}"


def embed_src(card: dict) -> str | None:
    """The inline player's address for a YouTube video, at its clip (or from the start)."""
    if card.get("is_demo") or not YOUTUBE_ID.fullmatch(card.get("video_id") or ""):
        return None
    clip = card.get("clip") or {}
    start = int(clip.get("start") or 0)
    end = int(clip["end"]) if clip.get("end") else ""
    return YOUTUBE_EMBED.format(id=card["video_id"], start=start, end=end)


def card_props(card: dict, n: int) -> dict:
    """One card of the list element (public/elements/Cards.jsx). React renders every string as text."""
    clip = card.get("clip")
    meta = [card.get("channel") or "unknown channel", card.get("duration") or "?"]
    if card.get("published"):
        meta.append(card["published"])
    return {
        "n": n, "video_id": card["video_id"], "title": card["title"], "meta": " · ".join(meta),
        "thumb": thumbnail_src(card), "placeholder": PLACEHOLDER_THUMB,
        "url": safe_url(card.get("url")), "embed": embed_src(card),
        "clip": {"span": clip_span(clip), "quote": clip.get("quote") or ""} if clip else None,
        "reason": card.get("reason") or "", "buttons": card_actions(n, card["video_id"]),
    }


def cards_props(results: list[dict], stale: bool = False) -> dict:
    return {"cards": [card_props(c, n) for n, c in enumerate(results, start=1)], "stale": stale}


def reply_head(reply: str, results: list[dict]) -> str:
    """The reply without the numbered list the cards already show; the ranking's trace line
    ('search: 120 candidates; blocked channel: -3; kept 10') said as a sentence."""
    if not results:
        return reply
    lines = reply.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("1. ")), len(lines))
    said = [list_sentence(line, results) if TRACE.match(line) else line.removeprefix("note: ")
            for line in lines[:first]]
    return "\n".join(said).strip()


TRACE = re.compile(r"^search: \d+ candidates(?P<removed>(?:; [^;]+: -\d+)*); kept \d+$")
REMOVED = {"already shown": "shown before", "blocked channel": "from channels you blocked",
           "not interested": "marked not interested", "the video itself": "the video you chose"}
"""How the ranking's filter names read in a sentence; the rest (limits, dropped topics) read as they are."""


def list_sentence(trace: str, results: list[dict]) -> str:
    """'10 videos for “linear algebra”; 3 left out: from channels you blocked (3).'"""
    n = len(results)
    head = f"{n} video{'s' if n != 1 else ''} {list_subject(results)}"
    explore = sum(1 for r in results if r.get("matched_by") == "exploration")
    if explore:
        head += f" ({explore} of them {'is an exploration pick' if explore == 1 else 'are exploration picks'})"
    removed = [(name.strip(), int(count)) for name, count in
               re.findall(r"; ([^;]+): -(\d+)", TRACE.match(trace).group("removed"))]
    if not removed:
        return head + "."
    total = sum(c for _, c in removed)
    why = ", ".join(f"{REMOVED.get(name, name)} ({c})" for name, c in removed)
    return f"{head}; {total} left out: {why}."


def list_subject(results: list[dict]) -> str:
    """What the list is for, from its first real match."""
    first = next((r for r in results if r.get("matched_by") != "exploration"), results[0])
    mode, reason = first.get("matched_by"), first.get("reason") or ""
    if mode == "request" and (m := re.match(r"matches your request '(.+?)'", reason)):
        return f"for “{m.group(1)}”"
    if mode == "similar video" and (m := re.match(r"similar to '(.+?)'", reason)):
        return f"like “{m.group(1)}”"
    if mode == "interest":
        return "for your interests"
    if mode == "popular":
        return "that are popular (tell me what you like and the list follows you)"
    return "for you"


def why_props(exp: dict) -> dict:
    """The 'why #N' picture (public/elements/Why.jsx): what decided the rank, and where the clip sits."""
    clip, quote = exp.get("clip"), exp.get("quote")
    return {
        "item": exp["item"], "title": exp["title"],
        "parts": [{"name": name, "value": value} for name, value in (exp.get("parts") or {}).items()],
        "score": exp.get("score"),
        "duration_s": exp.get("duration_s"),
        "clip": {"start": clip["start"], "end": clip["end"], "span": clip_span(clip)} if clip else None,
        "quote_at": quote["start"] if quote else None,
        "sections": list(exp.get("sections") or []),
        "rules": list(exp.get("rules_applied") or []),
        "interest": (exp.get("matched_interest") or {}).get("text"),
        "has_transcript": bool(exp.get("has_transcript")),
    }


def trace_name(summaries: list[str]) -> str:
    """'search, rules': the tools of a turn, in order, once each (Chainlit shows 'Used search, rules')."""
    return ", ".join(dict.fromkeys(step_name(s) for s in summaries))


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


def lists_to_restore(steps: list[dict], shown: list[dict]) -> list[tuple[str, dict]]:
    """(reply id, cards props) of every reply that showed a list, oldest first, so a resumed thread
    shows its lists again; all are stale but the latest, and that one too unless it is the list
    "#N" refers to now."""
    lists = []
    for step in steps:
        meta = step.get("metadata") or {}
        if isinstance(meta, str):
            meta = _json(meta)
        props = meta.get("clipwise_list") if isinstance(meta, dict) else None
        if isinstance(props, dict) and isinstance(props.get("cards"), list):
            lists.append((step["id"], dict(props, stale=True)))
    if lists:
        ids = [c.get("video_id") for c in lists[-1][1]["cards"]]
        if ids == [item.get("video_id") for item in shown]:
            lists[-1][1]["stale"] = False
    return lists


NARROW_COOKIE = "clipwise_screen"
"""Set by public/clipwise.js to 'narrow' on phone-sized screens, where Chainlit's side panel covers the chat."""


def narrow_screen(cookie_header: str) -> bool:
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header or "")
    except CookieError:
        return False
    return NARROW_COOKIE in cookies and cookies[NARROW_COOKIE].value == "narrow"


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
    return {"text": t, "status": i.status, "weight": round(i.weight, 3), "sources": sources, "buttons": buttons}


class MemoryReads:
    """The memory store, with each user's interests and rules read once: the panel asks the parser how
    it reads every button's words, and each reading would read them again."""

    def __init__(self, store):
        self._store, self._read = store, {}

    def interests(self, user: str, status: str | None = None):
        key = ("interests", user, status)
        if key not in self._read:
            self._read[key] = self._store.interests(user, status)
        return self._read[key]

    def rules(self, user: str):
        if ("rules", user) not in self._read:
            self._read[("rules", user)] = self._store.rules(user)
        return self._read[("rules", user)]

    def __getattr__(self, name):
        return getattr(self._store, name)


def panel_props(lib: Library, user: str) -> dict:
    """Interests (active and dropped, with where each came from) and rules, with their buttons."""
    lib = copy.copy(lib)
    lib.users = MemoryReads(lib.users)
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
        "max_weight": max([i.weight for i in interests if i.status == "active"], default=1.0),
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
