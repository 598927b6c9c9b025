"""Who may run a turn now: one user's turns one at a time (their memory changes in order, "#2"
means their last list), different users' turns side by side; background work waits for a
moment when no turn runs."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from contextlib import asynccontextmanager
from typing import AsyncIterator


class TurnGate:
    def __init__(self) -> None:
        self._users: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._running = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def running(self) -> int:
        """Turns running now."""
        return self._running

    @asynccontextmanager
    async def user(self, name: str) -> AsyncIterator[None]:
        """Held for a turn of `name` (or anything that changes or reads their memory as a whole)."""
        async with self._users[name]:
            self._running += 1
            self._quiet.clear()
            try:
                yield
            finally:
                self._running -= 1
                if not self._running:
                    self._quiet.set()

    async def quiet(self) -> None:
        """Return at a moment when no turn runs (turns that start after are not held up)."""
        await self._quiet.wait()
