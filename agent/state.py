"""Graph state: the conversation plus this turn's structured results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

RESET = ["__reset__"]


def keep_last(_old, new):
    return new


def steps_reducer(old: list[str], new: list[str]) -> list[str]:
    """Append tool summaries; the turn's first node resets them with RESET."""
    if new == RESET:
        return []
    return [*(old or []), *new]


@dataclass
class State:
    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    """The conversation, tool calls and tool answers included."""
    shown: Annotated[list[dict], keep_last] = field(default_factory=list)
    """The last numbered list shown, which '#2' refers to (survives turns and restarts)."""
    results: Annotated[list[dict], keep_last] = field(default_factory=list)
    """Recommendations made in this turn (empty when the turn made none)."""
    explanation: Annotated[dict | None, keep_last] = None
    """The structured 'why' produced in this turn, if any."""
    steps: Annotated[list[str], steps_reducer] = field(default_factory=list)
    """What each tool did this turn, in plain words."""
    plan: Annotated[dict | None, keep_last] = None
    """This turn's parsed request: the tool calls still to make and the reply's opening lines."""
    pending: Annotated[list[dict] | None, keep_last] = None
    """The readings offered in a clarifying question, answered by '1' or '2' on the next turn."""
