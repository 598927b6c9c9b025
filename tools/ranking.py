"""Rank the catalog for a user: relevance to interests, hard filters, then diversity."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from memory.user_store import Interest, normalise_topic
from tools.clips import Clip, NoMatch, find_clip
from tools.errors import TranscriptError
from tools.filters import TopicBlock, describe_rules, fmt_duration, limit_failure
from tools.library import Library
from tools.related import NEXT_PART, NEXT_PART_FIRST
from tools.related import evidence as related_evidence

log = logging.getLogger(__name__)
POOL = 200
QUERY_WEIGHT, INTEREST_WEIGHT = 1.0, 0.25
FAMILY_CAP, FAMILY_LEVELS = 3, 2
"""A list from interests holds at most 3 videos sharing the first 2 levels of their semantic ID
(near-identical videos) while others qualify; more only when too few others do. Measured by
evals/semantic_ids_report.py on the real catalog (caps 2-4 at levels 1 and 2): level 1 spread
lists over more families but cost a series interest's P@10 (0.744 -> 0.619 at cap 3); level 2,
cap 3 spreads them a little (2.91 -> 3.09 families in a top 10) for 0.009 of P@10."""
CHANNEL_SHARE = 0.7
"""No channel may fill more than this share of a list."""
CHANNEL_DECAY = 0.93
INTEREST_DECAY = 0.9
"""Listing from several interests, each item already serving an interest discounts its next one:
a strong interest leads the list without filling it."""
EXPLORE_SHARE = 0.45
"""An item scoring under this share of the list's best is an exploration pick, and says so
rather than claiming to match the request."""
EXPLORATION_SLOTS = 1
"""At most this many exploration picks per list, last, labelled: a list is for what matches."""
MATCH_FLOOR = 0.25
"""With the model on, a request's real matches score 0.3 and up, unrelated videos 0.2 and less
(demo catalog: 'sourdough', 'running', 'origami'). Under this floor nothing matches: the whole list
is exploration, and other sources are asked to fill up."""


@dataclass
class Request:
    """What one recommend call asks for."""

    user: str
    query: str | None = None
    seed_video: str | None = None
    k: int = 10
    clip_embed_missing: bool = False
    queries: tuple[str, ...] = ()
    """More short phrasings of the request (an LLM writes them); a video counts by its best match."""
    skip_seen: bool = True
    """Chat leaves out what it already showed; a one-off lookup (`clipwise similar`) lists everything."""
    family_cap: int = FAMILY_CAP
    """Videos per semantic-ID prefix while others qualify; 0 turns the spread off."""
    family_levels: int = FAMILY_LEVELS


@dataclass
class RankedItem:
    video_id: str
    score: float
    matched_interest: dict | None
    matched_by: str
    """'interest', 'request' or 'similar video' or 'popular'."""
    clip: dict | None
    reason: str
    clip_note: str | None = None
    """Why there is no clip, when the reason is known (e.g. the uploader turned captions off)."""
    parts: dict[str, float] = field(default_factory=dict)
    """What each signal added to the score (they sum to it): the 'why' chart's bars."""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Ranking:
    items: list[RankedItem]
    steps: list[str] = field(default_factory=list)
    rules_applied: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """One-line notices for the user from the sources (quota spent, YouTube unreachable...)."""

    def summary(self) -> str:
        return "; ".join(self.steps)

    def strong(self) -> int:
        """Items that match what was asked (exploration picks do not count)."""
        return sum(1 for i in self.items if i.matched_by != "exploration")


EVIDENCE_KEPT = 6
"""Evidence carried with each shown item (an imported interest may have a hundred pieces); 'why'
reads the whole of it from memory while the interest is still there."""


def interest_dict(interest: Interest) -> dict:
    return {
        "id": interest.id, "text": interest.text, "weight": interest.weight, "status": interest.status,
        "evidence": [e.__dict__ for e in interest.evidence[-EVIDENCE_KEPT:]],
    }


def score_parts(lib: Library, req: Request, active: list[Interest]) -> tuple[dict[str, np.ndarray], np.ndarray, str]:
    """What each catalog video scores on each signal that decides the rank (the sum is its score),
    the index of the interest that explains each, and the mode."""
    n = len(lib.ids)
    per_interest = np.stack([lib.relevance(i.text) * i.weight for i in active]) if active else np.zeros((0, n))
    best = per_interest.argmax(0) if active else np.full(n, -1)
    interest_score = per_interest.max(0) if active else np.zeros(n)
    if req.seed_video:
        return {"like the video you chose": lib.similarity_to(req.seed_video),
                "your interests": INTEREST_WEIGHT * interest_score}, best, "similar video"
    if req.query:
        asked = np.max(np.stack([lib.relevance(q) for q in (req.query, *req.queries)]), axis=0)
        return {"your request": QUERY_WEIGHT * asked, "your interests": INTEREST_WEIGHT * interest_score}, best, "request"
    if active:
        return {"your interests": interest_score}, best, "interest"
    views = np.array([math.log1p(lib.catalog.get(v).view_count or 0) for v in lib.ids])
    return {"popularity": views / (views.max() or 1.0)}, best, "popular"


LESS_WEIGHT = 0.5
"""How much 'less X' lowers a video, times its relevance to X: enough to sink X below other matches,
not enough to hide a video that matches what was asked much better."""


def less_penalty(lib: Library, less_topics: tuple[str, ...]) -> np.ndarray:
    return LESS_WEIGHT * np.max(np.stack([lib.relevance(t) for t in less_topics]), axis=0)


HELD_HINT = {
    "unknown length": "more match but their length is unknown: say 'include unknown lengths' to see them",
    "unknown date": "more match but their date is unknown: say 'include unknown dates' to see them",
    "already shown": "more that match were shown before: tell me another topic to widen the list",
    "max length": "more match but are longer than your length limit: say 'any length is fine' to see them",
    "min length": "more match but are shorter than your length limit: say 'any length is fine' to see them",
    "too old": "more match but are older than your date limit: say 'any date is fine' to see them",
    "blocked channel": "more match but come from channels you blocked",
}
"""What a short list says about matches a filter removed, for the filters a user set and can change."""


@dataclass
class Pool:
    """The candidates that pass every hard filter, best first, and what each filter removed."""

    kept: list[str]
    steps: list[str]
    held: dict[str, list[str]]
    """Candidates removed by the filters a user set and can relax, by reason (the keys of HELD_HINT:
    a limit the video fails or whose value is unknown, a blocked channel, 'already shown')."""


def filter_pool(lib: Library, req: Request, order: np.ndarray, dropped: list[Interest]) -> Pool:
    """Walk candidates best-first through the hard filters; count what each one removed."""
    rules = lib.users.rules(req.user)
    seen = lib.users.seen(req.user) if req.skip_seen else set()
    blocks = [TopicBlock.build(lib, d) for d in dropped]
    blocked = {c.lower() for c in rules.blocked_channels}
    counts: dict[str, int] = {}
    kept: list[str] = []
    held: dict[str, list[str]] = {}
    for idx in order[:POOL]:
        vid = lib.ids[idx]
        video = lib.catalog.get(vid)
        reason = None
        if vid == req.seed_video:
            reason = "the video itself"
        elif vid in rules.hidden_videos:
            reason = "not interested"
        elif vid in seen:
            reason = "already shown"
        elif video.channel.lower() in blocked:
            reason = "blocked channel"
        elif (topic := next((b.text for b in blocks if b.blocks(lib, video)), None)) is not None:
            reason = f"dropped topic '{topic}'"
        else:
            reason = limit_failure(video, rules)
        if reason:
            counts[reason] = counts.get(reason, 0) + 1
            if reason in HELD_HINT:
                held.setdefault(reason, []).append(vid)
        else:
            kept.append(vid)
    steps = [f"{name}: -{n}" for name, n in counts.items()]
    return Pool(kept, steps, held)


def spread_families(lib: Library, kept: list[str], cap: int = FAMILY_CAP, levels: int = FAMILY_LEVELS,
                    qualifies=lambda vid: True) -> list[str]:
    """`kept` (best first) with the matches past the cap of each semantic-ID prefix moved behind the
    other matches, and ahead of what does not qualify as a match (`qualifies`)."""
    if cap <= 0 or not lib.families.ready():
        return kept
    seen: dict[tuple[int, ...], int] = {}
    first, later, rest = [], [], []
    for vid in kept:
        if not qualifies(vid):
            rest.append(vid)
            continue
        family = lib.families.prefix(vid, levels)
        seen[family] = seen.get(family, 0) + 1
        (first if seen[family] <= cap else later).append(vid)
    return first + later + rest


def diversify(lib: Library, kept: list[str], scores: np.ndarray, k: int,
              interest_of: np.ndarray | None = None) -> list[str]:
    """Greedy pick with a per-channel cap and a small penalty for each repeat of a channel (and,
    when listing from interests, of the interest served, so several interests share the list).

    `kept` is best-first, so each channel's next candidate is the head of its own queue.
    """
    cap = max(1, math.ceil(CHANNEL_SHARE * k))
    queues: dict[str, list[str]] = {}
    for vid in kept:
        queues.setdefault(lib.catalog.get(vid).channel, []).append(vid)
    taken = {channel: 0 for channel in queues}
    served_by: dict[int, int] = {}
    picked: list[str] = []
    while len(picked) < k:
        open_ = [c for c, q in queues.items() if q and taken[c] < cap]
        if not open_:
            break
        def value(c: str) -> float:
            row = lib.row[queues[c][0]]
            served = served_by.get(int(interest_of[row]), 0) if interest_of is not None else 0
            return scores[row] * CHANNEL_DECAY ** taken[c] * INTEREST_DECAY ** served

        channel = max(open_, key=value)
        vid = queues[channel].pop(0)
        picked.append(vid)
        taken[channel] += 1
        if interest_of is not None:
            served_by[int(interest_of[lib.row[vid]])] = served_by.get(int(interest_of[lib.row[vid]]), 0) + 1
    return picked


def safe_clip(lib: Library, video_id: str, topic: str, embed_missing: bool):
    """The clip, or None when the transcript cannot be read: one bad file must not sink a list."""
    try:
        return find_clip(lib, video_id, topic, embed_missing=embed_missing)
    except TranscriptError as exc:
        log.warning("no clip for %s: %s", video_id, exc)
        return None


def reason_line(video_id: str, mode: str, interest: dict | None, clip: dict | None, req: Request, lib: Library) -> str:
    if mode == "similar video":
        head = f"similar to '{lib.catalog.get(req.seed_video).title}'"
        if said := related_evidence(lib, req.seed_video, video_id):
            head += f" ({', '.join(said)})"
    elif mode == "request" and req.query:
        head = f"matches your request '{req.query}'"
    elif interest:
        head = f"matches your interest '{interest['text']}'"
    else:
        head = "popular pick (no interests yet: tell me what you like)"
    if clip:
        span = f"the part from {fmt_duration(clip['start'])} to {fmt_duration(clip['end'])}"
        if clip.get("chapter"):
            head += f"; {span} is the uploader's chapter '{clip['chapter']}'"
            if not clip.get("quote_names_topic", True):
                head += " (the quote does not use your words)"
        elif clip.get("quote_names_topic", True):
            head += f"; {span} is on point"
        elif clip.get("method") == "lexical+title":
            head += f"; no part uses your words, so {span} is where it talks about what its title says"
        else:  # matched by meaning: say so rather than claim the quote says it
            head += f"; {span} comes closest in meaning (the quote does not use your words)"
    return head


def match_floor(lib: Library, mode: str, top: float) -> float:
    """The match strength under which an item is an exploration pick, not a match."""
    relative = EXPLORE_SHARE * top
    if not lib.semantic or mode not in ("request", "interest"):
        return relative
    return max(relative, MATCH_FLOOR)


def match_strength(lib: Library, vid: str, scores: np.ndarray, best: np.ndarray, active: list[Interest],
                   mode: str, seed: str | None = None) -> float:
    """How well an item matches what it was picked for: its relevance to the interest it serves,
    before that interest's weight (a light imported interest still has real matches)."""
    score = float(scores[lib.row[vid]])
    if mode == "similar video":  # the next-part tier orders the list; it is no stronger a match
        score -= NEXT_PART_FIRST * float(lib.related.matrix_for(seed)[lib.row[vid], NEXT_PART]) if seed else 0.0
    i = int(best[lib.row[vid]])
    if mode == "interest" and i >= 0 and active[i].weight > 0:
        return score / active[i].weight
    return score


def recommend(lib: Library, req: Request) -> Ranking:
    """The k best videos for the request, each with its clip, reason and evidence."""
    interests = lib.users.interests(req.user)
    active = [i for i in interests if i.status == "active"]
    dropped = [i for i in interests if i.status == "dropped"]
    parts, best, mode = score_parts(lib, req, active)
    scores = sum(parts.values())
    matched = scores > 0
    if less := lib.users.rules(req.user).less_topics:
        parts["less " + ", ".join(less)] = -less_penalty(lib, less)
        scores = sum(parts.values())
    order = np.argsort(-scores, kind="stable")
    if mode != "popular":  # 'less X' lowers a match, it never removes one
        order = order[matched[order]]
    pool = filter_pool(lib, req, order, dropped)
    # Only a list from the user's interests spreads over families: a request or "more like" asked
    # for one thing and wants its depth (spread 3 per family, a series request's P@10 fell 0.74 -> 0.53).
    kept = pool.kept
    if mode == "interest":
        pool_strength = {v: match_strength(lib, v, scores, best, active, mode) for v in kept}
        pool_floor = match_floor(lib, mode, max(pool_strength.values(), default=0.0))
        kept = spread_families(lib, kept, req.family_cap, req.family_levels, lambda v: pool_strength[v] >= pool_floor)
    picked = diversify(lib, kept, scores, req.k, best if mode == "interest" and len(active) > 1 else None)
    asked = next((i for i in active if req.query and i.text == normalise_topic(req.query)), None)
    strength = {v: match_strength(lib, v, scores, best, active, mode, req.seed_video) for v in picked}
    floor = match_floor(lib, mode, max(strength.values(), default=0.0))
    if mode != "popular":
        picked = honest(picked, strength, floor)
    if mode != "popular":
        lib.ensure_transcripts([v for v in picked if strength[v] >= floor])
    items = []
    for vid in picked:
        if mode != "popular" and strength[vid] < floor:
            items.append(RankedItem(vid, round(float(scores[lib.row[vid]]), 4), None, "exploration", None,
                                    "exploration pick: little to do with what you asked", parts=parts_of(parts, lib.row[vid])))
            continue
        i = int(best[lib.row[vid]])
        interest = interest_dict(asked or active[i]) if i >= 0 else None
        topic = req.query if mode == "request" and req.query else (interest["text"] if interest else None)
        if mode == "similar video" and interest is None:
            topic = lib.catalog.get(req.seed_video).title
        clip = safe_clip(lib, vid, topic, req.clip_embed_missing) if topic else None
        clip_d = clip.as_dict() if isinstance(clip, Clip) else None
        note = clip.note if isinstance(clip, NoMatch) else None if clip_d else lib.no_transcript.get(vid)
        items.append(RankedItem(vid, round(float(scores[lib.row[vid]]), 4), interest, mode, clip_d,
                                reason_line(vid, mode, interest, clip_d, req, lib), note, parts_of(parts, lib.row[vid])))
    steps = [f"search: {min(len(order), POOL)} candidates", *pool.steps, f"kept {len(items)}"]
    rules = lib.users.rules(req.user)
    notices = [] if mode == "popular" else shortfall(lib, items, req.k, pool, scores, best, active, mode, floor, req.seed_video)
    return Ranking(items, steps, describe_rules(rules, dropped), notices)


def parts_of(parts: dict[str, np.ndarray], row: int) -> dict[str, float]:
    """One video's score parts, the signals that gave it nothing left out."""
    return {name: round(float(v[row]), 4) for name, v in parts.items() if abs(float(v[row])) >= 5e-5}


def honest(picked: list[str], strength: dict[str, float], floor: float) -> list[str]:
    """The matches in their order, then at most EXPLORATION_SLOTS of the rest as exploration picks."""
    matches = [v for v in picked if strength[v] >= floor]
    return matches + [v for v in picked if strength[v] < floor][:EXPLORATION_SLOTS]




def shortfall(lib: Library, items: list[RankedItem], k: int, pool: Pool, scores: np.ndarray, best: np.ndarray,
              active: list[Interest], mode: str, floor: float, seed: str | None = None) -> list[str]:
    """Why a list is shorter than asked: how many matches were held back, and by what the user can change."""
    found = sum(1 for i in items if i.matched_by != "exploration")
    if found >= k:
        return []
    notes = []
    for reason, held in pool.held.items():
        matching = sum(1 for v in held if match_strength(lib, v, scores, best, active, mode, seed) >= floor)
        if matching:
            notes.append(f"{found} found; {matching} {HELD_HINT[reason]}")
    return notes or [f"{found} found: nothing else matches well enough, so the list is shorter rather than padded"]
