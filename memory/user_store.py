"""Per-user memory in SQLite: interests with evidence, rules, feedback, seen record, undo journal."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS interests (
    id TEXT PRIMARY KEY, user TEXT NOT NULL, text TEXT NOT NULL, weight REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'dropped')),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (user, text)
);
CREATE TABLE IF NOT EXISTS evidence (
    id INTEGER PRIMARY KEY, interest_id TEXT NOT NULL REFERENCES interests(id) ON DELETE CASCADE,
    source TEXT NOT NULL, quote TEXT NOT NULL, ref TEXT, said_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rules (
    user TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (user, kind, value)
);
CREATE TABLE IF NOT EXISTS feedback (
    user TEXT NOT NULL, video_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (user, video_id, kind)
);
CREATE TABLE IF NOT EXISTS seen (
    user TEXT NOT NULL, video_id TEXT NOT NULL, shown_at TEXT NOT NULL,
    PRIMARY KEY (user, video_id)
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY, user TEXT NOT NULL, action TEXT NOT NULL,
    snapshot TEXT NOT NULL, at TEXT NOT NULL
);
"""
LIMIT_KINDS = ("max_duration_s", "min_duration_s", "published_after")
UNDOABLE_TABLES = ("interests", "evidence", "rules", "feedback")
KEYS = {"interests": ("id",), "evidence": ("id",), "rules": ("user", "kind", "value"),
        "feedback": ("user", "video_id", "kind")}
UNDO_KEPT = 50
"""The default of Settings.undo_kept: changes per user that undo can take back."""


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Evidence:
    source: str
    """'chat' (the user's words), 'liked_video', 'import' ..."""
    quote: str
    """The exact words or item the interest comes from."""
    said_at: str
    ref: str | None = None


@dataclass(frozen=True)
class Interest:
    id: str
    text: str
    weight: float
    status: str
    created_at: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Rules:
    """The user's hard rules, as the ranker applies them."""

    blocked_channels: tuple[str, ...] = ()
    max_duration_s: int | None = None
    min_duration_s: int | None = None
    published_after: dt.date | None = None
    hidden_videos: frozenset[str] = field(default_factory=frozenset)
    less_topics: tuple[str, ...] = ()
    """Topics to show less of: down-weighted in ranking, never filtered out."""
    unknown_ok: frozenset[str] = frozenset()
    """'length' / 'date': a video whose value is unknown passes that limit (by default it fails it)."""


class UserStore:
    """One SQLite file; every change is one transaction, so nothing is half-written.

    Tools run in worker threads (and several users may talk at once), so one lock guards
    the shared connection.
    """

    def __init__(self, path: Path, undo_kept: int = UNDO_KEPT):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.undo_kept = max(1, undo_kept)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    @contextmanager
    def change(self, user: str, action: str) -> Iterator[sqlite3.Connection]:
        """A change the user can undo: what it altered of the user's rows is journalled with it, as
        the rows to put back and the keys to take out (a diff, not a copy of the whole memory)."""
        with self.transaction() as db:
            before = self._snapshot(user)
            yield db
            reverse = journal_diff(before, self._snapshot(user))
            db.execute(
                "INSERT INTO journal (user, action, snapshot, at) VALUES (?, ?, ?, ?)",
                (user, action, json.dumps(reverse), now_iso()),
            )
            db.execute(
                "DELETE FROM journal WHERE user = ? AND id NOT IN "
                "(SELECT id FROM journal WHERE user = ? ORDER BY id DESC LIMIT ?)", (user, user, self.undo_kept))

    def _snapshot(self, user: str) -> dict[str, dict[str, dict]]:
        """The user's undoable rows, per table, by primary key."""
        snap = {}
        for table in UNDOABLE_TABLES:
            if table == "evidence":
                sql = "SELECT e.* FROM evidence e JOIN interests i ON i.id = e.interest_id WHERE i.user = ?"
            else:
                sql = f"SELECT * FROM {table} WHERE user = ?"
            snap[table] = {row_key(table, r): dict(r) for r in self._rows(sql, (user,))}
        return snap

    def undo(self, user: str) -> str | None:
        """Put back the user's memory as it was before their last change; its label, or None."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT id, action, snapshot FROM journal WHERE user = ? ORDER BY id DESC LIMIT 1", (user,)
            ).fetchone()
            if row is None:
                return None
            saved = json.loads(row["snapshot"])
            if "insert" in saved:
                apply_reverse(db, saved)
            else:
                restore_copy(db, user, saved)
            db.execute("DELETE FROM journal WHERE id = ?", (row["id"],))
            return row["action"]

    # -- interests ------------------------------------------------------------------
    def interests(self, user: str, status: str | None = None) -> list[Interest]:
        sql = "SELECT * FROM interests WHERE user = ?" + (" AND status = ?" if status else "")
        args = (user, status) if status else (user,)
        rows = self._rows(sql + " ORDER BY created_at, text", args)
        return [self._interest(r) for r in rows]

    def interest_records(self) -> dict[str, tuple[str, str, str]]:
        """Id -> (user, text, status) of every user's interests: what the interest vectors should mirror."""
        return {r["id"]: (r["user"], r["text"], r["status"]) for r in self._rows("SELECT id, user, text, status FROM interests")}

    def find_interest(self, user: str, text: str) -> Interest | None:
        rows = self._rows("SELECT * FROM interests WHERE user = ? AND text = ?", (user, normalise_topic(text)))
        return self._interest(rows[0]) if rows else None

    def _interest(self, row: sqlite3.Row) -> Interest:
        ev = self._rows("SELECT source, quote, said_at, ref FROM evidence WHERE interest_id = ? ORDER BY id", (row["id"],))
        return Interest(
            id=row["id"], text=row["text"], weight=row["weight"], status=row["status"],
            created_at=row["created_at"], evidence=tuple(Evidence(**dict(e)) for e in ev),
        )

    def upsert_interest(
        self, db: sqlite3.Connection, user: str, text: str, evidence: Evidence,
        weight: float = 1.0, status: str = "active",
    ) -> str:
        """Add or re-activate an interest and attach the evidence; returns its id."""
        text = normalise_topic(text)
        row = db.execute("SELECT id, weight FROM interests WHERE user = ? AND text = ?", (user, text)).fetchone()
        stamp = now_iso()
        if row:
            interest_id = row["id"]
            db.execute(
                "UPDATE interests SET status = ?, weight = ?, updated_at = ? WHERE id = ?",
                (status, max(weight, row["weight"]), stamp, interest_id),
            )
        else:
            interest_id = uuid.uuid4().hex[:12]
            db.execute(
                "INSERT INTO interests VALUES (?, ?, ?, ?, ?, ?, ?)",
                (interest_id, user, text, weight, status, stamp, stamp),
            )
        self.add_evidence(db, interest_id, evidence)
        return interest_id

    def delete_interest(self, db: sqlite3.Connection, interest_id: str) -> None:
        db.execute("DELETE FROM interests WHERE id = ?", (interest_id,))

    def add_evidence(self, db: sqlite3.Connection, interest_id: str, evidence: Evidence) -> None:
        db.execute(
            "INSERT INTO evidence (interest_id, source, quote, ref, said_at) VALUES (?, ?, ?, ?, ?)",
            (interest_id, evidence.source, evidence.quote, evidence.ref, evidence.said_at),
        )

    def evidence_refs(self, user: str) -> set[tuple[str, str]]:
        """(source, ref) of every piece of evidence the user has: what an import already added."""
        rows = self._rows(
            "SELECT e.source, e.ref FROM evidence e JOIN interests i ON i.id = e.interest_id "
            "WHERE i.user = ? AND e.ref IS NOT NULL", (user,))
        return {(r["source"], r["ref"]) for r in rows}

    def evidence_sources(self, user: str) -> dict[int, str]:
        """Id -> source of every piece of evidence the user has (what `forget --evidence` may name)."""
        rows = self._rows("SELECT e.id, e.source FROM evidence e JOIN interests i ON i.id = e.interest_id "
                          "WHERE i.user = ? ORDER BY e.id", (user,))
        return {r["id"]: r["source"] for r in rows}

    def delete_evidence(self, db: sqlite3.Connection, user: str, evidence_ids: list[int]) -> tuple[int, list[str]]:
        """Delete the user's pieces of evidence among these ids; an interest left with none goes too.
        Returns how many pieces were deleted and the texts of the interests that went with them."""
        if not evidence_ids:
            return 0, []
        marks = ", ".join("?" for _ in evidence_ids)
        owners = db.execute(
            f"SELECT DISTINCT e.interest_id FROM evidence e JOIN interests i ON i.id = e.interest_id "
            f"WHERE i.user = ? AND e.id IN ({marks})", (user, *evidence_ids)).fetchall()
        deleted = db.execute(f"DELETE FROM evidence WHERE id IN ({marks}) AND interest_id IN "
                             f"(SELECT id FROM interests WHERE user = ?)", (*evidence_ids, user)).rowcount
        emptied = []
        for row in owners:
            left = db.execute("SELECT COUNT(*) FROM evidence WHERE interest_id = ?", (row[0],)).fetchone()[0]
            if not left:
                emptied.append(db.execute("SELECT text FROM interests WHERE id = ?", (row[0],)).fetchone()[0])
                db.execute("DELETE FROM interests WHERE id = ?", (row[0],))
        return deleted, emptied

    def rename_interest(self, db: sqlite3.Connection, interest_id: str, text: str) -> None:
        db.execute("UPDATE interests SET text = ?, updated_at = ? WHERE id = ?", (text, now_iso(), interest_id))

    def export(self, user: str) -> dict:
        """Everything stored about the user, as plain JSON-able data (evidence with its ids)."""
        interests = []
        for row in self._rows("SELECT * FROM interests WHERE user = ? ORDER BY created_at, text", (user,)):
            ev = self._rows("SELECT id, source, quote, ref, said_at FROM evidence WHERE interest_id = ? ORDER BY id",
                            (row["id"],))
            interests.append(dict(row, evidence=[dict(e) for e in ev]))
        tables = {t: [dict(r) for r in self._rows(f"SELECT * FROM {t} WHERE user = ?", (user,))]
                  for t in ("rules", "feedback", "seen")}
        # Each journal entry keeps the rows its change altered (forgotten evidence included) until it
        # ages out or `forget --all`; the export lists the entries, not the rows.
        undo = [dict(r) for r in self._rows("SELECT action, at FROM journal WHERE user = ? ORDER BY id", (user,))]
        return {"user": user, "exported_at": now_iso(), "interests": interests, **tables, "undo_history": undo}

    def has_user(self, user: str) -> bool:
        """Whether this memory holds anything of the user (their undo journal included)."""
        return any(self._rows(f"SELECT 1 FROM {t} WHERE user = ? LIMIT 1", (user,))
                   for t in ("interests", "rules", "feedback", "seen", "journal"))

    def forget_user(self, user: str) -> int:
        """Delete everything stored about the user, the undo journal included; returns rows deleted."""
        with self.transaction() as db:
            return sum(db.execute(f"DELETE FROM {t} WHERE user = ?", (user,)).rowcount
                       for t in ("interests", "rules", "feedback", "seen", "journal"))

    # -- rules, feedback, seen ------------------------------------------------------
    def rules(self, user: str) -> Rules:
        rows = self._rows("SELECT kind, value FROM rules WHERE user = ?", (user,))
        limits = {r["kind"]: r["value"] for r in rows if r["kind"] in LIMIT_KINDS}
        hidden = self._rows("SELECT video_id FROM feedback WHERE user = ? AND kind = 'not_interested'", (user,))
        return Rules(
            blocked_channels=tuple(sorted(r["value"] for r in rows if r["kind"] == "block_channel")),
            max_duration_s=int(limits["max_duration_s"]) if "max_duration_s" in limits else None,
            min_duration_s=int(limits["min_duration_s"]) if "min_duration_s" in limits else None,
            published_after=dt.date.fromisoformat(limits["published_after"]) if "published_after" in limits else None,
            hidden_videos=frozenset(r["video_id"] for r in hidden),
            less_topics=tuple(sorted(r["value"] for r in rows if r["kind"] == "less_topic")),
            unknown_ok=frozenset(r["value"] for r in rows if r["kind"] == "unknown_ok"),
        )

    def set_rule(self, db: sqlite3.Connection, user: str, kind: str, value: str) -> None:
        if kind in LIMIT_KINDS:
            db.execute("DELETE FROM rules WHERE user = ? AND kind = ?", (user, kind))
        db.execute("INSERT OR REPLACE INTO rules VALUES (?, ?, ?, ?)", (user, kind, value, now_iso()))

    def remove_rule(self, db: sqlite3.Connection, user: str, kind: str, value: str | None = None) -> int:
        sql, args = "DELETE FROM rules WHERE user = ? AND kind = ?", [user, kind]
        if value is not None:
            sql, args = sql + " AND value = ?", args + [value]
        return db.execute(sql, args).rowcount

    def add_feedback(self, db: sqlite3.Connection, user: str, video_id: str, kind: str) -> None:
        db.execute("INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?)", (user, video_id, kind, now_iso()))

    def mark_seen(self, user: str, video_ids: list[str]) -> None:
        stamp = now_iso()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", [(user, vid, stamp) for vid in video_ids]
            )

    def seen(self, user: str) -> set[str]:
        return {r[0] for r in self._rows("SELECT video_id FROM seen WHERE user = ?", (user,))}

    def clear_seen(self, user: str) -> int:
        with self.transaction() as db:
            return db.execute("DELETE FROM seen WHERE user = ?", (user,)).rowcount


def normalise_topic(text: str) -> str:
    """Topics are stored lower-case with single spaces, so 'Linear  Algebra' = 'linear algebra'."""
    return " ".join(text.lower().split()).strip(" .,!?;:'\"")


def row_key(table: str, row) -> str:
    return json.dumps([row[k] for k in KEYS[table]])


def journal_diff(before: dict[str, dict[str, dict]], after: dict[str, dict[str, dict]]) -> dict:
    """What undoes the change from `before` to `after`: rows to insert again, rows to set back, keys to delete."""
    reverse: dict[str, dict] = {"insert": {}, "update": {}, "delete": {}}
    for table in UNDOABLE_TABLES:
        old, new = before[table], after[table]
        reverse["insert"][table] = [row for key, row in old.items() if key not in new]
        reverse["update"][table] = [row for key, row in old.items() if key in new and new[key] != row]
        reverse["delete"][table] = [{k: new[key][k] for k in KEYS[table]} for key in new if key not in old]
    return reverse


def apply_reverse(db: sqlite3.Connection, reverse: dict) -> None:
    """Undo one journalled change. Evidence goes before its interest and comes back after it; a
    changed interest is updated in place, so its untouched evidence stays."""
    for table in ("evidence", "interests", "rules", "feedback"):
        for key in reverse["delete"][table]:
            where = " AND ".join(f"{k} = ?" for k in key)
            db.execute(f"DELETE FROM {table} WHERE {where}", tuple(key.values()))
    for table in UNDOABLE_TABLES:
        for row in reverse["update"][table]:
            keys = KEYS[table]
            sets = ", ".join(f"{k} = ?" for k in row if k not in keys)
            where = " AND ".join(f"{k} = ?" for k in keys)
            db.execute(f"UPDATE {table} SET {sets} WHERE {where}",
                       (*(v for k, v in row.items() if k not in keys), *(row[k] for k in keys)))
        for row in reverse["insert"][table]:
            cols, marks = ", ".join(row), ", ".join("?" for _ in row)
            db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))


def restore_copy(db: sqlite3.Connection, user: str, copy: dict[str, list[dict]]) -> None:
    """Undo an entry journalled by older versions, which kept a whole copy of the memory."""
    db.execute("DELETE FROM interests WHERE user = ?", (user,))  # evidence cascades
    for table in ("rules", "feedback"):
        db.execute(f"DELETE FROM {table} WHERE user = ?", (user,))
    for table in UNDOABLE_TABLES:
        for row in copy[table]:
            cols, marks = ", ".join(row), ", ".join("?" for _ in row)
            db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))
