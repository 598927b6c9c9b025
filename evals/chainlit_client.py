"""A Chainlit client that does what the browser does: POST /login, the socket.io session, messages and uploads."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import httpx
import socketio

COOKIE = "access_token"
"""Chainlit's auth cookie (CHAINLIT_AUTH_COOKIE_NAME unset)."""
SOCKET_PATH = "/ws/socket.io"


@dataclass
class Turn:
    """One message sent and everything the server showed for it until its task ended."""

    messages: list[dict]
    """The latest version of each step the server sent, in the order they first came."""
    elapsed_s: float
    ended: bool
    """False when no task_end came within the timeout."""

    @property
    def shown(self) -> str:
        """The text of the messages a person reads (tool steps left out)."""
        return "\n".join(m.get("output") or "" for m in self.messages
                         if str(m.get("type", "")).endswith("_message") and m.get("type") != "user_message")

    @property
    def chainlit_error(self) -> bool:
        """Chainlit's own ErrorMessage: the app's handler raised and Chainlit showed str(exception)."""
        return any(m.get("name") == "Error" for m in self.messages)


@dataclass
class ChainlitClient:
    """One signed-in user with one chat session, as one browser tab."""

    base_url: str
    timeout_s: float = 120.0
    token: str | None = None
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identifier: str | None = None

    def __post_init__(self) -> None:
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout_s)
        self.sio: socketio.AsyncClient | None = None
        self._steps: dict[str, dict] = {}
        self._finished_runs: set[str] = set()
        """Run steps (one per callback: on_chat_start, on_message, an action) whose end has been sent."""
        self._runs_to_end: list[str] = []
        self._ended = Counter()
        """Callback runs by name whose task has ended: a turn is over when its own run's task ends,
        not at the first task_end (the session's start can end after connect returns)."""
        self._changed = asyncio.Event()

    @property
    def seen(self) -> list[dict]:
        """The latest version of each step the server has sent so far (a turn's are reset when it is sent)."""
        return list(self._steps.values())

    def cookie(self, token: str | None = None) -> dict[str, str]:
        token = token or self.token
        return {"Cookie": f"{COOKIE}={token}"} if token else {}

    async def login(self, username: str, password: str) -> httpx.Response:
        """The login form's POST; on success the auth cookie's token is kept."""
        response = await self.http.post("/login", data={"username": username, "password": password})
        if response.status_code == 200:
            self.token = response.cookies.get(COOKIE) or response.json().get("access_token")
            self.identifier = username
        return response

    async def logout(self) -> httpx.Response:
        return await self.http.post("/logout", headers=self.cookie(), json={})

    async def get(self, path: str, token: str | None = None) -> httpx.Response:
        return await self.http.get(path, headers=self.cookie(token))

    async def put(self, path: str, body: dict) -> httpx.Response:
        return await self.http.put(path, headers=self.cookie(), json=body)

    async def connect(self, token: str | None = None) -> None:
        """Open the chat session; returns once the server has set it up (its first task_end).
        Raises socketio.exceptions.ConnectionError when the server refuses the connection."""
        self.sio = socketio.AsyncClient(reconnection=False)
        for event in ("new_message", "update_message", "stream_start"):
            self.sio.on(event, self._on_step)
        self.sio.on("stream_token", self._on_token)
        self.sio.on("task_end", self._on_task_end)
        self.sio.on("connect", self._on_connect)
        ends = self._ended["on_chat_start"]
        await self.sio.connect(self.base_url, headers=self.cookie(token), transports=["websocket"],
                               socketio_path=SOCKET_PATH, wait_timeout=self.timeout_s,
                               auth={"clientType": "webapp", "sessionId": self.session_id, "threadId": "",
                                     "userEnv": json.dumps({}), "chatProfile": ""})
        await self._wait_for_end("on_chat_start", ends, time.monotonic() + self.timeout_s)

    async def send(self, text: str, file_ids: list[str] = ()) -> Turn:
        """Send a message (with uploaded files) and wait for its task to end."""
        assert self.sio is not None, "connect first"
        self._steps = {}
        ends, start = self._ended["on_message"], time.monotonic()
        message = {"threadId": "", "id": str(uuid.uuid4()), "name": self.identifier or "User", "type": "user_message",
                   "output": text, "createdAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
                   "metadata": {"location": self.base_url}}
        await self.sio.emit("client_message", {"message": message, "fileReferences": [{"id": i} for i in file_ids]})
        ended = await self._wait_for_end("on_message", ends, start + self.timeout_s)
        if not ended:  # as the browser's stop button: cancel the task, so its late end cannot end the next turn
            await self.sio.emit("stop")
            await self._wait_for_end("on_message", ends, time.monotonic() + 10)
        return Turn(list(self._steps.values()), time.monotonic() - start, ended)

    async def upload(self, path: Path, mime: str) -> httpx.Response:
        """The attach button's POST /project/file, streamed from disk; the file id is in the JSON reply."""
        with path.open("rb") as handle:
            return await self.http.post("/project/file", params={"session_id": self.session_id},
                                        headers=self.cookie(), files={"file": (path.name, handle, mime)})

    async def close(self) -> None:
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()
        await self.http.aclose()

    async def _wait_for_end(self, run: str, ends_before: int, deadline: float) -> bool:
        while self._ended[run] <= ends_before:
            self._changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except asyncio.TimeoutError:
                return False
        return True

    async def _on_connect(self) -> None:
        await self.sio.emit("connection_successful")

    async def _on_step(self, step: dict) -> None:
        if isinstance(step, dict) and step.get("id"):
            self._steps[step["id"]] = {**self._steps.get(step["id"], {}), **step}
            if step.get("type") == "run" and step.get("end") and step["id"] not in self._finished_runs:
                self._finished_runs.add(step["id"])
                self._runs_to_end.append(str(step.get("name")))

    async def _on_token(self, data: dict) -> None:
        step = self._steps.setdefault(data.get("id", ""), {"id": data.get("id"), "output": ""})
        step["output"] = (data.get("token", "") if data.get("isSequence") else (step.get("output") or "")
                          + data.get("token", ""))

    async def _on_task_end(self, _data=None) -> None:
        self._ended.update(self._runs_to_end)
        self._runs_to_end.clear()
        self._changed.set()
