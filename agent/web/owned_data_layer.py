"""Chainlit's SQL data layer: one SQLite connection, no write for a turn's live trace, and no feedback
on a message of another user's thread."""

from __future__ import annotations

from collections import OrderedDict

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.types import Feedback
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker

from agent.web.revoked_tokens import caller


class NotYours(PermissionError):
    """The message or feedback belongs to another user's thread (or does not exist)."""


LIVE_ONLY = "clipwise_live_only"
"""Step metadata key of a step shown while a turn runs and removed when it ends: never written."""
IDS_REMEMBERED = 10_000
"""Bound of each id set kept here: threads this instance knows to exist (an older one costs one
SELECT again) and live steps not written (an older one's delete costs three queries that find nothing)."""


class OwnedDataLayer(SQLAlchemyDataLayer):
    """Feedback is written only by the owner of the thread holding the message it is about."""

    def __init__(self, conninfo: str, **kwargs) -> None:
        super().__init__(conninfo, **kwargs)
        self._threads: OrderedDict[str, None] = OrderedDict()
        self._live: OrderedDict[str, None] = OrderedDict()
        if conninfo.startswith("sqlite"):
            self.engine = one_sqlite_connection(conninfo)
            self.async_session = sessionmaker(bind=self.engine, expire_on_commit=False, class_=AsyncSession)

    async def update_thread(self, thread_id: str, name=None, user_id=None, metadata=None, tags=None):
        """Chainlit calls this before every step it writes, to make sure the thread row exists: once
        this instance has written the thread, a call that changes nothing is not another query."""
        if thread_id in self._threads and name is None and user_id is None and metadata is None and tags is None:
            self._threads.move_to_end(thread_id)
            return
        await super().update_thread(thread_id, name=name, user_id=user_id, metadata=metadata, tags=tags)
        remember(self._threads, thread_id)

    async def delete_thread(self, thread_id: str):
        self._threads.pop(thread_id, None)
        return await super().delete_thread(thread_id)

    async def create_step(self, step_dict):
        """Every step is kept, except one that is shown only while its turn runs (a write of a
        step and three deletes a turn that nobody would ever read back)."""
        if (step_dict.get("metadata") or {}).get(LIVE_ONLY):
            remember(self._live, step_dict["id"])
            return
        await super().create_step(step_dict)

    async def delete_step(self, step_id: str):
        if step_id in self._live:
            del self._live[step_id]
            return
        await super().delete_step(step_id)

    async def step_owner(self, step_id: str) -> str | None:
        rows = await self.execute_sql(
            'SELECT t."userIdentifier" AS owner FROM steps s JOIN threads t ON t."id" = s."threadId" '
            'WHERE s."id" = :step_id', {"step_id": step_id})
        return rows[0]["owner"] if isinstance(rows, list) and rows else None

    async def feedback_owner(self, feedback_id: str) -> str | None:
        rows = await self.execute_sql(
            'SELECT t."userIdentifier" AS owner FROM feedbacks f JOIN steps s ON s."id" = f."forId" '
            'JOIN threads t ON t."id" = s."threadId" WHERE f."id" = :feedback_id', {"feedback_id": feedback_id})
        return rows[0]["owner"] if isinstance(rows, list) and rows else None

    async def check_feedback(self, user: str | None, for_id: str | None, feedback_id: str | None) -> None:
        """Raises NotYours unless `user` owns the message and, when it exists, the feedback being changed."""
        if user is None:
            raise NotYours("not signed in")
        if for_id is not None and await self.step_owner(for_id) != user:
            raise NotYours(f"message {for_id} is not in one of your threads")
        if feedback_id is not None and (owner := await self.feedback_owner(feedback_id)) is not None and owner != user:
            raise NotYours(f"feedback {feedback_id} is another user's")
        if for_id is None and feedback_id is not None and await self.feedback_owner(feedback_id) is None:
            raise NotYours(f"no feedback {feedback_id}")

    async def upsert_feedback(self, feedback: Feedback) -> str:
        await self.check_feedback(caller.get(), feedback.forId, feedback.id)
        return await super().upsert_feedback(feedback)

    async def delete_feedback(self, feedback_id: str) -> bool:
        await self.check_feedback(caller.get(), None, feedback_id)
        return await super().delete_feedback(feedback_id)


def remember(ids: OrderedDict[str, None], key: str) -> None:
    """Add to a bounded set of ids (insertion-ordered), forgetting the oldest beyond IDS_REMEMBERED."""
    ids[key] = None
    ids.move_to_end(key)
    if len(ids) > IDS_REMEMBERED:
        ids.popitem(last=False)


def one_sqlite_connection(conninfo: str):
    """An engine on a single SQLite connection in WAL mode without an fsync per commit.

    SQLite has one writer at a time. Chainlit writes several steps a turn, each in a transaction
    of its own; with a connection per concurrent turn, those transactions wait for SQLite's lock
    in its busy handler (sleeps of up to 100 ms). On one connection they queue in the event loop.
    """
    engine = create_async_engine(conninfo, pool_size=1, max_overflow=0, pool_timeout=120)

    @event.listens_for(engine.sync_engine, "connect")
    def pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine
