"""N people chatting at once with the web app, through the socket protocol the browser uses; prints
turn p50 / p95 / max and errors for each N.

    uv run python -m evals.load_chat                      # starts `chainlit run` on a free loopback port
    uv run python -m evals.load_chat --users 1 5 10 20 --turns 32
    uv run python -m evals.load_chat --url http://127.0.0.1:8000 --password-file users.txt

Bounded: at most 100 users and 100 turns each, and --deadline-s for the whole run; only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Table

from evals.chainlit_client import ChainlitClient
from evals.chainlit_server import ChainlitServer

TURNS = ["I want to learn linear algebra", "more like #1", "why #2", "astronomy", "nothing over 20 minutes",
         "recommend something", "block the channel of #3", "undo", "clear limits", "videos about probability",
         "drop astronomy", "not interested in #2", "what do you know about me?", "less calculus"]
"""What each simulated person says, in turn (then again from the top): lists, steering, why, undo."""
MAX_USERS = MAX_TURNS = 100


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else (values or [0.0])[0]


SIGN_INS_AT_ONCE = 10
"""Sign-ins in flight at once. The app counts a sign-in as a failure until its password is checked
(so that parallel guesses cannot slip in), 20 at most per address: 50 people signing in from one
address in the same instant would be held back, which is not what this script measures."""


async def person(url: str, name: str, password: str, turns: int, deadline: float,
                 signing_in: asyncio.Semaphore) -> tuple[list[float], int]:
    """One signed-in chat: the turn times, and how many turns failed (no end, an error, or no reply)."""
    client = ChainlitClient(url, timeout_s=120)
    times, errors = [], 0
    try:
        async with signing_in:
            signed_in = (await client.login(name, password)).status_code == 200
        if not signed_in:
            return [], turns
        await client.connect()
        for n in range(turns):
            if time.monotonic() > deadline:
                errors += turns - n
                break
            turn = await client.send(TURNS[n % len(TURNS)])
            times.append(turn.elapsed_s)
            errors += (not turn.ended) or turn.chainlit_error or not turn.shown.strip()
    except Exception:  # noqa: BLE001 - a dropped connection counts against the run, it does not end it
        errors += turns - len(times)
    finally:
        await client.close()
    return times, errors


async def load(url: str, accounts: list[tuple[str, str]], turns: int, deadline: float) -> tuple[list[float], int, float]:
    started = time.monotonic()
    signing_in = asyncio.Semaphore(SIGN_INS_AT_ONCE)
    results = await asyncio.gather(*(person(url, name, pw, turns, deadline, signing_in) for name, pw in accounts))
    times = [t for ts, _ in results for t in ts]
    return times, sum(e for _, e in results), time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--turns", type=int, default=32)
    ap.add_argument("--url", help="a running app on 127.0.0.1 (default: start one)")
    ap.add_argument("--password-file", type=Path, help="with --url: 'name:password' lines, as many as the largest N")
    ap.add_argument("--catalog", type=Path)
    ap.add_argument("--transcripts", type=Path)
    ap.add_argument("--deadline-s", type=float, default=1800.0)
    args = ap.parse_args()
    if max(args.users) > MAX_USERS or args.turns > MAX_TURNS:
        raise SystemExit(f"at most {MAX_USERS} users and {MAX_TURNS} turns each")
    deadline = time.monotonic() + args.deadline_s
    rows = []

    def run(url: str, accounts: list[tuple[str, str]]) -> None:
        for n in args.users:
            # Each N gets its own people, so nobody starts with what an earlier round left in memory.
            people = accounts[sum(u for u in args.users if u < n):][:n] if not args.url else accounts[:n]
            times, errors, wall = asyncio.run(load(url, people, args.turns, deadline))
            rows.append((str(n), str(len(times)), f"{statistics.median(times):.2f}" if times else "-",
                         f"{p95(times):.2f}" if times else "-", f"{max(times):.2f}" if times else "-",
                         str(errors), f"{wall:.0f}"))

    if args.url:
        if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("the load script targets only 127.0.0.1")
        if not args.password_file:
            raise SystemExit("--url needs --password-file")
        accounts = [tuple(line.split(":", 1)) for line in args.password_file.read_text().split() if ":" in line]
        run(args.url, accounts)
    else:
        accounts = [(f"load{n}", f"load{n}-pw") for n in range(sum(args.users))]
        env = {}
        if args.catalog:
            env["CLIPWISE_CATALOG"] = str(args.catalog.resolve())
        if args.transcripts:
            env["CLIPWISE_TRANSCRIPTS"] = str(args.transcripts.resolve())
        with tempfile.TemporaryDirectory(prefix="clipwise-load-") as tmp:
            server = ChainlitServer(Path(tmp) / "data", Path(tmp) / "server.log", dict(accounts), env)
            server.start(timeout_s=900)
            try:
                run(server.url, accounts)
            finally:
                server.stop()
    table = Table(title=f"{args.turns} turns per person, all at once")
    for column in ("people", "turns", "p50 s", "p95 s", "max s", "errors", "wall s"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


if __name__ == "__main__":
    main()
