"""The request parser: a message -> the actions it asks for, with slots resolved against what exists
and a confidence that decides between acting, asking, and saying what was not understood."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from agent.understand.actions import Action, Reading
from agent.understand.channels import ChannelIndex
from agent.understand.clauses import is_filler, split_clauses
from agent.understand.intent_model import IntentModel
from agent.understand.item_refs import item_numbers, too_big
from agent.understand.length_and_date import Limit, find_limits
from agent.understand.masking import fix_frame_typos, mask
from agent.understand.topics import PRONOUNS, Vocabulary, english_words, is_generic, split_topics, strip_request
from tools.limits import limits as size_limits

ACT = 0.25
"""A clause whose likeliest intent is at least this sure is acted on."""
ASK = 0.12
"""Between ASK and ACT the person is asked which of the two likeliest readings they meant; below, the
message is not understood. ACT was chosen by 5-fold cross-validation on the dev paraphrases
(`python -m evals.paraphrase_eval --tune`: every fold picked 0.25 or 0.3)."""
TOPIC_INTENTS = {"recommend", "add", "drop", "less", "forget"}
ITEM_INTENTS = {"more_like", "not_interested", "seen", "why"}
NO_SLOTS = {"show_memory", "undo", "greeting", "thanks", "help", "out_of_scope"}
ITEM_WORDS = re.compile(r"#|\bnumber\b|\bno\.|\bone\b|\bvideo\b|\bwhoever\b|\bmade\b|\bcreator\b|\buploader\b|\bposted\b"
                        r"|\bfirst|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\blast\b|\btop\b|\d", re.I)
STRONG_ITEM = re.compile(r"#\s*\d|\bnumber\s+\w|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
                         r"tenth|\d+(?:st|nd|rd|th))\b|\b(?:last|top)\s+(?:one|video|pick)", re.I)
SHORTER = re.compile(r"\bshort|\bquick|\bbrief|\bbite|too long|lunch|\bsnack|\bfast\b", re.I)
LONGER = re.compile(r"\blong|deep dive|in-depth|\bfull\b", re.I)
COMPARATIVE = re.compile(r"\b(?:shorter|longer|less long|not as long|a bit|a little)\b", re.I)
"""'Shorter' / 'longer' compare with the list on screen (0.7x / 1.3x its median); 'quick ones' does not."""
SHORT_MINUTES, LONG_MINUTES = 10.0, 20.0
RECENT = re.compile(r"\brecent|\bnew|\bfresh|\bold|\blatest|outdated|\bdated\b", re.I)
LENGTH_WORDS = re.compile(r"length|long|short|time|minute|duration|cap\b|\bmax|\bmin\b", re.I)
DATE_WORDS = re.compile(r"date|\bold|\bnew|upload|year|since|\bage\b|recent|publish", re.I)
RENAME = re.compile(
    r"^(?:.*?\b(?:rename|relabel|retitle|renmae|call|change|switch|update)\b)?\s*(?:the\s+)?(?:name\s+(?:of\s+)?)?"
    r"(?:label\s+from\s+)?(?:my\s+)?(?:interest\s+|topic\s+)?['\"]?(?P<old>.+?)['\"]?(?:\s+interest|\s+topic)?\s+"
    r"(?:to|as|into|->|should be called|should read|be named|renamed to|is really|,? make it|,? call it)\s+"
    r"['\"]?(?P<new>.+?)['\"]?(?:\s+instead|\s+in my interests|,? rename it|\s+pls|\s+please)?[.!?]*$", re.I)
UNBLOCK_WORDS = re.compile(r"\b(?:unblock|un-block|unban|un-ban|unmute|un-mute|allow|let .* back|lift the block|"
                           r"remove the block|show (?:it|them|him|her) again|(?:is|are) forgiven|fine to show)\b", re.I)
BLOCK_WORDS = re.compile(r"\b(?:block|ban|mute|blacklist|never|no more|nothing from)\b", re.I)
CHANNEL_WORDS = re.compile(r"\b(?:block|blok|channel|from|by|mute|unsubscribe|creator|uploader|un-?block)\b", re.I)
QUOTED = re.compile(r"(?<!\w)['\"‘“](.+?)['\"’”](?!\w)")
POLITE = {"please", "pls", "plz", "too", "also", "maybe", "then", "now", "ok", "so", "and", "or", "again", "stuff",
          "videos", "video", "content", "things", "clips", "tutorials", "for", "beginners", "some", "the", "more",
          "shows", "of", "in", "on", "with", "a", "an", "any"}
CACHE_SIZE = 8192
"""Clause readings kept by masked text: the same frames come back all the time ('more like # N')."""
OUT_OF_SCOPE_SURE = 0.5
"""'Out of scope' needs to be this sure: a clause that is mostly topic words is more likely a request."""
THEIR = re.compile(r"^(?:it|them|their(?: channel)?|his(?: channel)?|her(?: channel)?|that channel|this channel"
                   r"|the channel|that|this|they)$", re.I)


@dataclass
class ParseContext:
    """What the words are resolved against: today's date, the catalog's channels and words, the list on
    screen and the person's memory."""

    today: dt.date
    channels: ChannelIndex
    vocabulary: Vocabulary | None = None
    phrase_known: Callable[[str], bool] = lambda phrase: False
    shown: list[dict] = field(default_factory=list)
    """The last list: dicts with at least video_id, and channel / duration_s when known."""
    blocked: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    """The person's active interests: a phrase naming one of them is that topic, not a channel."""
    titles_elsewhere: Callable[[str, str], int] = lambda phrase, channel: 0
    """How many titles of other channels name a phrase (a topic, then, not only a name)."""


@dataclass
class ClauseReading:
    clause: str
    intents: list[tuple[str, float]]
    """The intents by probability, best first."""


class RequestParser:
    """Fitted once per process (about 3 s with the embedding model); parse() is then a few milliseconds."""

    def __init__(self, model: IntentModel, act: float = ACT, ask: float = ASK):
        self.model, self.act, self.ask = model, act, ask
        self.cache: dict[str, tuple[tuple[str, float], ...]] = {}
        self.classify = lru_cache(maxsize=CACHE_SIZE)(self._classify)

    def classify_all(self, masked: list[str]) -> list[tuple[tuple[str, float], ...]]:
        """Every clause of a message in one batch (one embedding call), cached by masked text."""
        todo = [m for m in dict.fromkeys(masked) if m not in self.cache and not bare_topic(m)]
        if todo:
            for m, probs in zip(todo, self.model.probabilities(todo)):
                self.cache[m] = self.ranked(probs)
            while len(self.cache) > CACHE_SIZE:
                self.cache.pop(next(iter(self.cache)))
        return [self.classify(m) for m in masked]

    def _classify(self, masked: str) -> tuple[tuple[str, float], ...]:
        if bare_topic(masked):  # 'sourdough please'
            return (("recommend", 1.0),)
        if masked in self.cache:
            return self.cache[masked]
        return self.ranked(self.model.probabilities([masked])[0])

    def ranked(self, probs: np.ndarray) -> tuple[tuple[str, float], ...]:
        order = list(np.argsort(-probs))
        if self.model.classes[order[0]] == "out_of_scope" and probs[order[0]] < OUT_OF_SCOPE_SURE:
            order = order[1:] + order[:1]
        return tuple((self.model.classes[i], float(probs[i])) for i in order[:3])

    def parse(self, said: str, ctx: ParseContext) -> Reading:
        text = " ".join(said.split())
        if sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha() for c in text)):
            text = text.lower()
        text = re.sub(r"\b(un|re)-(?=[a-z])", r"\1", text, flags=re.I)  # 'un-block' is 'unblock'
        text = fix_frame_typos(text, lambda w: w in english_words() or (
            ctx.vocabulary is not None and w in ctx.vocabulary.known))
        self.message, self.vocabulary = text, ctx.vocabulary
        limits = find_limits(text, ctx.today)
        work = cut_spans(text, limits)
        clauses = [c for c in split_clauses(work) if c.strip(" ,.")]
        readings = [ClauseReading(c, list(r)) for c, r in zip(clauses, self.classify_all([mask(c) for c in clauses]))]
        bad = next((lim for lim in limits if lim.bad), None)
        good_limits = [lim for lim in limits if not lim.bad]
        actions, unsure = [], []
        previous_topics: tuple[str, ...] = ()
        for r in readings:
            intent, p = r.intents[0]
            if is_filler(r.clause) and (len(readings) > 1 or limits):
                continue
            if limits and "X" not in mask(r.clause).split() and len(mask(r.clause).split()) <= 2 \
                    and intent == "recommend":  # 'only , videos' once 'this year's' is cut out
                continue
            if p < self.act:
                unsure.append(r)
                continue
            action = self.fill(intent, r.clause, ctx, previous_topics)
            if action is None:
                continue
            actions.append(action)
            previous_topics = action.topics or previous_topics
        if good_limits:
            actions = merge_limits(actions, good_limits)
        actions = resolve_vague(tidy(actions), ctx)
        problem = limit_problem(bad) if bad else None
        if not problem and (crossed := next((a for a in actions if a.intent == "set_limits" and a.min_minutes
                                             and a.max_minutes and a.min_minutes > a.max_minutes), None)):
            problem = (f"I can't use those lengths: at least {crossed.min_minutes:g} and at most "
                       f"{crossed.max_minutes:g} minutes leaves nothing. Nothing was changed.")
            actions = [a for a in actions if a is not crossed]
        cap = size_limits().max_request_number
        if any(cap in a.items for a in actions) and (typed := too_big(text)):
            problem = problem or not_in_list(typed, len(ctx.shown))
            actions = [a for a in actions if cap not in a.items]
        problem = problem or next((a.said for a in actions if a.intent == "problem"), None)
        actions = [a for a in actions if a.intent != "problem"]
        confidence = min((r.intents[0][1] for r in readings), default=1.0)
        if unsure and actions and not problem:  # act on what is clear, ask about the rest
            r = next((u for u in unsure if u.intents[0][1] >= self.ask and "X" in mask(u.clause).split()), None)
            if r is not None:
                options = self.readings_of(r, ctx, previous_topics)
                if len(options) == 2:
                    return Reading(actions, confidence, alternatives=[[o] for o in options])
        if unsure and not actions and not problem:
            r = min(unsure, key=lambda u: u.intents[0][1])
            if r.intents[0][1] >= self.ask:
                options = self.readings_of(r, ctx, previous_topics)
                if len(options) == 1:  # both readings come to the same thing
                    return Reading(resolve_vague(options, ctx), confidence)
                return Reading([], confidence, alternatives=[[o] for o in options], understood=bool(options))
            return Reading([], confidence, understood=False)
        return Reading(actions, confidence, problem=problem, understood=bool(actions) or problem is not None)

    def readings_of(self, r: ClauseReading, ctx: ParseContext, previous: tuple[str, ...]) -> list[Action]:
        """The two likeliest distinct readings of an unsure clause, slots filled."""
        options = [self.fill(i, r.clause, ctx, previous) for i, _ in r.intents[:3]]
        return list(dict.fromkeys(o.with_(said=r.clause.strip()) for o in options
                                  if o is not None and o.intent != "problem"))[:2]

    def fill(self, intent: str, clause: str, ctx: ParseContext, previous: tuple[str, ...]) -> Action | None:
        """The action for one clause read as `intent`, its slots filled; None when there is nothing to do."""
        said = clause.strip()
        if intent in NO_SLOTS:
            return Action(intent, said=said)
        if intent in TOPIC_INTENTS:
            return self.topic_action(intent, clause, ctx, previous)
        if intent in ITEM_INTENTS:
            items = tuple(item_numbers(clause, len(ctx.shown)) or item_numbers(self.message, len(ctx.shown), bare=False))
            if not items:
                if intent == "not_interested":  # 'skip 3blue1brown', 'not into crypto'
                    return self.topic_action("drop", clause, ctx, previous)
                return Action("problem", said="Which one? Say its number, for example '#2'.") \
                    if intent != "more_like" else Action("recommend", said=said)
            return Action(intent, items=items, said=said)
        if intent in ("block_channel", "unblock_channel"):
            if UNBLOCK_WORDS.search(clause):  # the model confuses the two: the words say which
                intent = "unblock_channel"
            elif BLOCK_WORDS.search(clause):
                intent = "block_channel"
            if re.search(r"\btopic\b", clause, re.I):  # 'block the topic sports betting'
                return self.topic_action("drop", clause, ctx, previous)
            return self.channel_action(intent, clause, ctx)
        if intent == "set_limits":
            found = [lim for lim in find_limits(clause, ctx.today, default_max=True) if not lim.bad]
            if found:
                return merge_limits([], found)[0].with_(said=said)
            vague = "shorter" if SHORTER.search(clause) else "longer" if LONGER.search(clause) else \
                "recent" if RECENT.search(clause) else None
            return Action("set_limits", vague=vague, said=said) if vague else None
        if intent == "clear_limits":
            length, date = bool(LENGTH_WORDS.search(clause)), bool(DATE_WORDS.search(clause))
            which = "length" if length and not date else "date" if date and not length else "all"
            return Action("clear_limits", which=which, said=said)
        if intent == "rename":
            return rename_action(clause, ctx)
        return None

    def topic_action(self, intent: str, clause: str, ctx: ParseContext, previous: tuple[str, ...]) -> Action | None:
        said = clause.strip()
        raw = strip_request(clause)
        if raw.lower() in PRONOUNS:
            topics = previous
        elif is_generic(raw):
            topics = ()
        else:
            topics = tuple(self.correct(t, ctx) for t in split_topics(raw, ctx.phrase_known))
            topics = tuple(t for t in topics if not is_generic(t))
        if "X" not in mask(clause).split():
            topics = ()  # 'surprise me', 'I never asked for that': request words only, no topic
        if not topics:
            return Action("recommend", said=said) if intent == "recommend" else None
        if intent in ("recommend", "add") and bare_topic(mask(clause)) and not all(map(self.known, topics)):
            return None  # 'flibber jabber': no word anyone knows, so no interest to store
        channels = [ctx.channels.exact(t) or likely_channel(ctx, t) for t in topics]
        if intent == "drop" and all(channels):
            return Action("block_channel", channel=channels[0], topics=tuple(channels[1:]), said=said)
        if intent in ("add", "recommend") and len(topics) == 1 and (channel := ctx.channels.exact(topics[0])) \
                and channel in ctx.blocked:
            return Action("unblock_channel", channel=channel, said=said)
        return Action(intent, topics=topics, said=said)

    def channel_action(self, intent: str, clause: str, ctx: ParseContext) -> Action | None:
        said = clause.strip()
        phrase = strip_request(clause)
        if THEIR.match(phrase or "") or not phrase:  # 'whoever did #8, block their channel'
            items = item_numbers(self.message, len(ctx.shown), bare=False)
            if items and intent == "block_channel":
                return Action("block_channel", items=tuple(items[:1]), said=said)
            named = ctx.channels.mentioned(self.message)  # 'ugh, WIRED again? no thanks to that channel'
            if len(named) == 1:
                return Action(intent, channel=named[0], said=said)
        if intent == "block_channel" and STRONG_ITEM.search(clause) and not ctx.channels.exact(phrase or ""):
            items = item_numbers(clause, len(ctx.shown), bare=False)
            if items:
                return Action("block_channel", items=tuple(items[:1]), said=said)
        names = ctx.channels.candidates(phrase) if phrase else []
        if not names and phrase and re.search(r",|\band\b|&", phrase):  # 'block Coin Signal and Hype Machine'
            parts = [ctx.channels.exact(p) for p in split_topics(phrase, lambda _: False)]
            if parts and all(parts):
                return Action(intent, channel=parts[0], said=said, topics=tuple(parts[1:]))
        if len(names) != 1 and intent == "block_channel" and ITEM_WORDS.search(clause):
            items = item_numbers(clause, len(ctx.shown), bare=True)
            if items:
                return Action("block_channel", items=tuple(items[:1]), said=said)
        if len(names) == 1:
            return Action(intent, channel=names[0], said=said)
        if len(names) > 1:
            return Action("problem", said=f"'{phrase}' matches several channels: {', '.join(names)}. Which one?")
        if not phrase or is_generic(phrase):
            return Action("problem", said="Which channel? Give its name or a number from the list, e.g. 'block #2'.")
        if intent == "block_channel" and not CHANNEL_WORDS.search(clause):
            return self.topic_action("drop", clause, ctx, ())  # 'stop showing me crypto'
        if intent == "unblock_channel" and (phrase.lower() in ctx.dropped or not CHANNEL_WORDS.search(clause)):
            return Action("add", topics=(phrase.lower(),), said=said)  # 'crypto is fine again'
        typed = re.search(re.escape(phrase) + r"(?:\s+channel)?", clause, re.I)
        return Action("problem", said=f"No channel called '{typed.group() if typed else phrase}' in the catalog.")

    def known(self, topic: str) -> bool:
        words = [w for w in topic.lower().split() if w not in POLITE] or topic.lower().split()
        known = [not w.isalpha() or w in english_words() or bool(self.vocabulary and w in self.vocabulary.known)
                 for w in words]
        return sum(known) >= len(known) / 2

    def correct(self, topic: str, ctx: ParseContext) -> str:
        return ctx.vocabulary.correct(topic) if ctx.vocabulary else topic


TOPIC_ELSEWHERE = 3
"""A phrase in this many titles of other channels is a topic, even if it is part of a channel's name."""


def likely_channel(ctx: ParseContext, phrase: str) -> str | None:
    """A name of two words or more that only one channel holds and other channels' titles do not use
    ('hype machine' -> 'Hype Machine Daily'; 'late night' stays a topic)."""
    words = set(phrase.lower().split())
    if len(words) < 2 or any(words <= set(i.split()) for i in ctx.interests):
        return None
    hits = ctx.channels.candidates(phrase)
    if len(hits) != 1 or ctx.titles_elsewhere(phrase, hits[0]) >= TOPIC_ELSEWHERE:
        return None
    return hits[0]


def bare_topic(masked: str) -> bool:
    words = masked.split()
    return "X" in words and all(w == "X" or w in POLITE for w in words)


def cut_spans(text: str, limits: list[Limit]) -> str:
    """The text with each limit replaced by a comma, so what is around it reads on its own."""
    out, last = [], 0
    for lim in sorted(limits, key=lambda x: x.start):
        if lim.start < last:
            continue
        out += [text[last:lim.start], " , "]
        last = lim.end
    return "".join(out + [text[last:]])


def merge_limits(actions: list[Action], limits: list[Limit]) -> list[Action]:
    """All the limits of a message as one set_limits action, kept where the first limit was said."""
    fields = {}
    for lim in limits:
        for name in ("max_minutes", "min_minutes", "published_after", "include_unknown"):
            if getattr(lim, name) is not None:
                fields[name] = getattr(lim, name)
    rest = [a for a in actions if a.intent != "set_limits"]
    vague = next((a for a in actions if a.intent == "set_limits"), None)
    if vague and vague.vague == "recent" and "published_after" not in fields:
        fields["vague"] = "recent"
    return [*rest, Action("set_limits", **fields)] if fields else rest


def tidy(actions: list[Action]) -> list[Action]:
    """One action per topic intent (its topics together), one list request, duplicates gone, and no topic
    that is a channel the same message blocks or unblocks ('I changed my mind about X, show it again')."""
    named = {a.channel.lower() for a in actions if a.channel}
    actions = [a.with_(topics=tuple(t for t in a.topics if t.lower() not in named))
               if a.intent in ("add", "recommend", "drop", "less") else a for a in actions]
    actions = [a for a in actions if a.topics or a.intent not in ("add", "drop", "less", "forget")]
    out: list[Action] = []
    expanded = []
    for a in actions:  # 'block A and B' is two blocks
        if a.intent in ("block_channel", "unblock_channel") and a.topics:
            expanded += [a.with_(topics=()), *(a.with_(channel=c, topics=()) for c in a.topics)]
        else:
            expanded.append(a)
    for a in expanded:
        same = next((o for o in out if o.intent == a.intent), None)
        if same and a.intent in TOPIC_INTENTS:
            out[out.index(same)] = same.with_(topics=tuple(dict.fromkeys(same.topics + a.topics)),
                                              said=f"{same.said}, {a.said}")
            continue
        if a.intent in NO_SLOTS and same or any(
                (o.intent, o.channel, o.items, o.topics) == (a.intent, a.channel, a.items, a.topics) for o in out):
            continue
        out.append(a)
    return out


def resolve_vague(actions: list[Action], ctx: ParseContext) -> list[Action]:
    """'shorter' becomes a number from the list on screen; 'quick ones' with no list, 10 minutes."""
    durations = sorted(d / 60 for d in (i.get("duration_s") for i in ctx.shown) if d)
    median = durations[len(durations) // 2] if durations else None
    out = []
    for a in actions:
        relative = COMPARATIVE.search(a.said or "")
        if a.intent == "set_limits" and a.vague == "shorter" and a.max_minutes is None:
            a = a.with_(max_minutes=round(max(1.0, 0.7 * median), 1) if median and relative else SHORT_MINUTES)
        elif a.intent == "set_limits" and a.vague == "longer" and a.min_minutes is None:
            a = a.with_(min_minutes=round(1.3 * median, 1) if median and relative else LONG_MINUTES)
        elif a.intent == "set_limits" and a.vague == "recent" and a.published_after is None:
            a = a.with_(published_after=ctx.today - dt.timedelta(days=365))
        out.append(a)
    return out


def limit_problem(bad: Limit) -> str:
    """The answer to a limit that cannot be used: what is wrong with it and what to say instead."""
    if bad.bad_date:
        return (f"I can't use that date: {bad.bad_date}. Nothing was changed. "
                "Say for example 'since 2023-04-01' or 'from the last 6 months'.")
    return f"I can't use that length: {bad.bad_length}. Nothing was changed. Say for example 'nothing over 20 minutes'."


def not_in_list(typed: str, shown: int) -> str:
    if not shown:
        return f"There is no #{typed}: there is no list yet. Ask for some videos first."
    return f"There is no #{typed} in the list; the list has {shown}."


def rename_action(clause: str, ctx: ParseContext) -> Action:
    said = clause.strip()
    quoted = QUOTED.findall(clause)
    if len(quoted) >= 2:
        return Action("rename", topics=(quoted[0].lower(),), new_name=quoted[1].lower(), said=said)
    if m := RENAME.match(clause.strip()):
        old, new = m.group("old").strip(" '\""), m.group("new").strip(" '\"")
        return Action("rename", topics=(old.lower(),), new_name=new.lower(), said=said)
    return Action("problem", said="Rename which interest to what? Say for example 'rename baking to sourdough'.")
