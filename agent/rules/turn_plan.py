"""A parsed message -> the tool calls that carry it out, or the words to say instead (a question, an
answer to small talk, what was not understood)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from agent.prompts import HELP
from agent.understand.actions import Action, Reading

STEER_ORDER = ("undo", "forget", "rename", "drop", "less", "block_channel", "unblock_channel", "clear_limits",
               "set_limits", "not_interested", "seen", "add", "recommend", "more_like", "why", "show_memory")
SMALL_TALK = {
    "greeting": "Hi! Tell me what you'd like to watch: a topic ('black holes'), a question, or 'surprise me'.",
    "thanks": "You're welcome! Say 'more' for another list, or tell me what to change.",
    "out_of_scope": "That's outside what I do: I find videos, pick the part worth watching and explain why. "
                    "If you'd like videos about it, say 'videos about <topic>'.",
    "help": HELP,
}
YES = re.compile(r"^\s*(?:(?P<n>[12])|(?P<first>yes|yeah|yep|yup|sure|ok|okay|the first|first|option 1|1st)"
                 r"|(?P<second>the second|second|option 2|2nd|the other)|(?P<no>no|nope|neither|none|cancel|nah))"
                 r"\b[\s.!]*$", re.I)


@dataclass
class TurnPlan:
    """What the controller does this turn: tool calls in order, then a reply that opens with `intro`."""

    calls: list[tuple[str, dict]] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    outro: list[str] = field(default_factory=list)
    """Said after what the tools did: a question about the part of the message that was unclear."""
    reply: str | None = None
    """The whole answer when no tool is needed."""
    pending: list[dict] | None = None
    """The readings offered in a question, kept for the next turn's '1' or '2'."""

    def as_state(self) -> dict:
        return {"calls": [list(c) for c in self.calls], "intro": self.intro, "outro": self.outro,
                "reply": self.reply}


def calls_for(actions: list[Action]) -> tuple[list[tuple[str, dict]], list[str]]:
    """Tool calls for the actions: changes first, then one list, then questions about it."""
    calls: list[tuple[str, dict]] = []
    intro: list[str] = []
    ordered = sorted(actions, key=lambda a: STEER_ORDER.index(a.intent) if a.intent in STEER_ORDER else -1)
    listed = any(a.intent == "more_like" for a in actions)
    for a in ordered:
        said = a.said or ", ".join(a.topics)
        if a.intent in SMALL_TALK:
            if a.intent != "help" or len(actions) == 1:
                intro.append(SMALL_TALK[a.intent])
        elif a.intent == "recommend":
            if listed:
                continue
            for t in a.topics:
                calls.append(("add_interest", {"topic": t, "evidence": said}))
            args = {"request": a.topics[0], "queries": list(a.topics[1:])} if a.topics else {}
            calls.append(("recommend", {k: v for k, v in args.items() if v}))
            listed = True
        elif a.intent == "add":
            calls += [("add_interest", {"topic": t, "evidence": said}) for t in a.topics]
        elif a.intent == "drop":
            calls += [("drop_topic", {"topic": t, "evidence": said}) for t in a.topics]
        elif a.intent == "less":
            calls += [("less_topic", {"topic": t}) for t in a.topics]
        elif a.intent == "forget":
            calls += [("forget_topic", {"topic": t}) for t in a.topics]
        elif a.intent == "rename":
            calls.append(("rename_interest", {"topic": a.topics[0], "new_name": a.new_name, "evidence": said}))
        elif a.intent in ("block_channel", "unblock_channel"):
            args = {"channel": a.channel} if a.channel else {"item": a.items[0]}
            calls.append((a.intent, args))
        elif a.intent == "set_limits":
            args = {"max_minutes": a.max_minutes, "min_minutes": a.min_minutes,
                    "published_after": a.published_after.isoformat() if a.published_after else None,
                    "include_unknown": a.include_unknown}
            calls.append(("set_limits", {k: v for k, v in args.items() if v is not None}))
        elif a.intent == "clear_limits":
            calls.append(("clear_limits", {"which": a.which or "all"}))
        elif a.intent == "not_interested":
            calls += [("not_interested", {"item": i}) for i in a.items]
        elif a.intent == "seen":
            calls.append(("mark_watched", {"items": list(a.items)}))
        elif a.intent == "more_like":
            calls.append(("more_like", {"item": a.items[0]}))
        elif a.intent == "why":
            calls += [("explain", {"item": i}) for i in a.items[:3]]
        elif a.intent == "show_memory":
            calls.append(("show_interests", {}))
        elif a.intent == "undo":
            calls.append(("undo", {}))
    return calls, intro


def describe(action: Action) -> str:
    """One reading in plain words, for 'Did you mean ...?'."""
    topics = " and ".join(f"'{t}'" for t in action.topics)
    items = " and ".join(f"#{i}" for i in action.items)
    return {
        "recommend": f"find videos about {topics}" if topics else "recommend something",
        "add": f"remember that you like {topics}",
        "drop": f"hide everything about {topics}",
        "less": f"show less of {topics}",
        "forget": f"forget the interest {topics}",
        "more_like": f"find more like {items}",
        "not_interested": f"hide {items}",
        "seen": f"mark {items} as watched",
        "why": f"explain why {items} was picked",
        "block_channel": f"block the channel {action.channel or items}",
        "unblock_channel": f"unblock the channel {action.channel}",
        "set_limits": "set a length or date limit",
        "clear_limits": f"clear the {action.which or 'all'} limits",
        "show_memory": "show what I know about you",
        "undo": "undo your last change",
        "rename": f"rename {topics} to '{action.new_name}'",
        "greeting": "say hello", "thanks": "say thanks", "help": "list what you can say",
        "out_of_scope": "ask something outside videos",
    }.get(action.intent, action.intent)


def examples(shown: int, interests: list[str]) -> list[str]:
    """Three things the person could say now, from where the conversation is."""
    if shown:
        return [f"'more like #{min(2, shown)}'", "'why #1?'",
                f"'less {interests[0]}'" if interests else "'nothing over 15 minutes'"]
    if interests:
        return [f"'more {interests[0]}'", "'recommend something'", f"'drop {interests[-1]}'"]
    return ["'videos about black holes'", "'I want to learn linear algebra'", "'surprise me'"]


def plan_reading(reading: Reading, shown: int, interests: list[str]) -> TurnPlan:
    question, pending = None, None
    if reading.alternatives:
        options = [alt[0] for alt in reading.alternatives]
        asked = " or ".join(f"{i}) {describe(o)}" for i, o in enumerate(options, 1))
        about = f"About \"{options[0].said}\": did" if reading.actions else "Did"
        question = f"{about} you mean {asked}? Answer 1 or 2 (or say it another way)."
        pending = [action_dict(o) for o in options]
        if not reading.actions:
            return TurnPlan(reply=question, pending=pending)
    if not reading.understood:
        return TurnPlan(reply="I didn't understand that. You could say " + ", ".join(examples(shown, interests))
                        + ", or 'help' for more.")
    calls, intro = calls_for(reading.actions)
    if reading.problem:
        intro.insert(0, reading.problem)
    outro = [question] if question else []
    if not calls:
        return TurnPlan(reply="\n\n".join(intro + outro) or None, pending=pending)
    return TurnPlan(calls, intro, outro=outro, pending=pending)


def answer_pending(said: str, pending: list[dict]) -> TurnPlan | None:
    """The person's answer to 'Did you mean 1) ... or 2) ...?', or None when they said something else."""
    m = YES.match(said)
    if not m:
        return None
    if m.group("no"):
        return TurnPlan(reply="OK, I left everything as it was. Say it another way and I'll try again.")
    pick = 1 if m.group("second") or m.group("n") == "2" else 0
    if pick >= len(pending):
        return None
    calls, intro = calls_for([action_from(pending[pick])])
    return TurnPlan(calls, intro) if calls else TurnPlan(reply="\n\n".join(intro))


def action_dict(action: Action) -> dict:
    d = asdict(action)
    d["published_after"] = action.published_after.isoformat() if action.published_after else None
    return d


def action_from(d: dict) -> Action:
    import datetime as dt

    fields = dict(d)
    fields["topics"] = tuple(fields.get("topics") or ())
    fields["items"] = tuple(fields.get("items") or ())
    if fields.get("published_after"):
        fields["published_after"] = dt.date.fromisoformat(fields["published_after"])
    return Action(**fields)
