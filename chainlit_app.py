"""Chainlit web UI: glue only. Every decision is made by the agent graph; what is shown is built
by agent/web/web_views.py. Card and panel buttons send the same plain-language requests a user could type.

Auth: CLIPWISE_AUTH_USERS ("alice:pw1,bob:pw2" or "@/path/to/file") turns on password sign-in
(Chainlit also needs CHAINLIT_AUTH_SECRET); without it there is a single local user
(CLIPWISE_USER, default "local"), signed in automatically. Threads are kept by Chainlit's
SQLAlchemy data layer in <data dir>/chainlit.sqlite.
"""

from __future__ import annotations

import asyncio
import functools
import os
import uuid
from pathlib import Path

import chainlit as cl
from chainlit.config import config as chainlit_config
from chainlit.server import app as chainlit_server
from chainlit.types import ThreadDict
from chainlit.utils import utc_now

from agent.controllers import controller_named
from agent.private_files import keep_private
from agent.read_settings import read_settings
from agent.session import AsyncSession
from agent.settings import Settings
from agent.sources import open_from_settings
from agent.web import web_views as ui
from agent.web.feedback_guard import FeedbackGuard
from agent.web.footer import own_footer
from agent.web.import_worker import in_worker, prepare_in_worker
from agent.web.instance_files import own_files_directory
from agent.opening import LibraryOpening
from agent.web.login_limits import LoginLimiter, LoginLimitMiddleware
from agent.web.origin_guard import OriginGuard
from agent.web.owned_data_layer import LIVE_ONLY, OwnedDataLayer
from agent.web.revoked_tokens import RevokedTokenMiddleware, RevokedTokens
from agent.web.starters import starters as starter_list
from agent.web.turn_gate import TurnGate
from agent.web.web_uploads import commit_uploads, prepare_uploads

STREAM_CHUNKS = 4
"""Pieces a reply given in one piece is streamed in (10 ms apart): it reads as typed, and a long
reply (the memory, a 'why') takes no longer to arrive than a short one."""

_session: AsyncSession | None = None
_opening: LibraryOpening | None = None
_session_lock = asyncio.Lock()
_gate = TurnGate()
"""One turn at a time per user; different users' turns run side by side (agent/web/turn_gate.py)."""
_lists: dict[str, cl.CustomElement] = {}
"""Each chat session's current list element, marked stale when a new list replaces it."""
_followers: dict[str, asyncio.Task] = {}
"""Each chat session's task that shows how far the opening has got."""
_background: set[asyncio.Task] = set()
"""Tasks that run beside the turns (transcript indexing, progress notes), kept until they end."""
STARTERS_WAIT_S = 5
"""How long the first page load waits for the catalog before offering starters without it."""


@functools.cache
def app_settings() -> Settings:
    """The settings, read once per process (environment and .env)."""
    return read_settings(Settings)


keep_private(app_settings().data_dir)  # before Chainlit, SQLite or Chroma create a file there


def guard_server() -> None:
    """The web guards around Chainlit's server, outermost last: origin, then revoked tokens (which also
    tells the inner guards who is asking), then sign-in hold-back and feedback ownership.

    `chainlit run` imports its server before this module and builds the middleware stack on the first
    request, so what is added or changed here is in place before anything is served.
    """
    settings = app_settings()
    # Chainlit's CORS list comes from .chainlit/config.toml; the settings decide it instead.
    chainlit_config.project.allow_origins[:] = settings.allowed_origins
    chainlit_server.add_middleware(FeedbackGuard)
    chainlit_server.add_middleware(LoginLimitMiddleware, limiter=LoginLimiter.from_settings(settings))
    chainlit_server.add_middleware(RevokedTokenMiddleware,
                                   revoked=RevokedTokens(settings.data_dir / "revoked_tokens.sqlite"))
    chainlit_server.add_middleware(OriginGuard, allowed=settings.allowed_origins)


guard_server()
own_files_directory()
own_footer(chainlit_config)


def opening() -> LibraryOpening:
    """The library's opening, started once per process (agent/web/opening.py)."""
    global _opening
    if _opening is None:
        settings = app_settings()
        _opening = LibraryOpening(
            lambda found, advance, usable: open_from_settings(settings, progress=advance, on_catalog=found,
                                                              on_usable=usable)).start()
    return _opening


async def session() -> AsyncSession:
    """One library and graph per server process; waits only while the catalog loads (a first run's
    indexing goes on beside the chat, which searches by words until it is done)."""
    global _session
    async with _session_lock:
        if _session is None:
            settings = app_settings()
            lib = await asyncio.to_thread(opening().wait_usable)
            controller = controller_named()  # the LLM when a key or base URL is set, else the rules
            _session = await AsyncSession(lib, settings.data_dir, controller=controller, k=settings.results,
                                          max_message_chars=settings.max_message_chars,
                                          checkpoints_kept=settings.checkpoints_kept).start()
            beside(opening().index_transcripts(_gate))
    return _session


def beside(coro) -> asyncio.Task:
    """Run `coro` beside the turns, holding on to its task until it ends."""
    task = asyncio.create_task(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


@cl.on_app_startup
async def open_session() -> None:
    """Start opening the library (the first run indexes the catalog) without holding up the server:
    pages load at once and show how far it has got."""
    opening()
    beside(session())


@cl.on_app_shutdown
async def close_session() -> None:
    global _session
    for task in list(_background):  # transcript indexing stops between two transcripts
        task.cancel()
    if _session is not None:
        await _session.aclose()
        _session = None


def current_user() -> str:
    user = cl.context.session.user
    return user.identifier if user else app_settings().user


def configure_auth() -> None:
    """Password sign-in for the listed users, or the single local user signed in by itself."""
    listed = os.environ.get("CLIPWISE_AUTH_USERS")
    if listed:
        users = ui.load_auth_users(listed)

        @cl.password_auth_callback
        async def password_login(username: str, password: str) -> cl.User | None:
            ok = ui.check_password(users, username, password)
            # Chainlit's token holds the user and its expiry only, so two sign-ins in one second would get
            # the same token, and signing out of one would end the other: each sign-in is told apart.
            sign_in = uuid.uuid4().hex
            return cl.User(identifier=username, metadata={"provider": "password", "sign_in": sign_in}) if ok else None

        return
    settings = app_settings()
    # Chainlit signs its session cookie with this secret; the local user's is kept in the data dir.
    # It has to be in the environment at import: `chainlit run` loads this module and checks the
    # environment for the secret right after (chainlit.cli: load_module, then ensure_jwt_secret).
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", ui.local_secret(settings.data_dir))

    @cl.header_auth_callback
    async def local_login(headers) -> cl.User:
        return cl.User(identifier=settings.user, metadata={"provider": "local"})


configure_auth()


@cl.data_layer
def data_layer() -> OwnedDataLayer:
    path = app_settings().data_dir / "chainlit.sqlite"
    ui.ensure_chainlit_schema(path)
    return OwnedDataLayer(conninfo=f"sqlite+aiosqlite:///{path}")


@cl.set_starters
async def starters(user=None, language=None):
    """The user's interests, then the loaded catalog's most common topics (agent/web/starters.py);
    while the first run indexes, the catalog's topics alone."""
    o = opening()
    await asyncio.to_thread(o.wait_for_catalog, STARTERS_WAIT_S)
    interests: list[str] = []
    if o.answering:
        s = await session()
        name = user.identifier if user else app_settings().user
        interests = [i.text for i in await asyncio.to_thread(s.lib.users.interests, name, status="active")]
    videos = o.catalog.videos.values() if o.catalog is not None else ()
    return [cl.Starter(label=st.label, message=st.message) for st in starter_list(videos, interests)]


async def panel(s: AsyncSession, user: str, status: str | None = None) -> cl.CustomElement:
    """The memory panel (public/elements/Memory.jsx); one element id per chat session, so each
    update replaces it in place. `status`: how far the transcripts for clips are."""
    element_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"clipwise-panel:{cl.context.session.id}"))
    # Off the event loop: another user's change may hold the memory store for a moment.
    props = dict(await asyncio.to_thread(ui.panel_props, s.lib, user),
                 status=opening().status() if status is None else status)
    return cl.CustomElement(name="Memory", props=props, display="side", id=element_id)


def narrow_screen() -> bool:
    """Whether this chat is on a phone-sized screen (public/clipwise.js says so in a cookie)."""
    return ui.narrow_screen(cl.context.session.environ.get("HTTP_COOKIE", ""))


async def show_panel(s: AsyncSession, user: str, opened: bool = False, status: str | None = None) -> None:
    """The memory panel beside the chat; on a phone, where it would cover the chat, only when asked."""
    if narrow_screen() and not opened:
        return
    await cl.ElementSidebar.set_elements([await panel(s, user, status)])
    await cl.ElementSidebar.set_title("Memory")


async def stream_text(msg: cl.Message, text: str) -> None:
    words = text.split(" ")
    size = max(1, -(-len(words) // STREAM_CHUNKS))
    for i in range(0, len(words), size):
        await msg.stream_token(" ".join(words[i : i + size]) + (" " if i + size < len(words) else ""))
        await asyncio.sleep(0.01)


def list_element(props: dict, message_id: str) -> cl.CustomElement:
    """A list's cards (public/elements/Cards.jsx), one element per reply that showed them."""
    element_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"clipwise-list:{message_id}"))
    return cl.CustomElement(name="Cards", props=props, display="inline", id=element_id, for_id=message_id)


async def retire_list() -> None:
    """The session's previous list stays on screen, its buttons off: 'a new list replaces it'."""
    if (old := _lists.pop(cl.context.session.id, None)) is not None:
        old.props = dict(old.props, stale=True)
        await old.update()


async def run_turn(text: str, echo: bool = False) -> None:
    """One turn through the graph: tool steps as they finish (folded under the reply), the reply in
    one sentence, then the list's cards or the why picture."""
    s, user, thread = await session(), current_user(), cl.context.session.thread_id
    if echo:
        await cl.Message(content=ui.escape_md(text), author=user, type="user_message").send()
    async with _gate.user(user):
        reply, turn, trace = cl.Message(content=""), None, Trace()
        async for kind, payload in s.astream_turn(text, user=user, thread=thread):
            if kind == "step":
                await trace.add(payload)
            elif kind == "token":
                await reply.stream_token(ui.escape_token(payload))
            else:
                turn = payload
        final = ui.escape_md(ui.reply_head(turn.reply, turn.results))
        if not reply.content:
            await stream_text(reply, final)
        else:  # the streamed words were the model's alone; the reply also carries notes and fallbacks
            reply.content = final
        actions = [cl.Action(**a) for a in ui.choice_actions(turn.choices)] if turn.choices else []
        if narrow_screen():
            actions.append(cl.Action(name="open_memory", label="Memory", payload={}))
        reply.actions = actions
        if turn.results:
            await retire_list()
            props = ui.cards_props(turn.results)
            reply.metadata = {"clipwise_list": props}
            reply.elements = [list_element(props, reply.id)]
            _lists[cl.context.session.id] = reply.elements[0]
        elif turn.explanation:
            reply.elements = [cl.CustomElement(name="Why", props=ui.why_props(turn.explanation), display="inline")]
        await reply.send()
        await trace.fold_under_reply()
        await show_panel(s, user)


class Trace:
    """The turn's tool steps: shown live as they finish, then moved under the reply, folded. Only the
    folded trace is written to Chainlit's history (one write a turn); the live one is shown, not kept."""

    def __init__(self):
        self.lines: list[str] = []
        self.live: cl.Step | None = None

    def _step(self, live: bool = False) -> cl.Step:
        step = cl.Step(name=ui.trace_name(self.lines), type="tool", metadata={LIVE_ONLY: True} if live else None)
        step.output, step.start = ui.escape_md("\n".join(self.lines)), utc_now()
        return step

    async def add(self, summary: str) -> None:
        self.lines.append(summary)
        if self.live is None:
            self.live = self._step(live=True)
            await self.live.send()
        else:
            self.live.name, self.live.output = ui.trace_name(self.lines), ui.escape_md("\n".join(self.lines))
            await self.live.update()

    async def fold_under_reply(self) -> None:
        if self.live is None:
            return
        await self.live.remove()
        folded = self._step()
        folded.end = utc_now()
        await folded.send()


async def follow_opening(user: str) -> None:
    """While the catalog opens, a note, gone when the chat can answer (the starters take its place);
    then the panel follows a first run's indexing by meaning (counts and time left) and the clips."""
    o, note = opening(), None
    while not o.answering and o.error is None:
        text = ui.escape_md(o.note())
        if note is None:
            note = await cl.Message(content=text).send()
        elif text != note.content:
            note.content = text
            await note.update()
        await asyncio.sleep(0.5)
    if o.error is not None:
        if note is None:
            await cl.Message(content=ui.escape_md(o.note())).send()
        else:
            note.content = ui.escape_md(o.note())
            await note.update()
        return
    if note is not None:
        await note.remove()
    s, shown = await session(), None
    while True:
        finished, text = o.transcripts_finished, o.status()
        if text != shown:
            async with _gate.user(user):
                await show_panel(s, user, status=text)
            shown = text
        if finished:
            return
        await asyncio.sleep(5)


@cl.on_chat_start
async def on_chat_start() -> None:
    o = opening()
    if o.waiting:  # within a second of opening the page, and kept up to date beside the chat
        _followers[cl.context.session.id] = beside(follow_opening(current_user()))
    s, user = await session(), current_user()
    async with _gate.user(user):
        await show_panel(s, user)


@cl.on_chat_resume
async def on_chat_resume(thread: ThreadDict) -> None:
    """Put back the lists' cards (only the current one's buttons act) and the panel; the graph
    resumes from its checkpoint."""
    s, user = await session(), current_user()
    shown = await s.ashown(user=user, thread=thread["id"])
    elements = thread.setdefault("elements", [])
    for message_id, props in ui.lists_to_restore(thread.get("steps") or [], shown):
        element = list_element(props, message_id)
        if not props["stale"]:
            _lists[cl.context.session.id] = element
        elements.append(element.to_dict())
    if not narrow_screen():
        async with _gate.user(user):
            # Chainlit sends this same thread dict to the browser after this hook, and the browser then
            # replaces its elements with the thread's: the panel has to be one of them to stay open.
            elements.append((await panel(s, user)).to_dict())


@cl.on_chat_end
async def on_chat_end() -> None:
    _lists.pop(cl.context.session.id, None)
    if (follower := _followers.pop(cl.context.session.id, None)) is not None:
        follower.cancel()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    uploads = [(e.name, Path(e.path)) for e in message.elements or [] if getattr(e, "path", None)]
    if uploads:
        await import_attached(uploads)
    if message.content.strip():
        await run_turn(message.content)


async def import_attached(uploads: list[tuple[str, Path]]) -> None:
    """Attached exports become interests; the report lists them with their supporting items."""
    s, user = await session(), current_user()
    note = await cl.Message(content=f"Importing {', '.join(ui.escape_md(n) for n, _ in uploads)}…").send()
    # Reading and clustering run without the lock (a large export in a low-priority worker process):
    # other users' turns go on. Only the short, all-or-nothing store waits for (and holds) the memory lock.
    settings = app_settings()
    if in_worker(uploads, settings.import_worker_bytes):
        prepared = await cl.make_async(prepare_in_worker)(settings, uploads)
    else:
        prepared = await cl.make_async(prepare_uploads)(s.lib, uploads)
    async with _gate.user(user):
        text = await cl.make_async(commit_uploads)(s.lib, user, prepared)
        note.content = ui.escape_md(text)
        await note.update()
        await show_panel(s, user)


async def card_action(action: cl.Action) -> None:
    s = await session()
    shown = await s.ashown(user=current_user(), thread=cl.context.session.thread_id)
    if problem := ui.stale_card(action.payload, shown):
        await cl.Message(content=problem).send()
        return
    await run_turn(action.payload["request"], echo=True)


for _name, *_ in ui.CARD_ACTIONS:
    cl.action_callback(_name)(card_action)


@cl.action_callback("panel")
async def panel_action(action: cl.Action) -> None:
    await run_turn(action.payload["request"], echo=True)


@cl.action_callback("open_memory")
async def open_memory(action: cl.Action) -> None:
    """The phone's way to the memory panel, which a phone does not open by itself."""
    s, user = await session(), current_user()
    async with _gate.user(user):
        await show_panel(s, user, opened=True)


@cl.action_callback("choice")
async def choice_action(action: cl.Action) -> None:
    """A button under 'Did you mean ...?': answered like typing its number; the buttons go."""
    await action.remove()
    await run_turn(action.payload["request"], echo=True)
