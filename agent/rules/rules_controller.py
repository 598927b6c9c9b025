"""The deterministic controller: reads the message with the request parser, then makes the planned tool
calls one step at a time and answers with what they did."""

from __future__ import annotations

import datetime as dt
import uuid

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.runtime import Runtime

from agent.context import Context
from agent.rules.turn_plan import TurnPlan, answer_pending, plan_reading
from agent.state import State
from agent.tool_result import result_of
from agent.understand.shared import catalog_words, parser_for
from agent.understand.actions import Reading


def current_turn(state: State) -> tuple[HumanMessage, list[ToolMessage]]:
    """The user's last message and the tool answers given since."""
    for i in range(len(state.messages) - 1, -1, -1):
        if isinstance(state.messages[i], HumanMessage):
            done = [m for m in state.messages[i + 1 :] if isinstance(m, ToolMessage)]
            return state.messages[i], done
    raise ValueError("rules controller: no user message in the conversation")


def message_text(message: HumanMessage) -> str:
    return message.text if isinstance(getattr(message, "text", None), str) else str(message.content)


def read_message(said: str, state: State, ctx: Context) -> Reading:
    """The parse of the message against the catalog, the list on screen and the user's memory."""
    lib = ctx.lib
    rules = lib.users.rules(ctx.user)
    interests = lib.users.interests(ctx.user)
    dropped = tuple(i.text for i in interests if i.status == "dropped")
    active = tuple(i.text for i in interests if i.status == "active")
    shown = []
    for item in state.shown or []:
        video = lib.catalog.videos.get(item["video_id"])
        shown.append({"video_id": item["video_id"], "channel": video.channel if video else None,
                      "duration_s": video.duration_s if video else None})
    context = catalog_words(lib).context(dt.date.today(), shown, rules.blocked_channels, dropped, active)
    return parser_for(lib).parse(said, context)


def plan_turn(said: str, state: State, ctx: Context) -> TurnPlan:
    """Answer a pending question if this is the answer; otherwise parse and plan."""
    if state.pending and (answered := answer_pending(said, state.pending)):
        return answered
    reading = read_message(said, state, ctx)
    interests = [i.text for i in ctx.lib.users.interests(ctx.user, "active")]
    return plan_reading(reading, len(state.shown or []), interests)


def plan_request(ctx: Context, said: str) -> TurnPlan:
    """What the controller would do with `said` at the start of a fresh conversation (no list on screen):
    for code that offers words as buttons and must know how chat reads them."""
    return plan_turn(said, State(), ctx)


def compose_reply(intro: list[str], answers: list[ToolMessage], outro: list[str] = ()) -> str:
    return "\n\n".join([*intro, *(result_of(a).text for a in answers), *outro])


def tool_call(name: str, args: dict) -> dict:
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


def rules_controller(state: State, runtime: Runtime[Context]) -> dict:
    """Emit the next planned tool call; when all are done (or one failed), answer the user."""
    said, done = current_turn(state)
    update: dict = {}
    plan = state.plan
    if plan is None or not done:
        made = plan_turn(message_text(said), state, runtime.context)
        plan = made.as_state()
        update = {"plan": plan, "pending": made.pending}
    if plan["reply"] is not None:
        return {**update, "messages": [AIMessage(plan["reply"])]}
    calls = plan["calls"]
    failed = any(a.status == "error" for a in done)
    if len(done) < len(calls) and not failed:
        name, args = calls[len(done)]
        return {**update, "messages": [AIMessage("", tool_calls=[tool_call(name, args)])]}
    return {**update, "messages": [AIMessage(compose_reply(plan["intro"], done, plan.get("outro", [])))]}
