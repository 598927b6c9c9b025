"""Conversation checkpoints in SQLite, pruned to the newest few per thread so a long chat stays small."""

from __future__ import annotations

from typing import Sequence

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

CHECKPOINTS_KEPT = 30
"""The default of Settings.checkpoints_kept: a turn writes about five checkpoints, so this keeps the
last six turns' steps. Each checkpoint holds the whole state (no delta channels in our graph), so
the newest one alone resumes the conversation; older ones only serve time travel, which we do not offer."""

# Checkpoint ids are uuid6 strings: they sort in the order they were written.
_KEPT = ("SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
         "ORDER BY checkpoint_id DESC LIMIT ?")
_NAMESPACES = "SELECT DISTINCT checkpoint_ns FROM checkpoints WHERE thread_id = ?"
_DELETE = ("DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id NOT IN (" + _KEPT + ")")
_THREADS = "SELECT DISTINCT thread_id FROM checkpoints"


def _keep_for(strategy: str, keep: int) -> int:
    if strategy == "keep_latest":
        return keep
    if strategy == "delete":
        return 0
    raise ValueError(f"unknown prune strategy {strategy!r}: 'keep_latest' or 'delete'")


class PrunedSqliteSaver(SqliteSaver):
    """SqliteSaver with `prune`: 'keep_latest' keeps the newest `keep` checkpoints of each thread."""

    def __init__(self, conn, *, keep: int = CHECKPOINTS_KEPT, **kwargs):
        super().__init__(conn, **kwargs)
        self.keep = max(1, keep)

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> int:
        """Delete all but the newest checkpoints (and their pending writes); how many checkpoints went."""
        keep, gone = _keep_for(strategy, self.keep), 0
        with self.cursor() as cur:
            for thread in map(str, thread_ids):
                for (ns,) in cur.execute(_NAMESPACES, (thread,)).fetchall():
                    cur.execute(_DELETE.format(table="writes"), (thread, ns, thread, ns, keep))
                    gone += cur.execute(_DELETE.format(table="checkpoints"), (thread, ns, thread, ns, keep)).rowcount
        return gone

    def compact(self) -> int:
        """Prune every thread (older data dirs kept every checkpoint)."""
        with self.cursor(transaction=False) as cur:
            threads = [r[0] for r in cur.execute(_THREADS).fetchall()]
        return self.prune(threads)


class PrunedAsyncSqliteSaver(AsyncSqliteSaver):
    """AsyncSqliteSaver with the same pruning, for the web app."""

    def __init__(self, conn, *, keep: int = CHECKPOINTS_KEPT, **kwargs):
        super().__init__(conn, **kwargs)
        self.keep = max(1, keep)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> int:
        keep, gone = _keep_for(strategy, self.keep), 0
        await self.setup()
        async with self.lock, self.conn.cursor() as cur:
            for thread in map(str, thread_ids):
                await cur.execute(_NAMESPACES, (thread,))
                for (ns,) in await cur.fetchall():
                    await cur.execute(_DELETE.format(table="writes"), (thread, ns, thread, ns, keep))
                    await cur.execute(_DELETE.format(table="checkpoints"), (thread, ns, thread, ns, keep))
                    gone += cur.rowcount
            await self.conn.commit()
        return gone

    async def acompact(self) -> int:
        await self.setup()
        async with self.lock, self.conn.cursor() as cur:
            await cur.execute(_THREADS)
            threads = [r[0] for r in await cur.fetchall()]
        return await self.aprune(threads)
