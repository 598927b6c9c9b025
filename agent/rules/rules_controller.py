"""The deterministic controller: plans tool calls from the user's words, one call per step."""

from __future__ import annotations

import uuid

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.runtime import Runtime

from agent.context import Context
from agent.rules.intents import parse
from agent.state import State


def current_turn(state: State) -> tuple[HumanMessage, list[ToolMessage]]:
    """The user's last message and the tool answers given since."""
    for i in range(len(state.messages) - 1, -1, -1):
        if isinstance(state.messages[i], HumanMessage):
            done = [m for m in state.messages[i + 1 :] if isinstance(m, ToolMessage)]
            return state.messages[i], done
    raise ValueError("rules controller: no user message in the conversation")


def compose_reply(answers: list[ToolMessage]) -> str:
    return "\n\n".join(a.content.removeprefix("error: ") for a in answers)


def rules_controller(state: State, runtime: Runtime[Context]) -> dict:
    """Emit the next planned tool call; when all are done (or one failed), answer the user."""
    said, done = current_turn(state)
    plan = parse(said.text if hasattr(said, "text") and isinstance(said.text, str) else str(said.content))
    if plan.reply is not None:
        return {"messages": [AIMessage(plan.reply)]}
    failed = any(a.status == "error" for a in done)
    if len(done) < len(plan.calls) and not failed:
        name, args = plan.calls[len(done)]
        call = {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}
        return {"messages": [AIMessage("", tool_calls=[call])]}
    return {"messages": [AIMessage(compose_reply(done))]}
