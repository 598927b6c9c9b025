"""Storage after a long conversation: checkpoint and undo-journal bytes of one thread, and undo still working.

    uv run python -m evals.storage_growth --turns 1000
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.session import Session
from tools.catalog.store import load_catalog
from tools.library import open_library

CONVERSATION = [
    "I want to learn linear algebra", "more like #2", "why #1", "nothing over 20 minutes", "block 3Blue1Brown",
    "unblock 3Blue1Brown", "I'm into astronomy", "drop astronomy", "undo", "clear limits",
    "show me something about sourdough", "less crypto", "hide #3", "what do you know about me",
    "I like chess openings", "only videos since 2020", "more like #1", "forget chess openings", "hello", "#4",
]
USER, THREAD = "growth", "main"
HOBBIES = ["pottery", "origami", "birdwatching", "beekeeping", "calligraphy", "fencing", "rowing", "falconry",
           "glassblowing", "woodturning", "archery", "bonsai", "sailing", "quilting", "juggling", "orienteering",
           "taxidermy", "lacrosse", "bookbinding", "mosaics"]


def thread_bytes(data: Path, thread: str) -> tuple[int, int]:
    """(checkpoints, bytes) the thread's checkpoints and pending writes hold in threads.sqlite."""
    with sqlite3.connect(data / "threads.sqlite") as db:
        count, size = db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) "
                                 "FROM checkpoints WHERE thread_id = ?", (thread,)).fetchone()
        writes = db.execute("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes WHERE thread_id = ?",
                            (thread,)).fetchone()[0]
    return count, size + writes


def journal_bytes(data: Path, user: str) -> tuple[int, int]:
    with sqlite3.connect(data / "memory.sqlite") as db:
        return db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(snapshot)), 0) FROM journal WHERE user = ?",
                          (user,)).fetchone()


def undo_holds(session: Session, changes: int) -> bool:
    """Make `changes` more changes, then undo each: memory goes back through every state in order."""
    lib = session.lib
    states = []
    for n in range(changes):
        states.append(lib.users.export(USER)["interests"])
        session.ask(f"I'm into {HOBBIES[n % len(HOBBIES)]}", user=USER, thread=THREAD)
    for n in reversed(range(changes)):
        session.ask("undo", user=USER, thread=THREAD)
        if lib.users.export(USER)["interests"] != states[n]:
            return False
    return True


def run(turns: int, kept: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        lib = open_library(load_catalog(), data)
        session = Session(lib, data) if kept is None else Session(lib, data, checkpoints_kept=kept)
        started = time.perf_counter()
        for text in itertools.islice(itertools.cycle(CONVERSATION), turns):
            session.ask(text, user=USER, thread=THREAD)
        seconds = time.perf_counter() - started
        count, size = thread_bytes(data, f"{USER}:{THREAD}")
        entries, journal = journal_bytes(data, USER)
        holds = undo_holds(session, 20)
        session.close()
        file_mb = sum(p.stat().st_size for p in data.glob("threads.sqlite*")) / 1e6
        return {"turns": turns, "checkpoints": count, "checkpoint MB": size / 1e6, "threads.sqlite MB": file_mb,
                "journal entries": entries, "journal MB": journal / 1e6, "undo last 20": holds, "s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--unpruned-turns", type=int, default=100,
                        help="also run this many turns keeping every checkpoint, for comparison (0: skip)")
    args = parser.parse_args()
    rows = [("pruned (defaults)", run(args.turns, None))]
    if args.unpruned_turns:
        rows.append(("every checkpoint kept", run(args.unpruned_turns, 10 ** 9)))
    table = Table(title="Storage of one thread after a long conversation")
    for column in ["run", *rows[0][1]]:
        table.add_column(column, justify="left" if column == "run" else "right")
    for name, row in rows:
        table.add_row(name, *(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()))
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
