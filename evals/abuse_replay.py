"""Replay hostile uploads, chat lines and web abuse against a running app on 127.0.0.1 while other users chat;
prints per case the server's peak RSS, what the attacker was shown, and the other users' turn p95.

    uv run python -m evals.abuse_replay            # starts `chainlit run` on a free loopback port
    uv run python -m evals.abuse_replay --url http://127.0.0.1:8000 --password-file users.txt
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import urlsplit

import httpx
import socketio
from rich.console import Console
from rich.table import Table

from evals.chainlit_client import ChainlitClient, Turn
from evals.chainlit_server import ChainlitServer, RssPeak, pid_listening_on
from evals.hostile_import_rss import cases as hostile_files

OTHER_TURNS = ["I want to learn linear algebra", "more like #1", "why #2", "astronomy", "nothing over 20 minutes",
               "clear limits", "block 3Blue1Brown", "unblock 3Blue1Brown"]
HOSTILE_LINES = ["since 0000", "since 2024-13-45", "more like #99999999999999999999", "nothing over 1e308 minutes",
                 "\x1b[31mred\x1b[0m <script>alert(1)</script>", "a" * 100_000]
MIME = {".zip": "application/zip", ".json": "application/json", ".js": "application/json", ".md": "text/markdown"}
LEAKS = ("Traceback", "File \"", "Error:", "Exception")
EVIL = "https://evil.example"


@dataclass
class Others:
    """Signed-in users chatting in a loop; every turn's start and length is kept."""

    url: str
    accounts: list[tuple[str, str]]
    turns: list[tuple[float, float, bool]] = field(default_factory=list)
    """(started, seconds, failed) of every turn."""
    _tasks: list[asyncio.Task] = field(default_factory=list)
    _clients: list[ChainlitClient] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        for name, password in self.accounts:
            client = await signed_in(self.url, name, password, timeout_s=120)
            self._clients.append(client)
            self._tasks.append(asyncio.create_task(self._chat(client)))

    async def _chat(self, client: ChainlitClient) -> None:
        n = 0
        while not self._stop.is_set():
            started = time.monotonic()
            turn = await client.send(OTHER_TURNS[n % len(OTHER_TURNS)])
            self.turns.append((started, turn.elapsed_s, not turn.ended or turn.chainlit_error or leaked(turn)))
            n += 1
            await asyncio.sleep(0.2)

    def during(self, t0: float, t1: float) -> list[tuple[float, float, bool]]:
        """Turns that overlapped the window."""
        return [t for t in self.turns if t[0] < t1 and t[0] + t[1] > t0]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for client in self._clients:
            await client.close()


def leaked(turn: Turn) -> bool:
    return any(word in turn.shown for word in LEAKS)


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[18]


async def signed_in(url: str, name: str, password: str, connect: bool = True,
                    timeout_s: float = 600) -> ChainlitClient:
    client = ChainlitClient(url, timeout_s=timeout_s)
    response = await client.login(name, password)
    if response.status_code != 200:
        raise SystemExit(f"{name} could not sign in at {url}: HTTP {response.status_code}")
    if connect:
        await client.connect()
    return client


def upload_case(url: str, account: tuple[str, str], path: Path) -> Callable[[], Awaitable[str]]:
    async def case() -> str:
        client = await signed_in(url, *account)
        try:
            uploaded = await client.upload(path, MIME.get(path.suffix, "application/octet-stream"))
            if uploaded.status_code != 200:
                return f"upload refused: HTTP {uploaded.status_code} {uploaded.text[:80]}"
            turn = await client.send("", [uploaded.json()["id"]])
            return ("TRACEBACK SHOWN: " if leaked(turn) or turn.chainlit_error else "") + one_line(turn)
        finally:
            await client.close()
    return case


def chat_case(url: str, account: tuple[str, str]) -> Callable[[], Awaitable[str]]:
    async def case() -> str:
        client = await signed_in(url, *account)
        try:
            turns = [await client.send(line) for line in HOSTILE_LINES]
            bad = [line[:20] for line, t in zip(HOSTILE_LINES, turns) if leaked(t) or t.chainlit_error or not t.ended]
            return f"{len(turns)} answered, " + (f"TRACEBACK/NO ANSWER for {bad}" if bad else "no traceback, no crash")
        finally:
            await client.close()
    return case


def password_case(url: str, account: tuple[str, str]) -> Callable[[], Awaitable[str]]:
    async def case() -> str:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            codes = [(await http.post("/login", data={"username": account[0], "password": f"guess{n}"})).status_code
                     for n in range(300)]
            right = await http.post("/login", data={"username": account[0], "password": account[1]})
        return (f"300 wrong: {codes.count(401)}×401, {codes.count(429)}×429; then the right one: "
                f"{right.status_code} (Retry-After {right.headers.get('Retry-After', '-')})")
    return case


def logout_case(url: str, account: tuple[str, str]) -> Callable[[], Awaitable[str]]:
    async def case() -> str:
        client = await signed_in(url, *account, connect=False)
        try:
            before = (await client.get("/user")).status_code
            await client.logout()
            after = (await client.get("/user")).status_code
            return f"GET /user with the token: {before} before signing out, {after} after"
        finally:
            await client.close()
    return case


def cross_origin_case(url: str, account: tuple[str, str]) -> Callable[[], Awaitable[str]]:
    async def case() -> str:
        client = await signed_in(url, *account, connect=False)
        try:
            post = await client.http.post("/project/threads", headers={**client.cookie(), "Origin": EVIL}, json={})
            sio = socketio.AsyncClient(reconnection=False)
            try:
                await sio.connect(url, headers={**client.cookie(), "Origin": EVIL}, transports=["websocket"],
                                  socketio_path="/ws/socket.io", wait_timeout=10)
                socket = "OPENED"
                await sio.disconnect()
            except socketio.exceptions.ConnectionError:
                socket = "refused"
            return f"POST from {urlsplit(EVIL).netloc}: {post.status_code}; socket from it: {socket}"
        finally:
            await client.close()
    return case


def feedback_case(url: str, victim: tuple[str, str], attacker: tuple[str, str]) -> Callable[[], Awaitable[str]]:
    async def case() -> str:
        owner, thief = await signed_in(url, *victim), await signed_in(url, *attacker, connect=False)
        try:
            turn = await owner.send("astronomy")
            step = next((m["id"] for m in turn.messages if m.get("type") == "assistant_message"), None)
            if step is None:
                return "no reply to write feedback on"
            answer = await thief.put("/feedback", {"feedback": {"forId": step, "value": 0}, "sessionId": thief.session_id})
            return f"feedback on another user's reply: {answer.status_code} {answer.text[:60]}"
        finally:
            await owner.close()
            await thief.close()
    return case


def one_line(turn: Turn) -> str:
    return " ".join(turn.shown.split())[-110:] or ("no answer" if not turn.ended else "(empty)")


async def replay(url: str, pid: int | None, accounts: list[tuple[str, str]], others_n: int, quiet_s: float,
                 files: dict[str, Path], rows: list[tuple]) -> None:
    attacker, victim, *rest = accounts
    others = Others(url, rest[:others_n])
    await others.start()
    cases: dict[str, Callable[[], Awaitable[str]]] = {"(no attack: baseline)": lambda: asyncio.sleep(quiet_s, "-")}
    cases.update({f"upload: {name}": upload_case(url, attacker, path) for name, path in files.items()})
    cases["chat: hostile lines"] = chat_case(url, attacker)
    cases["token after signing out"] = logout_case(url, attacker)
    cases["cross-origin page"] = cross_origin_case(url, attacker)
    cases["feedback on another's message"] = feedback_case(url, victim, attacker)
    # Last: it holds back sign-in from this address (loopback: every client of the replay).
    cases["300 wrong passwords"] = password_case(url, attacker)
    baseline = None
    try:
        for name, case in cases.items():
            t0 = time.monotonic()
            with RssPeak(pid) as peak:
                shown = await case()
                if time.monotonic() - t0 < 3:  # let the others finish a few turns inside the window
                    await asyncio.sleep(3)
            t1 = time.monotonic()
            during = others.during(t0, t1)
            value = p95([t[1] for t in during]) * 1000
            baseline = value if baseline is None else baseline
            rss = f"{peak.peak_bytes / 2**20:.0f} / {peak.largest_bytes / 2**20:.0f}" if pid else "-"
            rows.append((name, f"{t1 - t0:.1f}", rss, shown,
                         str(len(during)), str(sum(t[2] for t in during)), f"{value:.0f}", f"{value / baseline:.2f}"))
    finally:
        await others.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app (default: start one on loopback)")
    parser.add_argument("--password-file", type=Path,
                        help="with --url: lines 'name:password', at least 3 accounts (attacker, victim, others)")
    parser.add_argument("--others", type=int, default=3, help="users chatting while the cases run")
    parser.add_argument("--quiet-s", type=float, default=20.0, help="length of the baseline window")
    parser.add_argument("--only", nargs="*", help="upload cases to run (names as in the table); default all")
    args = parser.parse_args()
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "files").mkdir()
        files = hostile_files(root / "files")
        files = {k: v for k, v in files.items() if v.suffix in MIME and (not args.only or k in args.only)}
        if args.url:
            if args.url.split("//")[-1].split(":")[0] not in ("127.0.0.1", "localhost"):
                raise SystemExit("the replay targets only 127.0.0.1")
            if not args.password_file:
                raise SystemExit("--url needs --password-file")
            accounts = [tuple(line.split(":", 1)) for line in args.password_file.read_text().split() if ":" in line]
            asyncio.run(replay(args.url, pid_listening_on(int(urlsplit(args.url).port or 80)), accounts,
                               args.others, args.quiet_s, files, rows))
        else:
            accounts = [("mallory", "mallory-pw"), ("victor", "victor-pw")] + [
                (f"user{n}", f"user{n}-pw") for n in range(args.others)]
            with ChainlitServer(root / "data", root / "server.log", dict(accounts)) as server:
                asyncio.run(replay(server.url, server.pid, accounts, args.others, args.quiet_s, files, rows))
    table = Table(title="Abuse replay: the server's peak RSS and other users' turns during each case")
    for column in ("case", "s", "peak RSS MB: all / largest process", "shown to the attacker", "others' turns", "failed", "others' p95 ms",
                   "× baseline"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(width=220).print(table)


if __name__ == "__main__":
    main()
