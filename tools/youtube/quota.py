"""A per-day ledger of YouTube Data API quota units, kept in SQLite so it survives restarts."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

LEDGER_FILE = "youtube-quota.sqlite"
QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")
"""YouTube's quota day starts at midnight Pacific time."""

Clock = Callable[[], dt.datetime]
"""Returns the current time as a timezone-aware datetime."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class QuotaLedger:
    """Units spent per (Pacific-time day, API method), and whether YouTube said the day's quota is gone."""

    def __init__(self, path: Path, daily_budget: int, clock: Clock = utc_now):
        self.path = Path(path)
        self.daily_budget = daily_budget
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS spent (day TEXT NOT NULL, method TEXT NOT NULL,"
                " units INTEGER NOT NULL, PRIMARY KEY (day, method))"
            )
            db.execute("CREATE TABLE IF NOT EXISTS exhausted (day TEXT PRIMARY KEY)")

    def today(self) -> str:
        """The quota day as YouTube counts it: the date in Los Angeles."""
        return self.clock().astimezone(QUOTA_TIMEZONE).date().isoformat()

    def can_spend(self, units: int) -> bool:
        return not self.marked_exhausted() and self.spent_today() + units <= self.daily_budget

    def spend(self, method: str, units: int) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO spent (day, method, units) VALUES (?, ?, ?)"
                " ON CONFLICT (day, method) DO UPDATE SET units = units + excluded.units",
                (self.today(), method, units),
            )

    def mark_exhausted(self) -> None:
        """YouTube answered quotaExceeded: make no more calls until the quota day ends."""
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO exhausted (day) VALUES (?)", (self.today(),))

    def marked_exhausted(self) -> bool:
        with self._db() as db:
            return db.execute("SELECT 1 FROM exhausted WHERE day = ?", (self.today(),)).fetchone() is not None

    def spent_today(self) -> int:
        with self._db() as db:
            (units,) = db.execute("SELECT COALESCE(SUM(units), 0) FROM spent WHERE day = ?", (self.today(),)).fetchone()
        return int(units)

    def remaining(self) -> int:
        return 0 if self.marked_exhausted() else max(0, self.daily_budget - self.spent_today())

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation: the ledger is touched a few times per search, and this way
        # several processes (CLI, web UI) can share one file without holding it open.
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            with db:
                yield db
