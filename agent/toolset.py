"""The tools the controller calls; each answers in plain words and updates the graph state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from langchain_core.tools import tool
from langgraph.prebuilt import ToolRuntime
from langgraph.types import Command

from agent.context import Context
from agent.formatting import render_list
from agent.state import State
from agent.tool_result import ToolResult
from tools import steering
from tools.errors import ClipwiseError, ItemOutOfRangeError
from tools.explain import explain as build_explanation
from tools.explain import explanation_text
from tools.ranking import Request
from tools.sourcing import recommend_from_sources

Runtime = ToolRuntime[Context, State]
def notice_lines(notices: tuple[str, ...]) -> list[str]:
    """How a source's notices read under a list: 'note: YouTube says the daily quota ...'."""
    return [f"note: {n}" for n in notices]


def answer(runtime: Runtime, text: str, summary: str | None = None, notices: tuple[str, ...] = (),
           **update) -> Command:
    """A tool's reply: the text for the conversation, one summary line for the trace."""
    result = ToolResult(text, summary or text.splitlines()[0], notices)
    return Command(update={"messages": [result.message(runtime.tool_call_id)], "steps": [result.summary], **update})


def user_errors(fn):
    """A ClipwiseError becomes the tool's answer, so the controller can tell the user and go on."""

    @wraps(fn)
    def wrapper(*args, runtime: Runtime, **kwargs):
        try:
            return fn(*args, runtime=runtime, **kwargs)
        except ClipwiseError as exc:
            result = ToolResult(str(exc), f"error: {exc}", failed=True)
            return Command(update={"messages": [result.message(runtime.tool_call_id)], "steps": [result.summary]})

    return wrapper


def shown_item(runtime: Runtime, item: int) -> dict:
    shown = runtime.state.shown or []
    if not shown:
        raise ItemOutOfRangeError(f"There is no list yet, so there is no #{item}. Ask for some videos first.")
    if not 1 <= item <= len(shown):
        raise ItemOutOfRangeError(f"There is no #{item}: the last list had {len(shown)} item(s).")
    return shown[item - 1]


def run_recommend(runtime: Runtime, query: str | None = None, seed: str | None = None,
                  queries: list[str] | None = None) -> Command:
    ctx = runtime.context
    extra = tuple(q.strip() for q in queries or [] if q and q.strip())[:6]
    ranking = recommend_from_sources(ctx.lib, Request(ctx.user, query=query, seed_video=seed, k=ctx.k, queries=extra,
                                    clip_embed_missing=ctx.clip_embed_missing))
    items = [dict(i.as_dict(), rules_applied=ranking.rules_applied) for i in ranking.items]
    ctx.lib.mark_seen(ctx.user, [i["video_id"] for i in items])
    summary = ranking.summary()
    notices = tuple(ranking.notices)
    head = "\n".join([summary, *notice_lines(notices)])
    if not items:
        text = head + "\nNothing left that fits. Try 'undo', loosen a limit, or add a topic."
        return answer(runtime, text, summary, notices, results=[])
    return answer(runtime, head + "\n" + render_list(ctx.lib, items), summary, notices, results=items, shown=items)


@tool
@user_errors
def recommend(request: str | None = None, queries: list[str] | None = None, *, runtime: Runtime) -> Command:
    """Recommend videos. `request` is what the user asked for (a topic or question); leave it
    empty to recommend from the user's stored interests. `queries`: up to 6 more short search
    queries (2-6 words each) for the same request; a video counts by its best match."""
    return run_recommend(runtime, query=request or None, queries=queries)


@tool
@user_errors
def more_like(item: int, *, runtime: Runtime) -> Command:
    """Recommend videos like item #`item` of the last list, and remember that the user liked it."""
    video_id = shown_item(runtime, item)["video_id"]
    note = steering.like_video(runtime.context.lib, runtime.context.user, video_id, f"more like #{item}")
    result = run_recommend(runtime, seed=video_id)
    result.update["steps"] = [note, *result.update["steps"]]
    return result


@tool
@user_errors
def add_interest(topic: str, evidence: str, *, runtime: Runtime) -> Command:
    """Remember a topic the user cares about. `evidence` is the user's exact words that show it."""
    return answer(runtime, steering.add_interest(runtime.context.lib, runtime.context.user, topic, evidence))


@tool
@user_errors
def drop_topic(topic: str, evidence: str, *, runtime: Runtime) -> Command:
    """Never show videos about `topic` again (until undone). `evidence` is the user's words."""
    return answer(runtime, steering.drop_topic(runtime.context.lib, runtime.context.user, topic, evidence))


@tool
@user_errors
def less_topic(topic: str, *, runtime: Runtime) -> Command:
    """Show less of `topic` (ranked lower, not hidden): for 'less X', 'fewer X', 'tone down X'."""
    return answer(runtime, steering.less_topic(runtime.context.lib, runtime.context.user, topic))


@tool
@user_errors
def forget_topic(topic: str, *, runtime: Runtime) -> Command:
    """Delete an interest and its evidence from memory (no filter is kept)."""
    return answer(runtime, steering.forget_topic(runtime.context.lib, runtime.context.user, topic))


@tool
@user_errors
def rename_interest(topic: str, new_name: str, evidence: str, *, runtime: Runtime) -> Command:
    """Rename a stored interest, keeping where it came from. `evidence` is the user's words."""
    lib, user = runtime.context.lib, runtime.context.user
    return answer(runtime, steering.rename_interest(lib, user, topic, new_name, evidence))


@tool
@user_errors
def block_channel(channel: str | None = None, item: int | None = None, *, runtime: Runtime) -> Command:
    """Never show videos from a channel: give its name, or the number of an item in the last list."""
    if channel is None and item is None:
        raise ClipwiseError("Which channel? Give its name or a number from the list.")
    if channel is None:
        channel = runtime.context.lib.catalog.get(shown_item(runtime, item)["video_id"]).channel
    return answer(runtime, steering.block_channel(runtime.context.lib, runtime.context.user, channel))


@tool
@user_errors
def unblock_channel(channel: str, *, runtime: Runtime) -> Command:
    """Allow a blocked channel again."""
    return answer(runtime, steering.unblock_channel(runtime.context.lib, runtime.context.user, channel))


@tool
@user_errors
def set_limits(max_minutes: float | None = None, min_minutes: float | None = None,
               published_after: dt.date | None = None, include_unknown: str | None = None, *,
               runtime: Runtime) -> Command:
    """Hard limits on length (minutes) and publish date (ISO date). Videos whose length or date is
    unknown fail a limit unless `include_unknown` is 'length', 'date' or 'both' ('unknown lengths are fine')."""
    text = steering.set_limits(runtime.context.lib, runtime.context.user, max_minutes, min_minutes, published_after,
                               include_unknown)
    return answer(runtime, text)


@tool
@user_errors
def clear_limits(which: str = "all", *, runtime: Runtime) -> Command:
    """Remove limits: which='length' (min and max length), 'date' (published after) or 'all'."""
    return answer(runtime, steering.clear_limits(runtime.context.lib, runtime.context.user, which))


@tool
@user_errors
def mark_watched(items: list[int], *, runtime: Runtime) -> Command:
    """The user has already watched these items of the last list (numbers): never show them again."""
    videos = [shown_item(runtime, item)["video_id"] for item in items]
    return answer(runtime, steering.mark_watched(runtime.context.lib, runtime.context.user, videos))


@tool
@user_errors
def not_interested(item: int, *, runtime: Runtime) -> Command:
    """Never show item #`item` of the last list again."""
    video_id = shown_item(runtime, item)["video_id"]
    return answer(runtime, steering.not_interested(runtime.context.lib, runtime.context.user, video_id))


@tool
@user_errors
def undo(*, runtime: Runtime) -> Command:
    """Revert the user's last change to interests, rules or feedback."""
    return answer(runtime, steering.undo(runtime.context.lib, runtime.context.user))


@tool
@user_errors
def show_interests(*, runtime: Runtime) -> Command:
    """List the user's interests, dropped topics, blocked channels and limits."""
    text = steering.describe_memory(runtime.context.lib, runtime.context.user)
    return answer(runtime, text, "memory: listed interests and rules")


@tool
@user_errors
def explain(item: int, *, runtime: Runtime) -> Command:
    """Why item #`item` of the last list was recommended, from the ranking trace and memory."""
    exp = build_explanation(runtime.context.lib, runtime.context.user, shown_item(runtime, item), item)
    return answer(runtime, explanation_text(exp), f"explain: #{item}", explanation=exp)


TOOLS = [recommend, more_like, add_interest, drop_topic, less_topic, forget_topic, rename_interest, block_channel,
         unblock_channel, set_limits, clear_limits, not_interested, mark_watched, undo, show_interests, explain]


@dataclass(frozen=True)
class ToolTraits:
    """What a tool is, for the code that treats tools differently (call guard, LLM controller, prompt)."""

    writes_memory: bool = False
    """Changes the user's memory (more_like records a liked video)."""
    names_topic: bool = False
    """Takes a topic, which must be in the user's own words."""
    takes_evidence: bool = False
    """Takes evidence: the user's words, quoted."""
    reads_data: bool = False
    """Its answer carries text nobody on this side wrote: titles, descriptions, transcripts."""
    lists_videos: bool = False
    """Its answer is the new list (with the notes a source wants the user told)."""
    uses_list: bool = False
    """Takes an item number: '#2' of the list on screen."""
    verbatim: bool = False
    """The user reads its answer as is, after the model's words."""


TOOL_TRAITS: dict[str, ToolTraits] = {
    "recommend": ToolTraits(reads_data=True, lists_videos=True),
    "more_like": ToolTraits(writes_memory=True, reads_data=True, lists_videos=True, uses_list=True),
    "add_interest": ToolTraits(writes_memory=True, names_topic=True, takes_evidence=True),
    "drop_topic": ToolTraits(writes_memory=True, names_topic=True, takes_evidence=True),
    "less_topic": ToolTraits(writes_memory=True, names_topic=True),
    "forget_topic": ToolTraits(writes_memory=True, names_topic=True),
    "rename_interest": ToolTraits(writes_memory=True, names_topic=True, takes_evidence=True),
    "block_channel": ToolTraits(writes_memory=True, uses_list=True),
    "unblock_channel": ToolTraits(writes_memory=True),
    "set_limits": ToolTraits(writes_memory=True),
    "clear_limits": ToolTraits(writes_memory=True),
    "not_interested": ToolTraits(writes_memory=True, uses_list=True),
    "mark_watched": ToolTraits(writes_memory=True, uses_list=True),
    "undo": ToolTraits(writes_memory=True),
    "show_interests": ToolTraits(reads_data=True, verbatim=True),
    "explain": ToolTraits(reads_data=True, uses_list=True),
}
"""The one table of what each tool is."""


def tools_that(trait: str) -> frozenset[str]:
    """The names of the tools with this trait, e.g. tools_that("writes_memory")."""
    return frozenset(name for name, traits in TOOL_TRAITS.items() if getattr(traits, trait))
