"""What happens when a chat turn fails: its memory changes are undone and the thread is put back so the next turn works."""

from __future__ import annotations

import logging

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig

from tools.library import Library

log = logging.getLogger("clipwise.failed_turn")


def journal_mark(lib: Library, user: str) -> int:
    """The id of the user's newest undo-journal entry (0 for none): changes after it belong to this turn."""
    with lib.users.lock:
        row = lib.users.db.execute("SELECT MAX(id) FROM journal WHERE user = ?", (user,)).fetchone()
    return row[0] or 0


def undo_turn(lib: Library, user: str, mark: int) -> int:
    """Undo every change the user's memory took since `mark` (a failed turn's finished tool calls);
    how many were undone. Each undo is one transaction, so memory is never left half-reverted."""
    undone = 0
    while journal_mark(lib, user) > mark:
        lib.undo(user)
        undone += 1
    return undone


def closing_update(text: str, reply: str) -> dict:
    """The failed turn as the conversation remembers it: what was said and the apology shown."""
    return {"messages": [HumanMessage(text), AIMessage(reply)]}


def repair_thread(graph, before: RunnableConfig | None, thread: RunnableConfig, text: str, reply: str) -> None:
    """Fork the thread from its checkpoint before the failed turn, so no half-run step, dangling tool call
    or unserialisable value of that turn is resumed by the next message."""
    try:
        if before is None:  # the thread's first turn: start it again from nothing
            graph.checkpointer.delete_thread(thread["configurable"]["thread_id"])
        graph.update_state(before or thread, closing_update(text, reply), as_node="controller")
    except Exception:  # the reply is already decided; a thread that cannot be repaired is logged, not shown
        log.exception("could not repair the thread after a failed turn")


async def arepair_thread(graph, before: RunnableConfig | None, thread: RunnableConfig, text: str, reply: str) -> None:
    try:
        if before is None:
            await graph.checkpointer.adelete_thread(thread["configurable"]["thread_id"])
        await graph.aupdate_state(before or thread, closing_update(text, reply), as_node="controller")
    except Exception:
        log.exception("could not repair the thread after a failed turn")
