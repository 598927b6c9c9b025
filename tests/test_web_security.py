"""The web app's guards: sign-in hold-back, same-origin only, signing out ends the token, feedback only on your own messages."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
import socketio
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from agent.settings import Settings
from agent.web.feedback_guard import feedback_target
from agent.web.login_limits import LoginLimiter
from agent.web.origin_guard import OriginGuard
from evals.chainlit_client import ChainlitClient
from evals.chainlit_server import ChainlitServer

EVIL = "https://evil.example"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wrong(limiter: LoginLimiter, name: str, address: str) -> None:
    limiter.begin(name, address)  # counted before the check; a 401 leaves it counted


def test_after_five_wrong_passwords_an_account_waits_and_the_wait_doubles():
    clock = Clock()
    limiter = LoginLimiter(per_account=5, per_address=100, backoff_s=30, max_s=3600, clock=clock)
    for _ in range(4):
        wrong(limiter, "alice", "10.0.0.1")
    assert limiter.retry_after("alice", "10.0.0.1") == 0
    wrong(limiter, "alice", "10.0.0.1")
    assert limiter.retry_after("Alice ", "10.0.0.2") == 30  # the account, from any address, in any case
    assert limiter.retry_after("bob", "10.0.0.1") == 0
    clock.now += 31
    wrong(limiter, "alice", "10.0.0.1")
    assert limiter.retry_after("alice", "10.0.0.1") == 60


def test_one_address_guessing_many_accounts_is_held_back_and_a_good_password_does_not_clear_it():
    clock = Clock()
    limiter = LoginLimiter(per_account=5, per_address=20, clock=clock)
    for n in range(19):
        wrong(limiter, f"user{n}", "10.0.0.9")
    limiter.begin("mallory", "10.0.0.9")
    limiter.succeeded("mallory", "10.0.0.9")  # the attacker's own account signs in fine
    wrong(limiter, "user19", "10.0.0.9")
    assert limiter.retry_after("someone", "10.0.0.9") > 0
    assert limiter.retry_after("someone", "10.0.0.10") == 0


def test_failures_are_forgotten_after_the_window():
    clock = Clock()
    limiter = LoginLimiter(per_account=3, window_s=900, clock=clock)
    for _ in range(2):
        wrong(limiter, "alice", "a")
    clock.now += 901
    wrong(limiter, "alice", "a")
    assert limiter.retry_after("alice", "a") == 0


def guarded(allowed: list[str]) -> TestClient:
    async def ok(request):
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/project/threads", ok, methods=["GET", "POST"]),
                            Route("/ws/socket.io/", ok, methods=["GET"])])
    return TestClient(OriginGuard(app, allowed), base_url="http://127.0.0.1:8000")


def test_a_page_from_another_site_cannot_post_or_open_the_socket():
    client = guarded([])
    assert client.post("/project/threads", headers={"Origin": EVIL}).status_code == 403
    assert client.get("/ws/socket.io/", headers={"Origin": EVIL}).status_code == 403
    assert client.get("/project/threads", headers={"Origin": EVIL}).status_code == 200  # reads get no CORS headers
    assert client.post("/project/threads", headers={"Origin": "http://127.0.0.1:8000"}).status_code == 200
    assert client.post("/project/threads").status_code == 200  # no Origin: not a browser page's request


def test_an_origin_listed_in_the_settings_may_post():
    client = guarded(["https://team.example"])
    assert client.post("/project/threads", headers={"Origin": "https://team.example"}).status_code == 200
    assert client.post("/project/threads", headers={"Origin": EVIL}).status_code == 403


def test_the_settings_refuse_a_wildcard_origin(monkeypatch):
    monkeypatch.setenv("CLIPWISE_ALLOWED_ORIGINS", "*")
    with pytest.raises(ValueError, match="'\\*' is not allowed"):
        Settings()
    monkeypatch.setenv("CLIPWISE_ALLOWED_ORIGINS", "https://a.example, https://b.example/")
    assert Settings().allowed_origins == ["https://a.example", "https://b.example"]


def test_feedback_bodies_name_the_message_or_are_refused():
    assert feedback_target("PUT", {"feedback": {"forId": "s1", "value": 1}}) == ("s1", None)
    assert feedback_target("DELETE", {"feedbackId": "f1"}) == (None, "f1")
    with pytest.raises(ValueError, match="forId"):
        feedback_target("PUT", {"feedback": {"value": 1}})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("web-security")
    with ChainlitServer(root / "data", root / "server.log", {"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"},
                        env={"CLIPWISE_LOGIN_MAX_FAILURES": "5"}) as running:
        yield running


def run(coro):
    return asyncio.run(coro)


@pytest.mark.slow
def test_wrong_passwords_get_429_with_retry_after_even_for_the_right_one_then(server):
    async def go():
        client = ChainlitClient(server.url)
        try:
            codes = [(await client.login("carol", "nope")).status_code for _ in range(5)]
            held = await client.login("carol", "carol-pw")
            other = await ChainlitClient(server.url).login("alice", "alice-pw")
            return codes, held, other
        finally:
            await client.close()

    codes, held, other = run(go())
    assert codes == [401] * 5
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert "try again in" in held.json()["detail"]
    assert other.status_code == 200  # another account is not held back


@pytest.mark.slow
def test_a_token_is_refused_after_signing_out(server):
    async def go():
        client = ChainlitClient(server.url)
        try:
            assert (await client.login("bob", "bob-pw")).status_code == 200
            again = ChainlitClient(server.url)  # the same account signed in elsewhere, in the same second
            assert (await again.login("bob", "bob-pw")).status_code == 200
            before = await client.get("/user")
            await client.logout()
            after = await client.get("/user")
            elsewhere = await again.get("/user")
            await again.close()
            refused = False
            try:
                await client.connect()
            except socketio.exceptions.ConnectionError:
                refused = True
            return before, after, elsewhere, refused
        finally:
            await client.close()

    before, after, elsewhere, refused = run(go())
    assert before.status_code == 200 and before.json()["identifier"] == "bob"
    assert after.status_code == 401
    assert elsewhere.status_code == 200  # signing out of one session leaves the other
    assert refused


@pytest.mark.slow
def test_cross_site_requests_get_no_cors_grant_and_no_socket(server):
    with httpx.Client(base_url=server.url) as http:
        preflight = http.options("/project/threads", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
        post = http.post("/project/threads", headers={"Origin": EVIL}, json={})
        handshake = http.get("/ws/socket.io/", params={"EIO": "4", "transport": "polling"}, headers={"Origin": EVIL})
    assert preflight.headers.get("access-control-allow-origin") not in (EVIL, "*")
    assert post.status_code == 403
    assert handshake.status_code == 403


@pytest.mark.slow
def test_feedback_on_another_users_message_is_refused(server):
    async def go():
        alice, bob = ChainlitClient(server.url), ChainlitClient(server.url)
        try:
            assert (await alice.login("alice", "alice-pw")).status_code == 200
            assert (await bob.login("bob", "bob-pw")).status_code == 200
            await alice.connect()
            turn = await alice.send("astronomy")
            step = next(m["id"] for m in turn.messages if m.get("type") == "assistant_message")
            body = {"feedback": {"forId": step, "value": 0, "comment": "spam"}, "sessionId": bob.session_id}
            by_bob = await bob.put("/feedback", body)
            deadline, by_alice = time.monotonic() + 20, None
            while time.monotonic() < deadline:  # the step is written by Chainlit's data layer a moment later
                by_alice = await alice.put("/feedback", {**body, "sessionId": alice.session_id,
                                                         "feedback": {"forId": step, "value": 1}})
                if by_alice.status_code == 200:
                    break
                await asyncio.sleep(0.5)
            stolen = await bob.http.request("DELETE", "/feedback", headers=bob.cookie(),
                                            json={"feedbackId": by_alice.json()["feedbackId"]})
            return by_bob, by_alice, stolen
        finally:
            await alice.close()
            await bob.close()

    by_bob, by_alice, stolen = run(go())
    assert by_bob.status_code == 403 and "Not yours" in by_bob.json()["detail"]
    assert by_alice.status_code == 200
    assert stolen.status_code == 403


@pytest.mark.slow
def test_the_server_log_never_holds_a_password(server):
    assert "alice-pw" not in Path(server.log).read_text(encoding="utf-8", errors="replace")
