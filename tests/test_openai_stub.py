"""The real client path: ChatOpenAI against a tiny OpenAI-compatible server on 127.0.0.1 (started and
stopped here), streaming and tool calls included. No key, no network beyond the loopback."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers import ids
from langchain_openai import ChatOpenAI

from agent.controllers import controller_named
from agent.llm.llm_settings import LLMSettings
from agent.session import AsyncSession, Session
from agent.toolset import TOOLS

pytestmark = pytest.mark.slow

KEY = "test-key"
MODEL = "stub-model"


def completion_tokens(reply: dict) -> int:
    return max(1, len(json.dumps(reply)) // 4)


class StubHandler(BaseHTTPRequestHandler):
    """POST /v1/chat/completions: the next scripted reply, as JSON or as server-sent events."""

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        stub: Stub = self.server.stub
        stub.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        reply = stub.script.popleft()
        if "sleep" in reply:
            time.sleep(reply["sleep"])
            return
        if "status" in reply:
            self.send_json({"error": {"message": "stub failure", "type": "server_error"}}, reply["status"])
            return
        prompt = (len(json.dumps(body["messages"])) + len(json.dumps(body.get("tools", [])))) // 4
        usage = {"prompt_tokens": prompt, "completion_tokens": completion_tokens(reply),
                 "total_tokens": prompt + completion_tokens(reply)}
        if body.get("stream"):
            self.send_stream(reply, body, usage)
        else:
            self.send_json(self.completion(reply, body, usage))

    def send_json(self, data: dict, status: int = 200) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    @staticmethod
    def tool_calls(reply: dict) -> list[dict]:
        return [{"id": f"call_{n}_{name}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                for n, (name, args) in enumerate(reply.get("tool_calls", []))]

    def completion(self, reply: dict, body: dict, usage: dict) -> dict:
        calls = self.tool_calls(reply)
        message = {"role": "assistant", "content": reply.get("content")} | ({"tool_calls": calls} if calls else {})
        return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": usage}

    def send_stream(self, reply: dict, body: dict, usage: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}

        def event(delta: dict, finish: str | None = None, **extra) -> None:
            data = base | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]} | extra
            self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())

        event({"role": "assistant", "content": ""})
        words = (reply.get("content") or "").split(" ")
        for n, word in enumerate(w for w in words if w):
            event({"content": word if n == 0 else " " + word})
        for n, call in enumerate(self.tool_calls(reply)):
            args = call["function"]["arguments"]
            event({"tool_calls": [{"index": n, "id": call["id"], "type": "function",
                                   "function": {"name": call["function"]["name"], "arguments": ""}}]})
            for piece in (args[: len(args) // 2], args[len(args) // 2:]):
                event({"tool_calls": [{"index": n, "function": {"arguments": piece}}]})
        event({}, "tool_calls" if reply.get("tool_calls") else "stop")
        if (body.get("stream_options") or {}).get("include_usage"):
            self.wfile.write(f"data: {json.dumps(base | {'choices': [], 'usage': usage})}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


class Stub:
    def __init__(self):
        self.script: deque[dict] = deque()
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
        self.server.daemon_threads = True
        self.server.stub = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def enqueue(self, *replies: dict) -> "Stub":
        self.script.extend(replies)
        return self


@pytest.fixture
def stub():
    s = Stub()
    thread = threading.Thread(target=s.server.serve_forever, daemon=True)
    thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()
    thread.join(timeout=5)


def settings(stub: Stub, **more) -> LLMSettings:
    return LLMSettings(base_url=stub.url, api_key=KEY, model=MODEL, prices={MODEL: (0.40, 1.60)}, **more)


# -----------------------------------------------------------------------------------------

def test_chat_openai_sends_the_tools_and_reads_tool_calls_back(stub):
    stub.enqueue({"tool_calls": [("drop_topic", {"topic": "crypto", "evidence": "drop crypto"})]})
    model = ChatOpenAI(base_url=stub.url, api_key=KEY, model=MODEL, max_retries=0)

    message = model.bind_tools(TOOLS).invoke("drop crypto")

    assert message.tool_calls == [{"name": "drop_topic", "args": {"topic": "crypto", "evidence": "drop crypto"},
                                   "id": "call_0_drop_topic", "type": "tool_call"}]
    assert message.usage_metadata["input_tokens"] > 0
    request = stub.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == f"Bearer {KEY}"
    assert [t["function"]["name"] for t in request["body"]["tools"]] == [t.name for t in TOOLS]
    assert "runtime" not in json.dumps(request["body"]["tools"])  # injected, never shown to the model


def test_a_conversation_runs_through_the_real_client_with_a_grounded_why(stub, lib, data_dir, user, tmp_path):
    said = "I've been reading about how CPUs do branch prediction, and I'm sick of AI hype videos"
    stub.enqueue(
        {"tool_calls": [("add_interest", {"topic": "CPU branch prediction",
                                          "evidence": "I've been reading about how CPUs do branch prediction"}),
                        ("drop_topic", {"topic": "AI hype", "evidence": "I'm sick of AI hype videos"}),
                        ("recommend", {"request": "CPU branch prediction"})]},
        {"content": "Here are branch prediction videos; AI hype is filtered out."},
        {"tool_calls": [("explain", {"item": 1})]},
        {"tool_calls": [("ExplanationWording", {
            "summary": "It is introductory because it starts from the pipeline. It quotes \"Moore's law is dead\".",
            "interest": "cpu branch prediction", "user_words": ["how CPUs do branch prediction"], "quotes": []})]},
    )
    log = tmp_path / "llm.jsonl"
    session = Session(lib, data_dir, controller=controller_named("llm", settings(stub, log=log)))

    first = session.ask(said, user=user)
    why = session.ask("why did you pick the first one, it seems basic?", user=user)

    assert lib.users.find_interest(user, "cpu branch prediction").status == "active"
    assert lib.users.find_interest(user, "ai hype").status == "dropped"
    assert ids(first)[0].startswith("demo-cpuar") and first.reply.startswith("Here are branch prediction videos")
    assert first.usage["calls"] == 2 and not first.usage["estimated"] and first.usage["cost_usd"] > 0
    assert why.reply.startswith("Why #1:") and "starts from the pipeline" in why.reply
    assert "Moore" not in why.reply and any("Moore's law is dead" in s for s in why.steps)
    wording_request = stub.requests[-1]["body"]
    assert wording_request["tool_choice"] == {"type": "function", "function": {"name": "ExplanationWording"}}
    assert all(r["auth"] == f"Bearer {KEY}" for r in stub.requests)
    logged = log.read_text()
    assert len(logged.splitlines()) == 4 and KEY not in logged
    session.conn.close()


def test_streaming_gives_tokens_and_tool_calls_through_the_async_session(stub, lib, data_dir, user):
    stub.enqueue({"tool_calls": [("set_limits", {"max_minutes": 15}), ("recommend", {"request": "light science"})]},
                 {"content": "Light picks, all under fifteen minutes."})
    controller = controller_named("llm", settings(stub))

    async def run():
        s = await AsyncSession(lib, data_dir, controller=controller).start()
        events = [e async for e in s.astream_turn("something lighter tonight, under 15 minutes", user=user)]
        await s.aclose()
        return events

    events = asyncio.run(run())

    assert all(r["body"]["stream"] and r["body"]["stream_options"] == {"include_usage": True} for r in stub.requests)
    tokens = [p for kind, p in events if kind == "token"]
    assert "".join(tokens) == "Light picks, all under fifteen minutes." and len(tokens) == 6
    turn = events[-1][1]
    assert lib.users.rules(user).max_duration_s == 900
    assert turn.results and all(r["duration_s"] <= 900 for r in turn.results)
    assert turn.usage["calls"] == 2 and not turn.usage["estimated"]


def test_a_server_that_does_not_answer_in_time_hands_the_turn_to_the_rules(stub, lib, data_dir, user):
    stub.enqueue({"sleep": 3}, {"status": 500})
    session = Session(lib, data_dir, controller=controller_named("llm", settings(stub, timeout_s=0.5, max_retries=0)))

    started = time.perf_counter()
    slow = session.ask("I want to learn linear algebra", user=user)
    took = time.perf_counter() - started
    broken = session.ask("drop crypto", user=user)

    assert took < 3
    assert slow.reply.startswith("Note: the language model is not answering (no answer in time)")
    assert len(slow.results) >= 5
    assert "the server answered 500" in " ".join(broken.steps) and not broken.reply.startswith("Note:")
    assert lib.users.find_interest(user, "crypto").status == "dropped"
    session.conn.close()
