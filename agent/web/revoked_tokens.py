"""Signing out revokes the session token: revoked tokens are kept in the data dir and refused on every request and socket."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from contextvars import ContextVar
from pathlib import Path

import jwt
from chainlit.auth import clear_auth_cookie, get_jwt_secret, get_token_from_cookies
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.web.asgi_bodies import route_path

caller: ContextVar[str | None] = ContextVar("caller", default=None)
"""The identifier of the signed-in user making the current request (from a valid, unrevoked token)."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RevokedTokens:
    """SHA-256 digests of signed-out tokens with their expiry, in <data dir>/revoked_tokens.sqlite.
    Every check reads the file, so that all server processes on one data dir agree."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS revoked (digest TEXT PRIMARY KEY, expires_at REAL NOT NULL)")

    def revoke(self, token: str, expires_at: float) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO revoked VALUES (?, ?)", (token_digest(token), expires_at))
            # A token past its expiry is refused by its signature check anyway.
            self._db.execute("DELETE FROM revoked WHERE expires_at < ?", (time.time(),))

    def __contains__(self, token: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM revoked WHERE digest = ?", (token_digest(token),)).fetchone()
        return row is not None

    def close(self) -> None:
        with self._lock:
            self._db.close()


def request_token(connection: HTTPConnection) -> str | None:
    """The token Chainlit would read: its auth cookie (possibly in chunks), else an Authorization bearer."""
    token = get_token_from_cookies(connection.cookies)
    if not token:
        scheme, value = get_authorization_scheme_param(connection.headers.get("Authorization"))
        token = value if scheme.lower() == "bearer" and value else None
    return token


def decoded(token: str) -> dict | None:
    """The token's claims when its signature and expiry hold (as Chainlit checks them)."""
    secret = get_jwt_secret()
    if not secret:
        return None
    try:
        return jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return None


class RevokedTokenMiddleware:
    """Before Chainlit: a revoked token gets 401 on any HTTP request (its cookie cleared) and its socket is
    refused; POST /logout revokes the token it carries. Sets `caller` for the request's own checks."""

    def __init__(self, app: ASGIApp, revoked: RevokedTokens):
        self.app, self.revoked = app, revoked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        token = request_token(connection)
        claims = decoded(token) if token else None
        if token and token in self.revoked:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": "signed out"})
            else:
                response = JSONResponse({"detail": "Signed out: sign in again."}, status_code=401)
                clear_auth_cookie(connection, response)  # type: ignore[arg-type]
                await response(scope, receive, send)
            return
        if claims and scope["type"] == "http" and scope["method"] == "POST" and route_path(scope) == "/logout":
            self.revoked.revoke(token, float(claims.get("exp") or time.time() + 86400 * 365))
        identity = caller.set(str(claims["identifier"]) if claims and claims.get("identifier") else None)
        try:
            await self.app(scope, receive, send)
        finally:
            caller.reset(identity)
