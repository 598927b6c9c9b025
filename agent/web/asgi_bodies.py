"""ASGI helpers for the web guards: read a small request body once and hand it on, and plain JSON answers."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """The request body is longer than the guard reads."""


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refused past `limit` bytes (the guarded routes take small forms)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            raise BodyTooLarge
        chunks.append(body)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def small_body(receive: Receive, send: Send, limit: int, what: str) -> bytes | None:
    """The body, or None after answering 413 ("<what> is longer than <limit> bytes")."""
    try:
        return await read_body(receive, limit)
    except BodyTooLarge:
        await send_json(send, 413, {"detail": f"{what} is longer than {limit} bytes."})
        return None


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever comes next (the disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def send_json(send: Send, status: int, content: Any, headers: dict[str, str] | None = None) -> None:
    body = json.dumps(content).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def route_path(scope: Scope) -> str:
    """The request path without the app's root path (Chainlit's --root-path)."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path
