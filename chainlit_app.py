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
from collections import defaultdict
from pathlib import Path

import chainlit as cl
from chainlit.config import config as chainlit_config
from chainlit.server import app as chainlit_server
from chainlit.types import ThreadDict

from agent.cli.first_run import open_with_progress
from agent.controllers import controller_named
from agent.private_files import keep_private
from agent.read_settings import read_settings
from agent.session import AsyncSession
from agent.settings import Settings
from agent.web import web_views as ui
from agent.web.feedback_guard import FeedbackGuard
from agent.web.footer import own_footer
from agent.web.import_worker import in_worker, prepare_in_worker
from agent.web.instance_files import own_files_directory
from agent.web.login_limits import LoginLimiter, LoginLimitMiddleware
from agent.web.origin_guard import OriginGuard
from agent.web.owned_data_layer import OwnedDataLayer
from agent.web.revoked_tokens import RevokedTokenMiddleware, RevokedTokens
from agent.web.starters import starters as starter_list
from agent.web.web_uploads import commit_uploads, prepare_uploads

STREAM_WORDS = 4
"""Words per streamed chunk when the controller gives the reply in one piece."""

_session: AsyncSession | None = None
_opening = asyncio.Lock()
_memory = asyncio.Lock()
"""One turn at a time per process: the library's user memory is a single SQLite connection."""
_card_actions: dict[str, list[cl.Action]] = defaultdict(list)
"""The buttons of each chat session's current list, removed when a new list replaces it."""


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


async def session() -> AsyncSession:
    """One library and graph per server process (opened at start-up, see open_session)."""
    global _session
    async with _opening:
        if _session is None:
            settings = app_settings()
            # The first run's indexing shows its progress in the terminal that started the server.
            lib = await cl.make_async(open_with_progress)(settings)
            controller = controller_named()  # the LLM when a key or base URL is set, else the rules
            _session = await AsyncSession(lib, settings.data_dir, controller=controller, k=settings.results,
                                          max_message_chars=settings.max_message_chars,
                                          checkpoints_kept=settings.checkpoints_kept).start()
    return _session


@cl.on_app_startup
async def open_session() -> None:
    """Open the library (and bring its index up to date) before the server takes requests."""
    await session()


@cl.on_app_shutdown
async def close_session() -> None:
    global _session
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
    """The user's interests, then the loaded catalog's most common topics (agent/web/starters.py)."""
    s = await session()
    name = user.identifier if user else app_settings().user
    async with _memory:
        interests = [i.text for i in s.lib.users.interests(name, status="active")]
    return [cl.Starter(label=st.label, message=st.message)
            for st in starter_list(s.lib.catalog.videos.values(), interests)]


def panel(s: AsyncSession, user: str) -> cl.CustomElement:
    """The memory panel (public/elements/Memory.jsx); one element id per chat session, so each
    update replaces it in place."""
    element_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"clipwise-panel:{cl.context.session.id}"))
    return cl.CustomElement(name="Memory", props=ui.panel_props(s.lib, user), display="side", id=element_id)


async def show_panel(s: AsyncSession, user: str) -> None:
    await cl.ElementSidebar.set_elements([panel(s, user)])
    await cl.ElementSidebar.set_title("Memory")


async def stream_text(msg: cl.Message, text: str) -> None:
    words = text.split(" ")
    for i in range(0, len(words), STREAM_WORDS):
        await msg.stream_token(" ".join(words[i : i + STREAM_WORDS]) + (" " if i + STREAM_WORDS < len(words) else ""))
        await asyncio.sleep(0.01)


async def show_cards(results: list[dict]) -> None:
    key = cl.context.session.id
    for action in _card_actions.pop(key, []):
        await action.remove()
    for n, card in enumerate(results, start=1):
        actions = [cl.Action(**a) for a in ui.card_actions(n, card["video_id"])]
        await cl.Message(content=ui.card_markdown(card, n), actions=actions,
                         metadata=ui.card_metadata(n, card["video_id"])).send()
        _card_actions[key].extend(actions)


async def run_turn(text: str, echo: bool = False) -> None:
    """One turn through the graph: tool steps as they finish, the reply streamed, then the cards."""
    s, user, thread = await session(), current_user(), cl.context.session.thread_id
    if echo:
        await cl.Message(content=ui.escape_md(text), author=user, type="user_message").send()
    async with _memory:
        reply, turn = cl.Message(content=""), None
        async for kind, payload in s.astream_turn(text, user=user, thread=thread):
            if kind == "step":
                async with cl.Step(name=ui.step_name(payload), type="tool") as step:
                    step.output = ui.escape_md(payload)
            elif kind == "token":
                await reply.stream_token(ui.escape_token(payload))
            else:
                turn = payload
        final = ui.escape_md(ui.reply_head(turn.reply, turn.results))
        if not reply.content:
            await stream_text(reply, final)
        else:  # the streamed words were the model's alone; the reply also carries notes and fallbacks
            reply.content = final
        if turn.choices:
            reply.actions = [cl.Action(**a) for a in ui.choice_actions(turn.choices)]
        await reply.send()
        if turn.results:
            await show_cards(turn.results)
        await show_panel(s, user)


@cl.on_chat_start
async def on_chat_start() -> None:
    s = await session()
    async with _memory:
        await show_panel(s, current_user())


@cl.on_chat_resume
async def on_chat_resume(thread: ThreadDict) -> None:
    """Put back the current list's buttons and the panel; the graph resumes from its checkpoint."""
    s, user = await session(), current_user()
    shown = await s.ashown(user=user, thread=thread["id"])
    key = cl.context.session.id
    for message_id, n, video_id in ui.cards_to_restore(thread.get("steps") or [], shown):
        for a in ui.card_actions(n, video_id):
            action = cl.Action(**a)
            await action.send(for_id=message_id)
            _card_actions[key].append(action)
    async with _memory:
        element = panel(s, user)
    # Chainlit sends this same thread dict to the browser after this hook, and the browser then
    # replaces its elements with the thread's: the panel has to be one of them to stay open.
    thread.setdefault("elements", []).append(element.to_dict())


@cl.on_chat_end
async def on_chat_end() -> None:
    _card_actions.pop(cl.context.session.id, None)


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
    async with _memory:
        text = await cl.make_async(commit_uploads)(s.lib, user, prepared)
        note.content = ui.escape_md(text)
        await note.update()
        await show_panel(s, user)


async def card_action(action: cl.Action) -> None:
    s = await session()
    shown = await s.ashown(user=current_user(), thread=cl.context.session.thread_id)
    if problem := ui.stale_card(action.payload, shown):
        await action.remove()
        await cl.Message(content=problem).send()
        return
    await run_turn(action.payload["request"], echo=True)


for _name, *_ in ui.CARD_ACTIONS:
    cl.action_callback(_name)(card_action)


@cl.action_callback("panel")
async def panel_action(action: cl.Action) -> None:
    await run_turn(action.payload["request"], echo=True)


@cl.action_callback("choice")
async def choice_action(action: cl.Action) -> None:
    """A button under 'Did you mean ...?': answered like typing its number; the buttons go."""
    await action.remove()
    await run_turn(action.payload["request"], echo=True)
