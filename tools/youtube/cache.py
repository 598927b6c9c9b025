"""An on-disk cache of YouTube responses: fresh reads within a TTL per kind, stale reads for fallback."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path

import diskcache

from tools.youtube.quota import Clock, utc_now

log = logging.getLogger(__name__)

CACHE_DIR = "youtube-cache"
"""Folder under the data dir; delete it (or call clear()) to forget every cached response."""

HOUR = 3600
DAY = 24 * HOUR
TTL_S = {
    "search": 6 * HOUR,
    "details": 7 * DAY,
    "transcript-failure": 3 * DAY,
}
"""How long an entry counts as fresh, per kind."""
KEEP_S = 90 * DAY
"""How long entries stay on disk at all: past their TTL they still serve as a fallback."""


class ResponseCache:
    """JSON values keyed by (kind, request parameters); never holds the API key."""

    def __init__(self, directory: Path, clock: Clock = utc_now):
        self.directory = Path(directory)
        self.clock = clock
        self._store = _open(self.directory)

    def get(self, kind: str, key: object) -> object | None:
        """The value if it is still within its TTL, else None."""
        entry = self._entry(kind, key)
        if entry is None:
            return None
        fresh_until, value = entry
        return value if self._now() <= fresh_until else None

    def get_stale(self, kind: str, key: object) -> object | None:
        """The value however old it is: for when YouTube cannot be asked."""
        entry = self._entry(kind, key)
        return None if entry is None else entry[1]

    def put(self, kind: str, key: object, value: object, ttl_s: int | None = None) -> None:
        """Store a JSON-serialisable value; ttl_s overrides the kind's TTL for this entry."""
        if kind not in TTL_S and ttl_s is None:
            raise ValueError(f"unknown cache kind {kind!r}")
        text = json.dumps({"fetched_at": self._now(), "ttl_s": ttl_s, "value": value})
        try:
            self._store.set(_db_key(kind, key), text, expire=max(KEEP_S, ttl_s or 0))
        except (OSError, sqlite3.Error) as exc:
            log.warning("Could not write to the YouTube cache in %s: %s", self.directory, exc)

    def clear(self) -> None:
        self._store.clear()

    def close(self) -> None:
        self._store.close()

    def _entry(self, kind: str, key: object) -> tuple[float, object] | None:
        """(fresh until, value) of a stored entry, or None."""
        db_key = _db_key(kind, key)
        try:
            text = self._store.get(db_key)
            if text is None:
                return None
            entry = json.loads(text)
            ttl = entry["ttl_s"] if entry.get("ttl_s") is not None else TTL_S.get(kind, 0)
            return float(entry["fetched_at"]) + float(ttl), entry["value"]
        except Exception as exc:  # noqa: BLE001 - an unreadable entry is a miss, whatever broke it
            log.warning("Discarding an unreadable %s entry in the YouTube cache: %s", kind, type(exc).__name__)
            self._discard(db_key)
            return None

    def _discard(self, db_key: str) -> None:
        try:
            self._store.delete(db_key)
        except (OSError, sqlite3.Error):
            pass

    def _now(self) -> float:
        return self.clock().timestamp()


def _db_key(kind: str, key: object) -> str:
    return f"{kind}|{json.dumps(key, sort_keys=True, separators=(',', ':'))}"


def _open(directory: Path) -> diskcache.Cache:
    try:
        return diskcache.Cache(str(directory))
    except sqlite3.DatabaseError:
        # A damaged index file: the cache holds nothing that cannot be fetched again.
        log.warning("The YouTube cache in %s was unreadable and has been emptied.", directory)
        shutil.rmtree(directory, ignore_errors=True)
        return diskcache.Cache(str(directory))
