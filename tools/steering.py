"""Steering: interests, dropped topics, channel blocks, limits, feedback and undo, in plain words."""

from __future__ import annotations

import datetime as dt

from memory.user_store import Evidence, Interest, normalise_topic, now_iso
from tools.errors import ClipwiseError
from tools.filters import TopicBlock, describe_limits, fmt_duration, topic_pattern
from tools.imports.imported_item import SOURCE_NAMES
from tools.library import Library

STEERING = "steering"
"""Evidence source of a drop: the words that turned an interest off, which are no evidence of an interest."""
MATCH_SIMILARITY = 0.8
"""How close a phrase must be to a stored interest to name it ('dropping math' -> 'mathematics')."""


def resolve_interest(lib: Library, user: str, topic: str) -> Interest | None:
    """The stored interest a phrase names: exact text first, then the nearest by meaning."""
    exact = lib.users.find_interest(user, topic)
    if exact:
        return exact
    words = set(normalise_topic(topic).split())
    inside = [i for i in lib.users.interests(user, "active") if words and words <= set(i.text.split())]
    if len(inside) == 1:  # 'drop late night' names the interest 'late night talk shows'
        return inside[0]
    if not lib.semantic or lib.vectors.interests.count() == 0:
        return None
    got = lib.vectors.interests.query(
        query_embeddings=[lib.embed_text(normalise_topic(topic))], n_results=1,
        where={"user": user}, include=["distances"],
    )
    if got["ids"][0] and 1 - got["distances"][0][0] >= MATCH_SIMILARITY:
        return next((i for i in lib.users.interests(user) if i.id == got["ids"][0][0]), None)
    return None


def add_interest(lib: Library, user: str, topic: str, said: str, source: str = "chat", ref: str | None = None,
                 weight: float = 1.0) -> str:
    topic = normalise_topic(topic)
    if not topic:
        raise ClipwiseError("Which topic? Say for example 'add astronomy'.")
    existing = lib.users.find_interest(user, topic)
    resumed = paused_with(lib, user, topic) if existing and existing.status == "dropped" else []
    with lib.change(user, f"add '{topic}'") as db:
        lib.users.upsert_interest(db, user, topic, Evidence(source, said, now_iso(), ref), weight=weight)
        less = lib.users.remove_rule(db, user, "less_topic", topic)
        for interest in resumed:
            lib.users.upsert_interest(db, user, interest.text, Evidence(STEERING, f"resumed with '{topic}'", now_iso()),
                                      weight=interest.weight, status="active")
    if existing and existing.status == "dropped":
        also = ("; resumed too: " + ", ".join(f"'{pause_label(i)}'" for i in resumed)) if resumed else ""
        return f"interests: '{topic}' is back (it was dropped){also}"
    if less:
        return f"interests: '{topic}' is back to full weight (it was 'less of')"
    return f"interests: {'noted again' if existing else 'added'} '{topic}'"


PAUSED_WITH = "paused with '{}'"
"""Evidence quote on an interest dropped because it is about a topic the user dropped."""
ABOUT_SHARE = 0.5
"""An interest is about a dropped topic when at least this share of its evidence is."""


def about_topic(lib: Library, block: TopicBlock, interest: Interest) -> bool:
    """Whether an interest stands for the dropped topic: its own words are about it, or most of
    the videos and items behind it are (liked videos, imported history)."""
    pattern = topic_pattern(block.text)
    if pattern.search(interest.text):
        return True
    # The user's own words may name several topics at once ('chess and running'): only what
    # stands behind an interest (a liked video, imported items) can make it about the topic.
    evidence = [e for e in interest.evidence if e.source == "liked_video" or e.source in SOURCE_NAMES]
    if not evidence:
        return False
    about = sum(1 for e in evidence if (e.ref in block.blocked) or pattern.search(e.quote)
                or (e.ref is None and block.text_close(lib, e.quote)))
    return about >= ABOUT_SHARE * len(evidence)


def drop_topic(lib: Library, user: str, topic: str, said: str) -> str:
    """Dropped topics are hard filters until the user adds them back or says undo. Interests that
    stand for the topic (a liked video about it, an imported cluster) are paused with it."""
    target = resolve_interest(lib, user, topic)
    name = target.text if target else normalise_topic(topic)
    if not name:
        raise ClipwiseError("Which topic should I drop? Say for example 'drop crypto'.")
    block = TopicBlock.for_topic(lib, name)
    paused = [i for i in lib.users.interests(user, "active") if i.text != name and about_topic(lib, block, i)]
    with lib.change(user, f"drop '{name}'") as db:
        lib.users.upsert_interest(db, user, name, Evidence(STEERING, said, now_iso()), status="dropped")
        lib.users.remove_rule(db, user, "less_topic", name)
        for interest in paused:
            lib.users.upsert_interest(db, user, interest.text, Evidence(STEERING, PAUSED_WITH.format(name), now_iso()),
                                      weight=interest.weight, status="dropped")
    reply = f"interests: dropped '{name}'; nothing about it will be shown until you add it back or say undo"
    if paused:
        reply += "; also paused: " + ", ".join(f"'{pause_label(i)}' (about {name})" for i in paused)
    return reply


def pause_label(interest: Interest) -> str:
    liked = any(e.source == "liked_video" for e in interest.evidence)
    return f"liked: {interest.text}" if liked else interest.text


def paused_with(lib: Library, user: str, topic: str) -> list[Interest]:
    quote = PAUSED_WITH.format(topic)
    return [i for i in lib.users.interests(user, "dropped")
            if i.evidence and i.evidence[-1].source == STEERING and i.evidence[-1].quote == quote]


def less_topic(lib: Library, user: str, topic: str) -> str:
    """'Less X' is soft: X is ranked lower, never filtered out, and stays an interest if it was one."""
    target = resolve_interest(lib, user, topic)
    name = target.text if target else normalise_topic(topic)
    if not name:
        raise ClipwiseError("Less of which topic? Say for example 'less politics'.")
    with lib.change(user, f"less '{name}'") as db:
        lib.users.set_rule(db, user, "less_topic", name)
    return (f"interests: showing less of '{name}' from now on (ranked lower, not hidden; "
            f"say 'drop {name}' to hide it, or 'more {name}' to undo)")


def forget_topic(lib: Library, user: str, topic: str) -> str:
    target = resolve_interest(lib, user, topic)
    if target is None:
        raise ClipwiseError(f"There is no interest called '{normalise_topic(topic)}' to forget. Say 'show my interests'.")
    with lib.change(user, f"forget '{target.text}'") as db:
        lib.users.delete_interest(db, target.id)
    return f"interests: forgot '{target.text}' and its {len(target.evidence)} piece(s) of evidence"


def rename_interest(lib: Library, user: str, topic: str, new_name: str, said: str) -> str:
    """Rename an interest (an imported one, typically), keeping its evidence."""
    target = resolve_interest(lib, user, topic)
    name = normalise_topic(new_name)
    if target is None:
        raise ClipwiseError(f"There is no interest called '{normalise_topic(topic)}' to rename. Say 'show my interests'.")
    if not name:
        raise ClipwiseError("Rename it to what? Say for example 'rename baking to sourdough baking'.")
    clash = lib.users.find_interest(user, name)
    if clash and clash.id != target.id:
        raise ClipwiseError(f"You already have an interest called '{name}'; forget one of them first.")
    with lib.change(user, f"rename '{target.text}' to '{name}'") as db:
        lib.users.rename_interest(db, target.id, name)
        lib.users.add_evidence(db, target.id, Evidence("chat", said, now_iso()))
    return f"interests: renamed '{target.text}' to '{name}' (its {len(target.evidence)} piece(s) of evidence kept)"


def channel_named(lib: Library, name: str) -> str:
    """The catalog's spelling of a channel name the user typed."""
    wanted = " ".join(name.lower().split()).strip(" .!?'\"")
    channels = {v.channel.lower(): v.channel for v in lib.catalog.videos.values() if v.channel}
    if wanted in channels:
        return channels[wanted]
    close = [c for low, c in channels.items() if wanted and (wanted in low or low in wanted)]
    if len(close) == 1:
        return close[0]
    if close:
        raise ClipwiseError(f"'{name}' matches several channels: {', '.join(sorted(close)[:5])}. Which one?")
    raise ClipwiseError(f"No channel called '{name}' in the catalog.")


def block_channel(lib: Library, user: str, channel: str) -> str:
    channel = channel_named(lib, channel)
    with lib.change(user, f"block '{channel}'") as db:
        lib.users.set_rule(db, user, "block_channel", channel)
    return f"rules: blocked channel '{channel}'"


def unblock_channel(lib: Library, user: str, channel: str) -> str:
    channel = channel_named(lib, channel)
    with lib.change(user, f"unblock '{channel}'") as db:
        removed = lib.users.remove_rule(db, user, "block_channel", channel)
    return f"rules: unblocked channel '{channel}'" if removed else f"rules: '{channel}' was not blocked"


UNKNOWN_KINDS = ("length", "date")


def set_limits(lib: Library, user: str, max_minutes: float | None = None, min_minutes: float | None = None,
               since: dt.date | None = None, include_unknown: str | None = None) -> str:
    """Hard limits; `include_unknown` ('length', 'date' or 'both') lets videos whose value is unknown pass."""
    if include_unknown not in (None, *UNKNOWN_KINDS, "both"):
        raise ClipwiseError(f"Include unknown what: length, date or both? (got '{include_unknown}')")
    unknown = UNKNOWN_KINDS if include_unknown == "both" else (include_unknown,) if include_unknown else ()
    changes = []
    with lib.change(user, "set limits") as db:
        if max_minutes is not None:
            lib.users.set_rule(db, user, "max_duration_s", str(int(max_minutes * 60)))
            changes.append(f"nothing over {fmt_duration(max_minutes * 60)}")
        if min_minutes is not None:
            lib.users.set_rule(db, user, "min_duration_s", str(int(min_minutes * 60)))
            changes.append(f"nothing under {fmt_duration(min_minutes * 60)}")
        if since is not None:
            lib.users.set_rule(db, user, "published_after", since.isoformat())
            changes.append(f"only published since {since.isoformat()}")
        for which in unknown:
            lib.users.set_rule(db, user, "unknown_ok", which)
            changes.append(f"videos of unknown {which} included")
        if not changes:
            raise ClipwiseError("Which limit? Say for example 'nothing over 10 minutes'.")
    rules = lib.users.rules(user)
    left_out = [w for w, limited in (("length", rules.max_duration_s is not None or rules.min_duration_s is not None),
                                     ("date", rules.published_after is not None)) if limited and w not in rules.unknown_ok]
    tail = f" (videos whose {' or '.join(left_out)} is unknown are left out: say 'include unknown " \
           f"{left_out[0]}s' to keep them)" if left_out else ""
    return "rules: " + "; ".join(changes) + tail


LIMITS_BY_KIND = {"length": ("max_duration_s", "min_duration_s"), "date": ("published_after",),
                  "all": ("max_duration_s", "min_duration_s", "published_after")}


def clear_limits(lib: Library, user: str, which: str = "all") -> str:
    """Remove the length limits, the date limit, or all of them."""
    if which not in LIMITS_BY_KIND:
        raise ClipwiseError(f"Clear which limits: {', '.join(LIMITS_BY_KIND)}? (got '{which}')")
    with lib.change(user, f"clear {which} limits") as db:
        n = sum(lib.users.remove_rule(db, user, kind) for kind in LIMITS_BY_KIND[which])
        for kind in ("length", "date") if which == "all" else (which,):
            lib.users.remove_rule(db, user, "unknown_ok", kind)
    what = {"length": "length", "date": "date", "all": ""}[which]
    return f"rules: cleared {n} {what + ' ' if what else ''}limit(s)" + (
        "" if n else f" (there was no {what + ' ' if what else ''}limit)")


def mark_watched(lib: Library, user: str, video_ids: list[str]) -> str:
    """Videos the person has already watched elsewhere: never shown again."""
    titles = [lib.catalog.get(v).title for v in video_ids]
    with lib.change(user, f"watched {len(video_ids)} video(s)") as db:
        for video_id in video_ids:
            lib.users.add_feedback(db, user, video_id, "watched")
    lib.mark_seen(user, video_ids)
    return "feedback: marked as watched: " + "; ".join(f"'{t}'" for t in titles) + " (they will not be shown again)"


def not_interested(lib: Library, user: str, video_id: str) -> str:
    video = lib.catalog.get(video_id)
    with lib.change(user, f"not interested in '{video.title}'") as db:
        lib.users.add_feedback(db, user, video_id, "not_interested")
    return f"feedback: '{video.title}' will not be shown again"


def like_video(lib: Library, user: str, video_id: str, said: str) -> str:
    """'More like this': the video becomes a (lighter) interest whose evidence is the liked video."""
    video = lib.catalog.get(video_id)
    with lib.change(user, f"liked '{video.title}'") as db:
        lib.users.add_feedback(db, user, video_id, "more_like")
        lib.users.upsert_interest(
            db, user, video.title, Evidence("liked_video", said, now_iso(), ref=video_id), weight=0.6
        )
    return f"feedback: noted that you liked '{video.title}'"


def undo(lib: Library, user: str) -> str:
    action = lib.undo(user)
    return f"undo: reverted {action}" if action else "undo: nothing to undo"


def describe_memory(lib: Library, user: str) -> str:
    interests = lib.users.interests(user)
    rules = lib.users.rules(user)
    lines = []
    for status, title in (("active", "Interests"), ("dropped", "Dropped topics")):
        group = [i for i in interests if i.status == status]
        lines.append(f"{title}: " + ("none" if not group else ""))
        for i in group:
            said = [e for e in i.evidence if e.source != STEERING] if status == "active" else list(i.evidence)
            ev = said[-1] if said else None
            if ev and ev.source in SOURCE_NAMES:
                n = sum(e.source in SOURCE_NAMES for e in i.evidence)
                src = f" (from your import: {n} item(s), e.g. {SOURCE_NAMES[ev.source][0]} \"{ev.quote[:80]}\")"
            elif ev:
                src = f" (from {ev.source}: \"{ev.quote}\", {ev.said_at[:16].replace('T', ' ')})"
            else:
                src = ""
            lines.append(f"  - {i.text}{src}")
    if rules.less_topics:
        lines.append("Showing less of: " + ", ".join(rules.less_topics))
    lines.append("Blocked channels: " + (", ".join(rules.blocked_channels) or "none"))
    lines.append("Limits: " + (", ".join(describe_limits(rules)) or "none"))
    lines.append(f"Already shown: {len(lib.users.seen(user))} video(s)")
    return "\n".join(lines)
