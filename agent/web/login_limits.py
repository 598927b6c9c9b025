"""Sign-in hold-back: after a few wrong passwords for one account or from one address, POST /login answers 429 with Retry-After, the wait doubling."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.web.asgi_bodies import replaying, route_path, send_json, small_body

MAX_LOGIN_BODY = 16 * 1024
"""A sign-in form is a name and a password; a longer body is refused before it is parsed."""
MAX_KEYS = 100_000
"""Accounts and addresses remembered at most (the oldest forgotten first), so made-up names cannot fill memory."""


@dataclass
class _Failures:
    count: int
    last: float


class FailureCounter:
    """Failures in a row per key: from `threshold` on, the key waits `backoff_s` * 2^(failures - threshold),
    at most `max_s`, after its last failure. Forgotten `window_s` after the last failure (or when its wait ends,
    if later)."""

    def __init__(self, threshold: int, window_s: float, backoff_s: float, max_s: float,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.threshold, self.window_s, self.backoff_s, self.max_s = threshold, window_s, backoff_s, max_s
        self.clock, self.max_keys = clock, max_keys
        self._keys: OrderedDict[str, _Failures] = OrderedDict()

    def _wait_of(self, count: int) -> float:
        if count < self.threshold:
            return 0.0
        return min(self.max_s, self.backoff_s * 2 ** min(count - self.threshold, 64))

    def _current(self, key: str, now: float) -> _Failures | None:
        entry = self._keys.get(key)
        if entry is not None and now - entry.last >= max(self.window_s, self._wait_of(entry.count)):
            del self._keys[key]
            return None
        return entry

    def retry_after(self, key: str) -> float:
        """Seconds the key must still wait; 0 when it may try."""
        now = self.clock()
        entry = self._current(key, now)
        return max(0.0, entry.last + self._wait_of(entry.count) - now) if entry else 0.0

    def failed(self, key: str) -> None:
        now = self.clock()
        entry = self._current(key, now)
        self._keys[key] = _Failures((entry.count if entry else 0) + 1, now)
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)

    def undo_failure(self, key: str) -> None:
        """Takes back a failure counted in advance for an attempt that was no password check after all."""
        entry = self._keys.get(key)
        if entry is not None:
            entry.count -= 1
            if entry.count <= 0:
                del self._keys[key]

    def reset(self, key: str) -> None:
        self._keys.pop(key, None)

    def failures(self, key: str) -> int:
        entry = self._current(key, self.clock())
        return entry.count if entry else 0


class LoginLimiter:
    """One counter per account and one per client address. A good password clears the account's count only:
    clearing the address too would let someone with an account of their own guess others' without limit."""

    def __init__(self, per_account: int = 5, per_address: int = 20, window_s: float = 900,
                 backoff_s: float = 30, max_s: float = 3600, clock: Callable[[], float] = time.monotonic):
        self.accounts = FailureCounter(per_account, window_s, backoff_s, max_s, clock)
        self.addresses = FailureCounter(per_address, window_s, backoff_s, max_s, clock)

    @classmethod
    def from_settings(cls, settings) -> "LoginLimiter":
        return cls(settings.login_max_failures, settings.login_max_failures_per_address, settings.login_window_s,
                   settings.login_backoff_s, settings.login_backoff_max_s)

    @staticmethod
    def account_key(username: str) -> str:
        return username.strip().casefold()[:256]

    def retry_after(self, username: str, address: str) -> float:
        return max(self.accounts.retry_after(self.account_key(username)), self.addresses.retry_after(address))

    def begin(self, username: str, address: str) -> None:
        """Counts the attempt as a failure before the password is checked, so that parallel guesses
        sent at once cannot all slip in before the first one is counted."""
        self.accounts.failed(self.account_key(username))
        self.addresses.failed(address)

    def succeeded(self, username: str, address: str) -> None:
        self.accounts.reset(self.account_key(username))
        self.addresses.undo_failure(address)

    def not_checked(self, username: str, address: str) -> None:
        self.accounts.undo_failure(self.account_key(username))
        self.addresses.undo_failure(address)


class LoginLimitMiddleware:
    """Guards Chainlit's POST /login: refused with 429 while the account or address waits, and the
    answer's status (200 signed in, 401 wrong password) counted."""

    def __init__(self, app: ASGIApp, limiter: LoginLimiter):
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or route_path(scope) != "/login":
            await self.app(scope, receive, send)
            return
        if (body := await small_body(receive, send, MAX_LOGIN_BODY, "The sign-in form")) is None:
            return
        form = await Request(scope, replaying(body, receive)).form()
        username = str(form.get("username") or "")
        await form.close()
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limiter.retry_after(username, address)
        if wait > 0:
            seconds = math.ceil(wait)
            said = f"Too many sign-in attempts (wrong ones, or too many at once): try again in {seconds} s."
            await send_json(send, 429, {"detail": said},
                            {"Retry-After": str(seconds)})
            return
        self.limiter.begin(username, address)
        status = None

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, replaying(body, receive), watch)
        finally:
            if status == 200:
                self.limiter.succeeded(username, address)
            elif status != 401:  # no password was checked (a missing field, no sign-in configured)
                self.limiter.not_checked(username, address)
