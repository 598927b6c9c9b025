"""The conversation graph: one factory, the controller is a parameter."""

from __future__ import annotations

from typing import Callable

from langchain_core.messages import HumanMessage, RemoveMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from agent.context import Context
from agent.rules.rules_controller import rules_controller
from agent.state import RESET, State
from agent.toolset import TOOLS

KEEP_TURNS = 8
"""Turns of conversation kept in the state: every step checkpoints the state, so an unbounded
history makes each turn slower than the last. Memory lives in the user store, not here."""


def begin_turn(state: State) -> dict:
    """Clear the previous turn's results and forget turns older than KEEP_TURNS; the last shown
    list stays for '#N'."""
    starts = [i for i, m in enumerate(state.messages) if isinstance(m, HumanMessage)]
    old = state.messages[: starts[-KEEP_TURNS]] if len(starts) > KEEP_TURNS else []
    update = {"results": [], "explanation": None, "steps": RESET, "plan": None}
    if old:
        update["messages"] = [RemoveMessage(id=m.id) for m in old]
    return update


def build_graph(controller: Callable = rules_controller, checkpointer: BaseCheckpointSaver | None = None,
                tools: list = TOOLS):
    """Compile begin_turn -> controller <-> tools; the same graph for every controller."""
    graph = StateGraph(State, context_schema=Context)
    graph.add_node("begin_turn", begin_turn)
    graph.add_node("controller", controller)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "begin_turn")
    graph.add_edge("begin_turn", "controller")
    graph.add_conditional_edges("controller", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "controller")
    return graph.compile(checkpointer=checkpointer)
