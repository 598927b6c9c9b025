"""What the model sees: a small system prompt, a short history, and tool output as delimited data."""

from __future__ import annotations

import datetime as dt
import re

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.prompts import LLM_SYSTEM
from agent.toolset import tools_that
from tools.filters import fmt_duration
from tools.library import Library

LIST_TOOLS = tools_that("lists_videos")
"""Tools whose answer is the new list (then the prompt does not repeat it)."""
HISTORY_TURNS = 4
"""Earlier turns kept in the prompt (the user's words and the model's own reply, no tool output)."""
MODEL_TEXT = "clipwise_model_text"
"""response_metadata key: the model's own words in a final reply (the reply adds cards to them)."""
TAG = re.compile(r"<\s*/?\s*untrusted[^>]*>", re.I)


def untrusted(text: str, source: str) -> str:
    """Delimit data; a tag inside the data is defused so the data cannot close the block."""
    return f'<untrusted source="{source}">\n{TAG.sub("[tag removed]", text)}\n</untrusted>'


def tool_names(messages: list[AnyMessage]) -> dict[str, str]:
    """Tool call id -> tool name, for the calls in these messages."""
    return {c["id"]: c["name"] for m in messages if isinstance(m, AIMessage)
            for c in [*m.tool_calls, *m.invalid_tool_calls]}


def last_list(lib: Library, shown: list[dict]) -> str:
    if not shown:
        return "(none yet)"
    lines = []
    for n, item in enumerate(shown, start=1):
        video = lib.catalog.get(item["video_id"])
        lines.append(f"#{n} {video.title} - {video.channel or 'unknown channel'} ({fmt_duration(video.duration_s)})")
    return untrusted("\n".join(lines), "last list")


def earlier_turns(messages: list[AnyMessage], turns: int = HISTORY_TURNS) -> list[BaseMessage]:
    """Each earlier turn as the user's message and the model's own reply; tool traffic left out."""
    starts = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    kept: list[BaseMessage] = []
    for a, b in list(zip(starts, starts[1:]))[-turns:]:
        kept.append(HumanMessage(messages[a].text))
        final = messages[b - 1]
        if isinstance(final, AIMessage) and not final.tool_calls:
            kept.append(AIMessage(final.response_metadata.get(MODEL_TEXT) or "(answered by the rules controller)"))
    return kept


def as_sent(message: AnyMessage, names: dict[str, str]) -> BaseMessage:
    """A turn message as the model gets it: clean AI messages, tool answers wrapped as data."""
    if isinstance(message, ToolMessage):
        source = names.get(message.tool_call_id, "tool")
        return ToolMessage(untrusted(message.text, source), tool_call_id=message.tool_call_id, status=message.status)
    if isinstance(message, AIMessage):
        return AIMessage(message.text, tool_calls=message.tool_calls, invalid_tool_calls=message.invalid_tool_calls)
    return HumanMessage(message.text)


def model_view(lib: Library, messages: list[AnyMessage], shown: list[dict], extra: list[AnyMessage] = (),
               today: dt.date | None = None) -> list[BaseMessage]:
    """System prompt, earlier turns, then this turn in full (plus messages not yet in the state)."""
    start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    turn = [*messages[start:], *extra]
    names = tool_names(turn)
    listed = any(isinstance(m, ToolMessage) and names.get(m.tool_call_id) in LIST_TOOLS for m in turn)
    shown_text = "(the list in this turn's tool output)" if listed else last_list(lib, shown)
    system = LLM_SYSTEM.format(today=(today or dt.date.today()).isoformat(), last_list=shown_text)
    return [SystemMessage(system), *earlier_turns(messages[: start + 1]), *(as_sent(m, names) for m in turn)]
