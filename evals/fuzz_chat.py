"""Random chat messages through full turns on the demo catalog: crashed turns, tracebacks and latency, as a table.

    uv run python -m evals.fuzz_chat --turns 10000
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.session import Session
from tools.catalog.store import load_catalog
from tools.library import open_library

WORDS = ["more like", "why", "hide", "block", "unblock", "drop", "less", "forget", "add", "rename", "to", "since",
         "from", "between", "and", "under", "over", "at least", "at most", "nothing over", "the last", "the first",
         "top", "past", "this year", "minutes", "hours", "days", "months", "years", "month", "of", "#", "number",
         "the", "one", "third", "astronomy", "linear algebra", "crypto", "3blue1brown", "channel", "seen", "undo",
         "help", "1", "2", "yes", "no", "shorter", "longer", "recent", ",", "-", "January", "Feb"]
JUNK = ["\x00", "\x1b[31m", "\u202e", "\ufeff", "\r\n", "\t", "\u0301", "🙂", "ﬁ", "İ", "ß", "'", '"']


def figure(rng: random.Random) -> str:
    return rng.choice([
        str(rng.randint(-10, 10 ** rng.randint(1, 30))), "9" * rng.randint(1, 60), f"{rng.random() * 10 ** 6:.3f}",
        "%04d-%02d-%02d" % (rng.randint(0, 9999), rng.randint(0, 99), rng.randint(0, 99)),
        f"{rng.randint(0, 40)} {rng.choice(['March', 'Feb', 'month'])} {rng.randint(0, 9999):04d}",
    ])


def message(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 12)):
        kind = rng.random()
        if kind < 0.5:
            parts.append(rng.choice(WORDS))
        elif kind < 0.75:
            parts.append(rng.choice(["", "#", ""]) + figure(rng) + rng.choice(["", "th", ""]))
        elif kind < 0.9:
            parts.append("".join(rng.choice(JUNK + list(string.printable)) for _ in range(rng.randint(1, 8))))
        elif kind < 0.97:
            parts.append("".join(chr(rng.randint(32, 0x2FFFF)) for _ in range(rng.randint(1, 6)))
                         .encode("utf-8", "replace").decode("utf-8", "replace"))
        else:
            parts.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(100, 1500))))
    return " ".join(parts)


def run(turns: int, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        session = Session(open_library(load_catalog(), data), data)
        latencies, crashed, tracebacks, worst = [], 0, 0, ""
        try:
            for n in range(turns):
                said = message(rng)
                started = time.perf_counter()
                try:
                    reply = session.ask(said, user="fuzz", thread=f"t{n // 50}").reply
                except Exception as exc:  # counted: Session.ask should never raise
                    reply, tracebacks = f"raised {type(exc).__name__}", tracebacks + 1
                latencies.append((time.perf_counter() - started) * 1000)
                if "(ref " in reply or reply.startswith("raised") or "Traceback" in reply:
                    crashed += 1
                    worst = worst or said[:80]
        finally:
            session.close()
    ordered = sorted(latencies)
    return {"messages": turns, "crashed turns": crashed, "tracebacks": tracebacks,
            "p50 ms": statistics.median(ordered), "p95 ms": ordered[int(0.95 * (len(ordered) - 1))],
            "first crashing message": worst or "-"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    row = run(args.turns, args.seed)
    table = Table(title=f"fuzz chat: {args.turns:,} random messages, seed {args.seed}")
    for name in row:
        table.add_column(name, justify="right")
    table.add_row(*(f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else repr(v)
                    for v in row.values()))
    Console().print(table)


if __name__ == "__main__":
    main()
