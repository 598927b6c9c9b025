"""Same origin by default: a page from another site may not open the chat socket or send a changing request with the user's cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.web.asgi_bodies import route_path, send_json

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def same_origin(origin: str, headers: Headers) -> bool:
    """The Origin names the host the request was sent to (or, behind a proxy, the host it forwarded)."""
    host = urlsplit(origin).netloc.lower()
    sent_to = {h.strip().lower() for h in (headers.get("host", ""), headers.get("x-forwarded-host", "")) if h}
    return bool(host) and host in sent_to


class OriginGuard:
    """Chainlit's socket.io server checks no origin at all, and its CORS list is a file setting: this answers
    both from `allowed` (the settings' allowed_origins), before Chainlit sees the request."""

    def __init__(self, app: ASGIApp, allowed: list[str], socket_path: str = "/ws/socket.io"):
        self.app, self.allowed, self.socket_path = app, {o.lower() for o in allowed}, socket_path

    def refused(self, scope: Scope) -> str | None:
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not origin or origin.lower() in self.allowed or same_origin(origin, headers):
            return None
        path = route_path(scope)
        on_socket = scope["type"] == "websocket" or path.startswith(self.socket_path)
        if on_socket or scope.get("method", "GET") not in SAFE_METHODS:
            return origin
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and (origin := self.refused(scope)) is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
            else:
                await send_json(send, 403, {"detail": f"Requests from {origin[:200]} are not allowed."})
            return
        await self.app(scope, receive, send)
