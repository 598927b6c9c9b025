"""`chainlit run chainlit_app.py` on a free loopback port, always stopped; and the RSS of a server's process tree."""

from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
AUTH_SECRET = "abuse-replay-secret-" + "x" * 40


class ServerError(RuntimeError):
    """The server could not be started or found; the message says why and where its log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout_s: float, process: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(f"chainlit exited with {process.returncode} at start; its log: {log}")
        try:
            with urllib.request.urlopen(url + "/auth/config", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise ServerError(f"no answer from {url} within {timeout_s:.0f} s" + (f"; its log: {log}" if log else ""))


class ChainlitServer:
    """The app with password sign-in for the given users and its own data dir, in its own process group."""

    def __init__(self, data_dir: Path, log: Path, users: dict[str, str], env: dict[str, str] | None = None):
        self.port, self.log, self.process = free_port(), log, None
        self.url = f"http://127.0.0.1:{self.port}"
        # Without the CLIPWISE_/OPENAI_ variables of this shell the app uses the rules controller and the
        # demo catalog; CI=true would make `chainlit run` set a fake OpenAI key (see tests/test_browser.py).
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("CLIPWISE_", "CHAINLIT_", "OPENAI_")) and k != "CI"}
        self.env.update(CLIPWISE_DATA_DIR=str(data_dir), HOME=pwd.getpwuid(os.getuid()).pw_dir,
                        CLIPWISE_AUTH_USERS=",".join(f"{u}:{p}" for u, p in users.items()),
                        CHAINLIT_AUTH_SECRET=AUTH_SECRET, **(env or {}))

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, timeout_s: float = 240) -> "ChainlitServer":
        with self.log.open("a", encoding="utf-8") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chainlit", "run", "chainlit_app.py", "--headless",
                 "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_up(self.url, timeout_s, self.process, self.log)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> "ChainlitServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def pid_listening_on(port: int) -> int | None:
    """The process serving a loopback port (for --url), if this user may see it."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return conn.pid
    except psutil.AccessDenied:
        pass
    return None


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its children."""
    return sum(process_rss_bytes(pid))


def process_rss_bytes(pid: int) -> list[int]:
    """Resident memory of a process and of each of its children."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    sizes = []
    for p in procs:
        try:
            sizes.append(p.memory_info().rss)
        except psutil.NoSuchProcess:
            pass
    return sizes


class RssPeak:
    """Samples a process tree's RSS every interval_s in a thread while in use; .peak_bytes (the tree's)
    and .largest_bytes (its largest process's) after."""

    def __init__(self, pid: int | None, interval_s: float = 0.05):
        self.pid, self.interval_s, self.peak_bytes, self.largest_bytes = pid, interval_s, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = process_rss_bytes(self.pid)
            self.peak_bytes = max(self.peak_bytes, sum(sizes))
            self.largest_bytes = max([self.largest_bytes, *sizes])
            self._stop.wait(self.interval_s)

    def __enter__(self) -> "RssPeak":
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
