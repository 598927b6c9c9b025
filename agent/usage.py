"""Tokens, cost and latency of the LLM calls of one turn, from AIMessage.usage_metadata."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage

CHARS_PER_TOKEN = 4
"""Rough size of a token in English text, used when a server reports no usage."""
KEY = "clipwise_llm_calls"
"""Where each stored AIMessage keeps the calls that produced it (in response_metadata)."""


def estimate_tokens(chars: int) -> int:
    return max(1, round(chars / CHARS_PER_TOKEN))


def request_chars(messages: list[BaseMessage], tool_schemas: list[dict] | None = None) -> int:
    """What a request weighs in characters: message texts, tool calls and tool schemas."""
    size = sum(len(m.text) + len(json.dumps(getattr(m, "tool_calls", []) or [], default=str)) for m in messages)
    return size + (len(json.dumps(tool_schemas)) if tool_schemas else 0)


def call_usage(response: AIMessage, sent_chars: int, latency_ms: float, model: str,
               price: tuple[float, float] | None) -> dict:
    """One call: tokens as the server counted them (or estimated from characters), cost, latency."""
    meta = response.usage_metadata
    if meta:
        tokens_in, tokens_out, estimated = meta["input_tokens"], meta["output_tokens"], False
    else:
        out_chars = len(response.text) + len(json.dumps(response.tool_calls or [], default=str))
        tokens_in, tokens_out, estimated = estimate_tokens(sent_chars), estimate_tokens(out_chars), True
    cost = None if price is None else (tokens_in * price[0] + tokens_out * price[1]) / 1e6
    return {"model": model, "input_tokens": tokens_in, "output_tokens": tokens_out, "estimated": estimated,
            "cost_usd": cost, "latency_ms": round(latency_ms, 1), "request_chars": sent_chars}


def this_turn(messages: list[AnyMessage]) -> list[AnyMessage]:
    """The messages since the user's last one."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return messages[i + 1:]
    return list(messages)


def turn_usage(messages: list[AnyMessage], extra_calls: list[dict] = ()) -> dict | None:
    """Totals over this turn's LLM calls; None when no LLM was called (the rules controller)."""
    calls = [c for m in this_turn(messages) if isinstance(m, AIMessage) for c in m.response_metadata.get(KEY, [])]
    calls += list(extra_calls)
    if not calls:
        return None
    costs = [c["cost_usd"] for c in calls]
    return {
        "model": calls[-1]["model"], "calls": len(calls),
        "input_tokens": sum(c["input_tokens"] for c in calls),
        "output_tokens": sum(c["output_tokens"] for c in calls),
        "largest_prompt_tokens": max(c["input_tokens"] for c in calls),
        "estimated": any(c["estimated"] for c in calls),
        "cost_usd": None if None in costs else round(sum(costs), 6),
        "llm_latency_ms": round(sum(c["latency_ms"] for c in calls), 1),
    }


def describe(usage: dict) -> str:
    """One line for the trace: 'llm: 3 call(s); 2,412 tokens in, 118 out; ~$0.0011; 1.9 s'."""
    approx = "~" if usage["estimated"] else ""
    cost = "cost unknown" if usage["cost_usd"] is None else f"~${usage['cost_usd']:.4f}"
    return (f"llm: {usage['calls']} call(s) to {usage['model']}; {approx}{usage['input_tokens']:,} tokens in, "
            f"{approx}{usage['output_tokens']:,} out; {cost}; {usage['llm_latency_ms'] / 1000:.1f} s")
