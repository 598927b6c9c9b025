"""Open clipwise on a data dir and run turns through the graph, sync or async."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.messages import AIMessageChunk, HumanMessage

from agent.checkpoint_store import CHECKPOINTS_KEPT, PrunedSqliteSaver
from agent.context import Context
from agent.failed_turn import arepair_thread, journal_mark, repair_thread, undo_turn
from agent.failure import failure_reply
from agent.formatting import card_fields
from agent.graph import build_graph
from agent.rules.rules_controller import rules_controller
from agent.rules.turn_plan import action_from, describe
from agent.understand.shared import warm_parser
from agent.usage import turn_usage
from tools.clips import warm_clips
from tools.errors import ClipwiseError
from tools.library import Library

log = logging.getLogger("clipwise.session")


@dataclass
class TurnResult:
    """One turn, as the UI, the CLI and the evals read it."""

    reply: str
    results: list[dict] = field(default_factory=list)
    """Cards: video_id, title, channel, duration_s, score, clip, reason, matched_interest..."""
    explanation: dict | None = None
    steps: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    usage: dict | None = None
    """LLM calls of the turn: tokens in/out, estimated cost, LLM latency, largest prompt (None: no LLM)."""
    choices: list[str] = field(default_factory=list)
    """When the turn asked 'Did you mean 1) ... or 2) ...?': the readings, in order (answer '1', '2')."""
    error: Exception | None = field(default=None, repr=False, compare=False)
    """What a failed turn raised (not a ClipwiseError, whose words are the reply): the user sees only a
    reference; a harness re-raises it so a crash is not scored as a polite answer."""


MAX_MESSAGE_CHARS = 4000
"""The default of Settings.max_message_chars."""


class Session:
    """A library, a checkpointer and a compiled graph; one per process."""

    def __init__(self, lib: Library, data_dir: Path, controller=rules_controller, k: int = 10,
                 clip_embed_missing: bool = False, max_message_chars: int = MAX_MESSAGE_CHARS,
                 checkpoints_kept: int = CHECKPOINTS_KEPT):
        self.lib, self.k, self.clip_embed_missing = lib, k, clip_embed_missing
        self.max_message_chars = max_message_chars
        self.conn = sqlite3.connect(data_dir / "threads.sqlite", check_same_thread=False)
        # WAL with synchronous=NORMAL survives a crash of the app; an fsync per step cost 100+ ms spikes.
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        saver = PrunedSqliteSaver(self.conn, keep=checkpoints_kept)
        saver.compact()
        self.graph = build_graph(controller, checkpointer=saver)
        threading.Thread(target=warm_clips, args=(lib,), name="clipwise-warm-up", daemon=True).start()
        threading.Thread(target=warm_parser, args=(lib,), name="clipwise-parser-warm-up", daemon=True).start()

    def close(self) -> None:
        self.conn.close()
        self.lib.users.close()

    def _config(self, user: str, thread: str) -> dict:
        return {"configurable": {"thread_id": f"{user}:{thread}"}}

    def _context(self, user: str) -> Context:
        return Context(self.lib, user=user, k=self.k, clip_embed_missing=self.clip_embed_missing)

    def result_of(self, values: dict, started: float) -> TurnResult:
        results = [dict(item, **card_fields(self.lib, item)) for item in values.get("results") or []]
        return TurnResult(
            reply=values["messages"][-1].content, results=results, explanation=values.get("explanation"),
            steps=list(values.get("steps") or []), latency_ms=(time.perf_counter() - started) * 1000,
            usage=turn_usage(values["messages"]), choices=[describe(action_from(p)) for p in values.get("pending") or []],
        )

    def too_long(self, text: str) -> TurnResult | None:
        """The answer to a message over the length limit, which is not read at all (nothing changes)."""
        if len(text) <= self.max_message_chars:
            return None
        return TurnResult(reply=f"That message is {len(text):,} characters long; I read messages of up to "
                                f"{self.max_message_chars:,} characters. Nothing was changed: please send a shorter one.")

    def ask(self, text: str, user: str = "local", thread: str = "main") -> TurnResult:
        if refused := self.too_long(text):
            return refused
        started = time.perf_counter()
        config = self._config(user, thread)
        before = mark = None
        try:
            before, mark = self.graph.checkpointer.get_tuple(config), journal_mark(self.lib, user)
            values = self.graph.invoke({"messages": [HumanMessage(text)]}, config, context=self._context(user))
            result = self.result_of(values, started)
        except Exception as exc:
            reply = self.failed(exc, user, mark)
            repair_thread(self.graph, before and before.config, config, text, reply)
            result = TurnResult(reply=reply, latency_ms=(time.perf_counter() - started) * 1000, error=unexpected(exc))
        self.graph.checkpointer.prune([config["configurable"]["thread_id"]])
        return result

    def failed(self, exc: Exception, user: str, mark: int | None) -> str:
        """The reply to a turn that raised, its memory changes undone: a ClipwiseError's own plain words,
        anything else a logged reference."""
        reply = str(exc) if isinstance(exc, ClipwiseError) else failure_reply(exc, "chat turn")
        try:
            if mark is not None:
                undo_turn(self.lib, user, mark)
        except Exception:
            log.exception("could not undo the changes of a failed turn")
        return reply

    def shown(self, user: str = "local", thread: str = "main") -> list[dict]:
        snap = self.graph.get_state(self._config(user, thread))
        return list(snap.values.get("shown") or [])


class AsyncSession(Session):
    """The same session for async hosts (Chainlit): async checkpointer, `astream` turns."""

    def __init__(self, lib: Library, data_dir: Path, controller=rules_controller, k: int = 10,
                 max_message_chars: int = MAX_MESSAGE_CHARS, checkpoints_kept: int = CHECKPOINTS_KEPT):
        self.lib, self.k, self.clip_embed_missing = lib, k, False
        self.max_message_chars, self.checkpoints_kept = max_message_chars, checkpoints_kept
        self.data_dir, self.controller = data_dir, controller
        self.conn = None
        self.graph = None

    async def start(self) -> "AsyncSession":
        import aiosqlite
        from agent.checkpoint_store import PrunedAsyncSqliteSaver

        self.conn = await aiosqlite.connect(self.data_dir / "threads.sqlite")
        await self.conn.execute("PRAGMA journal_mode=WAL")
        await self.conn.execute("PRAGMA synchronous=NORMAL")
        saver = PrunedAsyncSqliteSaver(self.conn, keep=self.checkpoints_kept)
        await saver.acompact()
        self.graph = build_graph(self.controller, checkpointer=saver)
        threading.Thread(target=warm_clips, args=(self.lib,), name="clipwise-warm-up", daemon=True).start()
        threading.Thread(target=warm_parser, args=(self.lib,), name="clipwise-parser-warm-up", daemon=True).start()
        return self

    async def astream_turn(self, text: str, user: str = "local", thread: str = "main"):
        """Yield ('step', summary) as tools finish, ('token', text) as an LLM controller writes its
        reply, then ('turn', TurnResult)."""
        if refused := self.too_long(text):
            yield "turn", refused
            return
        started = time.perf_counter()
        config = self._config(user, thread)
        before = mark = None
        values: dict = {}
        try:
            before, mark = await self.graph.checkpointer.aget_tuple(config), journal_mark(self.lib, user)
            async for mode, chunk in self.graph.astream(
                {"messages": [HumanMessage(text)]}, config,
                context=self._context(user), stream_mode=["updates", "values", "messages"],
                # One checkpoint write at the end of the turn, not one per step: several people's turns
                # share the checkpoint database, and a failed turn is repaired from the one before.
                durability="exit",
            ):
                if mode == "values":
                    values = chunk
                elif mode == "messages":
                    token, meta = chunk
                    if isinstance(token, AIMessageChunk) and meta.get("langgraph_node") == "controller" and token.text:
                        yield "token", token.text
                else:
                    for node in ("controller", "tools"):
                        for update in _as_list(chunk.get(node) or []):
                            for step in update.get("steps") or []:
                                yield "step", step
            result = self.result_of(values, started)
        except Exception as exc:
            reply = self.failed(exc, user, mark)
            await arepair_thread(self.graph, before and before.config, config, text, reply)
            result = TurnResult(reply=reply, latency_ms=(time.perf_counter() - started) * 1000, error=unexpected(exc))
        await self.graph.checkpointer.aprune([config["configurable"]["thread_id"]])
        yield "turn", result

    async def ashown(self, user: str = "local", thread: str = "main") -> list[dict]:
        snap = await self.graph.aget_state(self._config(user, thread))
        return list(snap.values.get("shown") or [])

    async def aclose(self) -> None:
        if self.conn is not None:
            await self.conn.close()


def unexpected(exc: Exception) -> Exception | None:
    return None if isinstance(exc, ClipwiseError) else exc


def _as_list(update) -> list[dict]:
    return update if isinstance(update, list) else [update]
