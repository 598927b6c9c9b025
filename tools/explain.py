"""Explain a recommendation from its ranking trace and stored memory; nothing is invented."""

from __future__ import annotations

from memory.library import Library
from tools.filters import fmt_duration


def explain(lib: Library, user: str, item: dict, position: int) -> dict:
    """The structured 'why' of one shown item: interest and its evidence, quote, rules applied."""
    video = lib.catalog.get(item["video_id"])
    interest = item.get("matched_interest")
    if interest:
        stored = next((i for i in lib.users.interests(user) if i.id == interest["id"]), None)
        interest = dict(interest, still_in_memory=stored is not None,
                        status_now=stored.status if stored else "forgotten")
    clip = item.get("clip")
    return {
        "item": position,
        "video_id": video.video_id,
        "title": video.title,
        "channel": video.channel,
        "matched_by": item.get("matched_by"),
        "matched_interest": interest,
        "quote": {"text": clip["quote"], "start": clip["quote_start"]} if clip else None,
        "clip": {"start": clip["start"], "end": clip["end"]} if clip else None,
        "rules_applied": item.get("rules_applied", []),
        "score": item.get("score"),
        "reason": item.get("reason"),
    }


def explanation_text(exp: dict) -> str:
    lines = [f"Why #{exp['item']}: {exp['title']} ({exp['channel']})"]
    interest = exp.get("matched_interest")
    if interest:
        lines.append(f"- It matched your interest '{interest['text']}'.")
        for ev in interest.get("evidence", [])[-3:]:
            when = ev["said_at"][:16].replace("T", " ")
            kind = {"chat": "you said", "liked_video": "you asked for more like it", "import": "imported"}.get(
                ev["source"], ev["source"])
            lines.append(f"  That interest comes from what {kind}: \"{ev['quote']}\" ({when} UTC).")
        lines += since_then(interest)
    elif exp.get("matched_by") == "exploration":
        lines.append("- It is an exploration pick: it matched none of your interests well, and the list "
                     "had room after the closer matches.")
    elif exp.get("matched_by") == "popular":
        lines.append("- You had no interests yet, so this was a popular pick.")
    else:
        lines.append(f"- {exp.get('reason')}")
    if exp.get("quote"):
        lines.append(quote_line(exp["quote"]["text"], exp["quote"]["start"]))
    return "\n".join(lines + clip_and_rules(exp))


def since_then(interest: dict) -> list[str]:
    """What happened to the matched interest after the list was shown."""
    if not interest.get("still_in_memory", True):
        return ["  (You have since forgotten that interest.)"]
    if interest.get("status_now") == "dropped":
        return ["  (You have since dropped that interest; it will not be used again.)"]
    return []


def quote_line(text: str, at: float) -> str:
    return f"- In the transcript at {fmt_duration(at)}: \"{text}\""


def clip_and_rules(exp: dict) -> list[str]:
    """The closing lines of every 'why': the clip (or why there is none) and the rules applied."""
    clip = exp.get("clip")
    lines = [f"- Suggested clip: {fmt_duration(clip['start'])}-{fmt_duration(clip['end'])}." if clip
             else "- No transcript, so no clip or quote."]
    rules = exp.get("rules_applied") or []
    return lines + ["- Rules applied: " + ("; ".join(rules) if rules else "none set")]
