"""The LLM controller node: a tool-calling chat model bound to the same tools as the rules controller.

One node step = at most one tool call (memory is one SQLite connection, so calls run in turn);
further calls the model asked for at once wait in the message's metadata. When the model fails
or times out, the rules controller answers the turn and the user is told once.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Callable, Generator

import httpx
import openai
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.constants import TAG_NOSTREAM
from langgraph.runtime import Runtime, get_runtime
from pydantic import ValidationError

from agent.call_guard import DATA_TOOLS, refusal, with_users_evidence
from agent.context import Context
from agent.formatting import render_list
from agent.grounding import ExplanationWording, check_wording, render
from agent.llm.call_log import LLMLog
from agent.llm.prompt_view import MODEL_TEXT, model_view, tool_names, untrusted
from agent.prompts import LLM_FALLBACK_NOTICE, LLM_WHY_SYSTEM
from agent.rules.rules_controller import compose_reply, current_turn, plan_turn, rules_controller
from agent.state import State
from agent.tool_result import is_typed, result_of
from agent.toolset import TOOLS, notice_lines, tools_that
from agent.usage import KEY, call_usage, describe, request_chars, this_turn, turn_usage
from tools.explain import explanation_text

LLM_FAILURES = (openai.OpenAIError, httpx.HTTPError, TimeoutError, ConnectionError)
"""What a model call may raise when the service is down, slow, refuses or answers nonsense."""
MAX_TOOL_CALLS = 8
"""Per turn; past it the turn ends with what was done."""
MAX_REPAIRS = 2
"""Times the model is asked again in one step after a refused or unreadable call."""
PENDING = "clipwise_pending_tool_calls"
RULES = "clipwise_rules_notice"
"""response_metadata key on messages the rules controller wrote as fallback (value: a notice or '')."""
VERBATIM_TOOLS = tools_that("verbatim")
LIST_TOOLS = tools_that("lists_videos")
"""Their notices (quota spent, YouTube unreachable) reach the user whatever the model writes."""

Ask = tuple  # (runnable, messages): one model call the plan needs
Plan = Generator[Ask, tuple[AIMessage, float], dict]


def new_id() -> str:
    return f"call_{uuid.uuid4().hex[:12]}"


def failure(exc: BaseException) -> str:
    """The reason in plain words, never the exception text (it can echo part of a key)."""
    if isinstance(exc, (openai.APITimeoutError, TimeoutError, httpx.TimeoutException)):
        return "no answer in time"
    if isinstance(exc, openai.APIStatusError):
        return f"the server answered {exc.status_code}"
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError, ConnectionError)):
        return "the server cannot be reached"
    return type(exc).__name__


def parse_wording(response: AIMessage) -> ExplanationWording | None:
    """The structured wording from the forced tool call, or from JSON in the text (some local servers)."""
    calls = [c["args"] for c in response.tool_calls if c["name"] == ExplanationWording.__name__]
    text = response.text.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    try:
        return ExplanationWording.model_validate(calls[0] if calls else json.loads(text))
    except (ValidationError, ValueError):
        return None


def evidence_of(exp: dict) -> dict:
    keep = ("title", "channel", "matched_by", "matched_interest", "quote", "clip", "rules_applied", "reason")
    return {k: exp.get(k) for k in keep}


class LLMController:
    def __init__(self, model, fallback: Callable, tools: list, model_name: str,
                 price: tuple[float, float] | None, log: LLMLog | None):
        self.agent = model.bind_tools(tools)
        self.quiet_agent = self.agent.with_config(tags=[TAG_NOSTREAM])
        """Once a 'why' is being answered, the model's words are checked before anyone sees them."""
        self.worder = model.bind_tools([ExplanationWording], tool_choice=ExplanationWording.__name__).with_config(
            tags=[TAG_NOSTREAM])
        self.fallback, self.model_name, self.price, self.log = fallback, model_name, price, log
        self.schemas = [convert_to_openai_tool(t) for t in tools]
        self.wording_schema = [convert_to_openai_tool(ExplanationWording)]
        self.told: set[str] = set()
        """Threads already told that the model is not answering (until it answers again)."""

    # -- the turn, as a plan that yields model calls (run by `step` or `astep`) ------------

    def plan(self, state: State, runtime: Runtime[Context], thread: str) -> Plan:
        said = current_turn(state)[0].text
        turn = this_turn(state.messages)
        names = tool_names(turn)
        if any(RULES in m.response_metadata for m in turn if isinstance(m, AIMessage)):
            return self.rules_step(state, runtime)
        last = turn[-1] if turn else None
        answered = isinstance(last, ToolMessage) and last.status != "error"
        pending = next((m.response_metadata.get(PENDING) for m in reversed(turn)
                        if isinstance(m, AIMessage) and m.tool_calls), None)
        if answered and pending:
            return {"messages": [AIMessage("", tool_calls=pending[:1], response_metadata={PENDING: pending[1:]})]}
        if answered and names.get(last.tool_call_id) == "explain" and state.explanation:
            return (yield from self.word(state, runtime, thread, said))
        if sum(len(m.tool_calls) for m in turn if isinstance(m, AIMessage)) >= MAX_TOOL_CALLS:
            return self.finish(state, runtime, [], f"I stopped after {MAX_TOOL_CALLS} actions in one turn.", [],
                               ["llm: too many tool calls in one turn; stopped"])
        read_data = any(names.get(m.tool_call_id) in DATA_TOOLS for m in turn if isinstance(m, ToolMessage))
        out: list[AnyMessage] = []
        steps = [f"error: {names.get(last.tool_call_id, 'tool')}: {' '.join(last.text.split())[:200]}"] if (
            isinstance(last, ToolMessage) and last.status == "error" and not is_typed(last)) else []
        for _ in range(MAX_REPAIRS + 1):
            sent = model_view(runtime.context.lib, state.messages, state.shown, out)
            try:
                response, ms = yield (self.quiet_agent if state.explanation else self.agent), sent
            except LLM_FAILURES as exc:
                return self.fail(state, runtime, thread, exc, out, steps)
            why = None
            if not out and not any(isinstance(m, ToolMessage) for m in turn) and not state.explanation:
                why = self.parser_should_act(state, runtime, response)
            meta = {KEY: [self.record(sent, response, ms, runtime, self.schemas, "parser" if why else "model")]}
            self.told.discard(thread)
            if why is not None:
                return self.rules_step(state, runtime, response.text, [*steps, why], meta[KEY])
            if not response.tool_calls and not response.invalid_tool_calls:
                if state.explanation:
                    return (yield from self.word(state, runtime, thread, said, meta[KEY]))
                return self.finish(state, runtime, out, response.text, meta[KEY], steps)
            if (update := self.take(response, meta, said, read_data, out, steps)) is not None:
                return update
        return self.finish(state, runtime, out, "I could not turn that into an action. Could you say it another way?",
                           [], steps)

    def take(self, response: AIMessage, meta: dict, said: str, read_data: bool, out: list[AnyMessage],
             steps: list[str]) -> dict | None:
        """The step's update for the model's tool calls; None after writing an error the model must fix."""
        if not response.tool_calls:
            bad = dict(response.invalid_tool_calls[0], id=response.invalid_tool_calls[0].get("id") or new_id())
            out += [AIMessage(response.text, invalid_tool_calls=[bad], response_metadata=meta),
                    ToolMessage(f"error: the arguments for {bad['name']} were not valid JSON. Send the call "
                                "again with valid JSON arguments.", tool_call_id=bad["id"], status="error")]
            steps.append(f"llm: unreadable arguments for {bad['name']}; asked the model again")
            return None
        calls = []
        for call in response.tool_calls:
            call, note = with_users_evidence(dict(call, id=call.get("id") or new_id()), said)
            calls.append(call)
            steps += [note] if note else []
        refused = next(((c, why) for c in calls if (why := refusal(c, said, read_data))), None)
        if refused:
            call, why = refused
            out += [AIMessage(response.text, tool_calls=[call], response_metadata=meta),
                    ToolMessage(f"error: {why}", tool_call_id=call["id"], status="error")]
            steps.append(f"guard: refused {call['name']} {json.dumps(call['args'], ensure_ascii=False, default=str)}")
            return None
        out.append(AIMessage(response.text, tool_calls=calls[:1], response_metadata={**meta, PENDING: calls[1:]}))
        return {"messages": out, "steps": steps}

    def parser_should_act(self, state: State, runtime: Runtime[Context], response: AIMessage) -> str | None:
        """Why the request parser's plan takes this turn instead of the model's answer, or None.

        The model must do at least what the parser would: when it answers without a tool call while the
        parser read a clear request, or skips a change the person clearly asked for (drop, block, a
        limit...), the parser's plan runs and the model's words are kept as the opening line."""
        if response.invalid_tool_calls:
            return None  # the model is asked to fix its call first
        planned = plan_turn(current_turn(state)[0].text, state, runtime.context)
        if planned.reply is not None or not planned.calls:
            return None
        wanted = {name for name, _ in planned.calls}
        called = {c["name"] for c in response.tool_calls}
        if not response.tool_calls and not response.invalid_tool_calls:
            return f"acted: parser (the model answered without a tool call; the parser read {', '.join(sorted(wanted))})"
        steering = tools_that("writes_memory") - {"add_interest", "more_like"}
        missing = (wanted & steering) - called
        if missing and not (called & tools_that("writes_memory")):
            return f"acted: parser (the model skipped {', '.join(sorted(missing))}, which the message asked for)"
        return None

    def word(self, state: State, runtime: Runtime[Context], thread: str, said: str, calls: list[dict] = ()) -> Plan:
        """Word the turn's explanation (structured output), then keep only what the evidence holds."""
        exp = state.explanation
        evidence = untrusted(json.dumps(evidence_of(exp), ensure_ascii=False), "explain")
        sent = [SystemMessage(LLM_WHY_SYSTEM.format(evidence=evidence)), HumanMessage(said)]
        calls = list(calls)
        try:
            response, ms = yield self.worder, sent
        except LLM_FAILURES as exc:
            notice = self.notice_once(thread, failure(exc))
            return self.finish(state, runtime, [], explanation_text(exp), calls,
                               [f"llm: {failure(exc)}; the plain explanation is shown"], notice=notice)
        calls.append(self.record(sent, response, ms, runtime, self.wording_schema))
        wording = parse_wording(response)
        if wording is None:
            return self.finish(state, runtime, [], explanation_text(exp), calls,
                               ["grounding: the model gave no usable wording; the plain explanation is shown"])
        checked = check_wording(wording, exp)
        steps = [f"grounding: dropped {d}" for d in checked.dropped] or ["grounding: every citation is in the evidence"]
        worded = dict(exp, wording={"summary": checked.wording.summary, "dropped": checked.dropped})
        return self.finish(state, runtime, [], render(checked, exp), calls, steps, explanation=worded,
                           model_text=checked.wording.summary)

    # -- ends of a step ------------------------------------------------------------------

    def finish(self, state: State, runtime: Runtime[Context], out: list[AnyMessage], text: str, calls: list[dict],
               steps: list[str], notice: str | None = None, model_text: str | None = None, cards: bool = True,
               **update) -> dict:
        """The turn's reply: the model's words, then the list and any verbatim tool answers."""
        turn = [*this_turn(state.messages), *out]
        names = tool_names(turn)
        verbatim = [result_of(m).text for m in turn if cards and isinstance(m, ToolMessage) and m.status != "error"
                    and names.get(m.tool_call_id) in VERBATIM_TOOLS]
        shown = [render_list(runtime.context.lib, state.results)] if cards and state.results else []
        notes = "\n".join(dict.fromkeys(
            line for m in turn if isinstance(m, ToolMessage) and names.get(m.tool_call_id) in LIST_TOOLS
            for line in notice_lines(result_of(m).notices)))
        reply = "\n\n".join(p for p in [notice, text, *verbatim, notes, *shown] if p)
        message = AIMessage(reply, response_metadata={KEY: calls, MODEL_TEXT: model_text or text})
        usage = turn_usage([*state.messages, *out, message])
        return {"messages": [*out, message], "steps": [*steps, *([describe(usage)] if usage else [])], **update}

    def fail(self, state: State, runtime: Runtime[Context], thread: str, exc: BaseException,
             out: list[AnyMessage], steps: list[str]) -> dict:
        """The model failed: the rules controller takes the turn, or, if tools already ran, says what they did."""
        notice = self.notice_once(thread, failure(exc))
        steps = [*steps, f"llm: {failure(exc)}; the rules controller answers this turn"]
        calls = [c for m in out if isinstance(m, AIMessage) for c in m.response_metadata.get(KEY, [])]
        done = [m for m in this_turn(state.messages) if isinstance(m, ToolMessage)]
        if done:
            return self.finish(state, runtime, [], compose_reply([], done), calls, steps, notice=notice, cards=False)
        return self.rules_step(state, runtime, notice or "", steps, calls)

    def rules_step(self, state: State, runtime: Runtime[Context], notice: str = "", steps: list[str] = (),
                   calls: list[dict] = ()) -> dict:
        """One step of the rules controller, marked so the rest of the turn stays with it."""
        update = self.fallback(state, runtime)
        made = update["messages"][-1]
        kept = {k: v for k, v in update.items() if k in ("plan", "pending")}
        meta = {RULES: notice, KEY: list(calls)}
        if made.tool_calls:
            return {"messages": [AIMessage("", tool_calls=made.tool_calls, response_metadata=meta)],
                    "steps": list(steps), **kept}
        told = [m.response_metadata.get(RULES) for m in this_turn(state.messages) if isinstance(m, AIMessage)]
        reply = "\n\n".join(n for n in [*told, notice, made.text] if n)
        message = AIMessage(reply, response_metadata=meta)
        usage = turn_usage([*state.messages, message])
        return {"messages": [message], "steps": [*steps, *([describe(usage)] if usage else [])], **kept}

    def notice_once(self, thread: str, reason: str) -> str | None:
        if thread in self.told:
            return None
        self.told.add(thread)
        return LLM_FALLBACK_NOTICE.format(reason=reason)

    def record(self, sent: list, response: AIMessage, ms: float, runtime: Runtime[Context], schemas: list,
               acted: str = "model") -> dict:
        usage = call_usage(response, request_chars(sent, schemas), ms, self.model_name, self.price)
        if self.log is not None:
            self.log.write(sent, response, schemas, usage, runtime.context.user, acted)
        return usage

    # -- drivers ---------------------------------------------------------------------------

    def step(self, state: State, config: RunnableConfig) -> dict:
        plan = self.plan(state, get_runtime(Context), config.get("configurable", {}).get("thread_id", ""))
        try:
            runnable, sent = next(plan)
            while True:
                started = time.perf_counter()
                try:
                    response = runnable.invoke(sent)
                except LLM_FAILURES as exc:
                    runnable, sent = plan.throw(exc)
                    continue
                runnable, sent = plan.send((response, (time.perf_counter() - started) * 1000))
        except StopIteration as stop:
            return stop.value

    async def astep(self, state: State, config: RunnableConfig) -> dict:
        plan = self.plan(state, get_runtime(Context), config.get("configurable", {}).get("thread_id", ""))
        try:
            runnable, sent = next(plan)
            while True:
                started = time.perf_counter()
                try:
                    response = await runnable.ainvoke(sent)
                except LLM_FAILURES as exc:
                    runnable, sent = plan.throw(exc)
                    continue
                runnable, sent = plan.send((response, (time.perf_counter() - started) * 1000))
        except StopIteration as stop:
            return stop.value


def make_llm_controller(model, fallback: Callable = rules_controller, *, tools: list = TOOLS,
                        model_name: str | None = None, price: tuple[float, float] | None = None,
                        log: LLMLog | None = None) -> RunnableLambda:
    """The controller node for `build_graph`: `model` is any chat model with `bind_tools`."""
    name = model_name or getattr(model, "model_name", None) or type(model).__name__
    controller = LLMController(model, fallback, tools, name, price, log)
    return RunnableLambda(controller.step, afunc=controller.astep, name="llm_controller")
