"""Chainlit's history as the app writes it: every step kept but the live trace of a running turn."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from chainlit.context import init_http_context

from agent.web.owned_data_layer import LIVE_ONLY, OwnedDataLayer
from agent.web.web_views import ensure_chainlit_schema


def step(step_id: str, name: str, live: bool = False) -> dict:
    return {"id": step_id, "name": name, "type": "tool", "threadId": "thread-1", "streaming": False,
            "output": "search: 5 candidates; kept 5",
            "createdAt": f"2026-12-07T10:00:0{len(step_id) % 10}Z", "metadata": {LIVE_ONLY: True} if live else {}}


def kept(path: Path) -> tuple[list[str], int]:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute('SELECT "name" FROM steps ORDER BY "id"')]
        threads = db.execute('SELECT count(*) FROM threads WHERE "id" = ?', ("thread-1",)).fetchone()[0]
    return names, threads


def test_the_live_trace_is_shown_not_kept_and_what_the_turn_leaves_is_kept(tmp_path):
    path = tmp_path / "chainlit.sqlite"
    ensure_chainlit_schema(path)

    shown_while_running: list[str] = []

    async def one_turn() -> None:
        init_http_context()
        layer = OwnedDataLayer(conninfo=f"sqlite+aiosqlite:///{path}")
        try:
            await layer.create_step(step("a-live", "Using search", live=True))
            await layer.update_step(step("a-live", "Used search, recommend", live=True))
            shown_while_running.extend(kept(path)[0])
            await layer.delete_step("a-live")
            await layer.create_step(step("b-reply", "clipwise"))
            await layer.create_step(step("c-folded", "Used search, recommend"))
            await layer.update_step(step("b-reply", "clipwise (edited)"))
        finally:
            await layer.engine.dispose()

    asyncio.run(one_turn())

    assert shown_while_running == []  # the live trace went to the page only
    assert kept(path) == (["clipwise (edited)", "Used search, recommend"], 1)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
