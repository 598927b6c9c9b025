"""Map plain requests onto tool calls: the deterministic controller's whole vocabulary."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from agent.prompts import HELP

NUM = r"(?:#|number\s*|no\.?\s*)?(\d+)"
UNITS = {"s": 1 / 60, "sec": 1 / 60, "second": 1 / 60, "m": 1, "min": 1, "minute": 1, "h": 60, "hr": 60, "hour": 60}
GENERIC = {"", "something", "anything", "some", "videos", "video", "stuff", "more", "things", "something else",
           "something new", "another list", "next", "new ones", "some more", "recommendations", "me something", "new", "else"}


@dataclass
class Plan:
    """Tool calls to make in order, or a reply that needs no tool."""

    calls: list[tuple[str, dict]] = field(default_factory=list)
    reply: str | None = None


def clean_topic(text: str) -> str:
    text = re.sub(r"\b(please|videos?|clips?|content|stuff|things|anymore|any more|thanks?)\b", " ", text, flags=re.I)
    text = re.sub(r"^\s*(about|on|of|for|with|the|some|a|an)\s+", " ", text, flags=re.I)
    return " ".join(text.split()).strip(" .,!?;:'\"")


def minutes(amount: str, unit: str) -> float:
    unit = unit.lower().rstrip("s") or "m"
    return float(amount) * UNITS.get(unit, UNITS.get(unit[:3], 1))


def since_date(text: str, today: dt.date) -> dt.date | None:
    if m := re.search(r"(?:last|past)\s+(\d+)?\s*(year|month|week|day)s?", text):
        n = int(m.group(1) or 1)
        days = {"year": 365, "month": 30, "week": 7, "day": 1}[m.group(2)] * n
        return today - dt.timedelta(days=days)
    if m := re.search(r"(?:since|after|newer than|from)\s+(\d{4}-\d{2}-\d{2})", text):
        return dt.date.fromisoformat(m.group(1))
    if m := re.search(r"(?:since|after|newer than|from)\s+(\d{4})\b", text):
        return dt.date(int(m.group(1)), 1, 1)
    return None


LIMIT = r"(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b"
RULES: list[tuple[str, callable]] = []


def rule(pattern: str):
    def register(fn):
        RULES.append((re.compile(pattern, re.I), fn))
        return fn
    return register


@rule(r"^(?:help|what can you do|commands|\?)$")
def _help(m, said, today):
    return Plan(reply=HELP)


@rule(r"^(?:undo|undo that|undo last|take (?:that|it) back|revert(?: that)?)$")
def _undo(m, said, today):
    return Plan([("undo", {})])


@rule(r"^(?:show|list|what are|tell me)?\s*(?:me\s+)?my (?:interests|topics|rules|profile|memory|settings)|^what do you know about me")
def _show(m, said, today):
    return Plan([("show_interests", {})])


@rule(r"^why(?: did you (?:pick|recommend|suggest|choose))?(?: the)?\s*" + NUM)
def _why(m, said, today):
    return Plan([("explain", {"item": int(m.group(1))})])


@rule(r"^(?:more like|similar to|something like|like)\s*" + NUM)
def _more_like(m, said, today):
    return Plan([("more_like", {"item": int(m.group(1))})])


@rule(r"^(?:i'?m |i am )?not interested in\s*" + NUM + r"$|^(?:hide|skip|dislike|remove)\s*" + NUM + r"$")
def _not_interested(m, said, today):
    return Plan([("not_interested", {"item": int(m.group(1) or m.group(2))})])


@rule(r"^(?:block|mute|hide|no more from|nothing from|stop showing(?: me)?)(?: videos from)? (?:the )?channel (?:of|from) " + NUM + r"$"
      r"|^(?:block|mute) (?:the )?channel " + NUM + r"$|^(?:block|mute) " + NUM + r"(?:'s channel)?$")
def _block_item(m, said, today):
    return Plan([("block_channel", {"item": int(next(g for g in m.groups() if g))})])


@rule(r"^(?:block|mute)(?: the)?(?: channel)? (.+)$|^(?:no more|nothing|stop showing me(?: videos)?) from (?:the channel )?(.+)$")
def _block(m, said, today):
    name = (m.group(1) or m.group(2)).strip(" .!?'\"")
    if name.lower() in {"that channel", "this channel", "that", "this", "it"}:
        return Plan(reply="Which channel? Say 'block the channel of #2' or 'block <channel name>'.")
    return Plan([("block_channel", {"channel": name})])


@rule(r"^(?:unblock|unmute|allow)(?: the)?(?: channel)? (.+)$")
def _unblock(m, said, today):
    return Plan([("unblock_channel", {"channel": m.group(1).strip(" .!?'\"")})])


@rule(r"^(?:clear|remove|reset|drop|no)(?: all)?(?: my)? (?:limits|rules on length|length limits)$|^any length(?: is fine)?$")
def _clear_limits(m, said, today):
    return Plan([("clear_limits", {})])


@rule(r"(?:nothing|no videos?)\s+(?:under|shorter than|below|less than)\s+" + LIMIT)
def _min_len_negated(m, said, today):
    return Plan([("set_limits", {"min_minutes": minutes(m.group(1), m.group(2))})])


@rule(r"(?:nothing|no videos?|not)\s+(?:over|longer than|above|more than|past)\s+" + LIMIT
      + r"|(?:under|shorter than|less than|at most|max(?:imum)?|up to|below)\s+" + LIMIT)
def _max_len(m, said, today):
    amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return Plan([("set_limits", {"max_minutes": minutes(amount, unit)})])


@rule(r"(?:at least|longer than|over|more than|min(?:imum)?)\s+" + LIMIT)
def _min_len(m, said, today):
    return Plan([("set_limits", {"min_minutes": minutes(m.group(1), m.group(2))})])


@rule(r"(?:only|just|nothing older than|from the|in the)\b.*\b(?:last|past)\s+(?:\d+\s*)?(?:year|month|week|day)s?"
      r"|^(?:only )?(?:things |videos )?(?:since|after|newer than)\s+\d{4}")
def _recent(m, said, today):
    since = since_date(said.lower(), today)
    return Plan([("set_limits", {"published_after": since.isoformat()})]) if since else Plan(reply=HELP)


@rule(r"^rename(?: the)?(?: interest| topic)? ['\"]?(.+?)['\"]? (?:to|as|into) ['\"]?(.+?)['\"]?$"
      r"|^call (?:the )?(?:interest|topic) ['\"]?(.+?)['\"]? ['\"]?(.+?)['\"]? instead$")
def _rename(m, said, today):
    old, new = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return Plan([("rename_interest", {"topic": old.strip(), "new_name": new.strip(), "evidence": said})])


@rule(r"^forget(?: about)? (.+)$")
def _forget(m, said, today):
    return Plan([("forget_topic", {"topic": clean_topic(m.group(1))})])


@rule(r"^(?:drop|no more|nothing about|stop showing me|less|exclude|hide|ban|no)\s+(.+)$"
      r"|^i(?:'m| am) (?:not interested in|sick of|tired of|done with|bored of|bored with) (.+)$"
      r"|^i (?:don'?t|do not) (?:want|like|care about|need) (?:any )?(?:more )?(.+)$")
def _drop(m, said, today):
    topic = clean_topic(next(g for g in m.groups() if g))
    if not topic:
        return Plan(reply="Which topic should I drop? Say for example 'drop crypto'.")
    return Plan([("drop_topic", {"topic": topic, "evidence": said})])


@rule(r"^add(?: the)?(?: topic| interest)? (.+)$")
def _add(m, said, today):
    return Plan([("add_interest", {"topic": clean_topic(m.group(1)), "evidence": said})])


@rule(r"^(?:i(?:'m| am) (?:into|interested in|curious about|learning|studying)"
      r"|i (?:really )?(?:like|love|enjoy)|i(?:'d| would)? ?(?:want|like) to (?:learn|know|understand|get better at|study)(?: about| more about)?"
      r"|teach me(?: about)?|more about|i care about|interested in) (.+)$")
def _into(m, said, today):
    topic = clean_topic(m.group(1))
    return Plan([("add_interest", {"topic": topic, "evidence": said}), ("recommend", {"request": topic})])


@rule(r"^(?:please )?(?:recommend|suggest|show|find|give|get|search|look for|what should i watch|any|more|next|another)"
      r"(?:\s+(?:me|us|for)\b)*(?:\s+(?:some|a few|a couple of|a|another|more|new|good)\b)*\s*(.*)$"
      r"|^((?:videos?|something|anything|clips?|stuff) (?:about|on|for) .+)$")
def _recommend(m, said, today):
    asked = next(g for g in m.groups() if g is not None).strip()
    topic = clean_topic(re.sub(r"^(?:videos?|something|anything|stuff|clips?|list)\b", "", asked, flags=re.I))
    if topic.lower() in GENERIC or not topic:
        return Plan([("recommend", {})])
    return Plan([("add_interest", {"topic": topic, "evidence": said}), ("recommend", {"request": topic})])


def parse(said: str, today: dt.date | None = None) -> Plan:
    """The plan for one user message; anything unknown gets the list of what clipwise can do."""
    text = " ".join(said.split()).strip().rstrip("?!.").strip()
    today = today or dt.date.today()
    for pattern, build in RULES:
        if m := pattern.search(text):
            return build(m, said.strip(), today)
    return Plan(reply="I didn't understand that.\n" + HELP)
