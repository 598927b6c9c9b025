"""Explain a recommendation from its ranking trace and stored memory; nothing is invented."""

from __future__ import annotations

import datetime as dt

from tools.clips import section_starts
from tools.filters import fmt_duration
from tools.imports.imported_item import SOURCE_NAMES
from tools.library import Library


def explain(lib: Library, user: str, item: dict, position: int) -> dict:
    """The structured 'why' of one shown item: interest and its evidence, quote, rules applied."""
    video = lib.catalog.get(item["video_id"])
    interest = item.get("matched_interest")
    if interest:
        stored = next((i for i in lib.users.interests(user) if i.id == interest["id"]), None)
        interest = dict(interest, still_in_memory=stored is not None,
                        status_now=stored.status if stored else "forgotten")
        if stored:
            interest["evidence"] = [e.__dict__ for e in stored.evidence]
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
        "clip_note": None if clip else item.get("clip_note"),
        "has_transcript": video.video_id in lib.catalog.transcript_paths,
        "rules_applied": item.get("rules_applied", []),
        "score": item.get("score"),
        "parts": item.get("parts") or {},
        "duration_s": video.duration_s,
        "sections": section_starts(lib, video.video_id),
        "family": family_of(lib, video.video_id),
        "reason": item.get("reason"),
    }


def family_of(lib: Library, video_id: str) -> dict | None:
    """The video's semantic ID and what its family (level 1) is about; None without video vectors."""
    if not lib.families.ready():
        return None
    family = lib.families.family(video_id)
    return {"code": lib.families.code(video_id), "words": lib.families.family_words(family)}


def family_line(family: dict | None) -> list[str]:
    if not family or not family.get("words"):
        return []
    return [f"- Family: videos about {', '.join(family['words'])} (semantic ID {family['code']})."]


def explanation_text(exp: dict) -> str:
    lines = [f"Why #{exp['item']}: {exp['title']} ({exp['channel']})"]
    interest = exp.get("matched_interest")
    if interest:
        lines.append(f"- It matched your interest '{interest['text']}'.")
        lines += evidence_lines(interest.get("evidence", []))
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
    return "\n".join(lines + family_line(exp.get("family")) + clip_and_rules(exp))


SAID = {"chat": "you said", "liked_video": "you asked for more like it"}
"""Evidence that is the user's own words or act in chat."""


def evidence_kind(source: str) -> str:
    """What a piece of evidence was, for 'That interest comes from what ...'."""
    if source in SOURCE_NAMES:
        return f"your import ({SOURCE_NAMES[source][0]})"
    return SAID.get(source, source)


def months(dates: list[str]) -> str:
    """'Mar 2024' or 'Jan 2024 to Mar 2024' for ISO dates; '' when none is known."""
    known = sorted(d[:7] for d in dates if d)
    if not known:
        return ""
    name = [dt.date.fromisoformat(m + "-01").strftime("%b %Y") for m in (known[0], known[-1])]
    return name[0] if name[0] == name[1] else f"{name[0]} to {name[1]}"


def evidence_lines(evidence: list[dict]) -> list[str]:
    """Where an interest comes from: the user's words, a liked video, or the imported items behind it."""
    lines = []
    said = [e for e in evidence if e["source"] not in SOURCE_NAMES and e["source"] != "steering"]
    for ev in said[-3:]:
        when = ev["said_at"][:16].replace("T", " ")
        lines.append(f"  That interest comes from what {evidence_kind(ev['source'])}: \"{ev['quote']}\" ({when} UTC).")
    imported = [e for e in evidence if e["source"] in SOURCE_NAMES]
    if imported:
        parts = []
        for source in dict.fromkeys(e["source"] for e in imported):
            group = [e for e in imported if e["source"] == source]
            span = months([e["said_at"] for e in group])
            parts.append(f"{len(group)} {SOURCE_NAMES[source][len(group) > 1]}" + (f" in {span}" if span else ""))
        lines.append(f"  That interest comes from your import: {' and '.join(parts)}. For example:")
        for ev in imported[:3]:
            when = f", {ev['said_at'][:10]}" if ev["said_at"] else ""
            lines.append(f"    - \"{ev['quote']}\" ({SOURCE_NAMES[ev['source']][0]}{when})")
    return lines


def since_then(interest: dict) -> list[str]:
    """What happened to the matched interest after the list was shown."""
    if not interest.get("still_in_memory", True):
        return ["  (You have since forgotten that interest.)"]
    if interest.get("status_now") == "dropped":
        return ["  (You have since dropped that interest; it will not be used again.)"]
    return []


def quote_line(text: str, at: float) -> str:
    return f"- In the transcript at {fmt_duration(at)}: \"{text}\""


def in_section(start: float, sections: list[float]) -> str:
    """', in part 3 of 7 of the talk (from 4:58)': where the clip sits among the transcript's sections."""
    if not sections:
        return ""
    part = sum(1 for s in sections if s <= start + 1)  # a clip may open a second before its section
    begins = sections[part - 1] if part else 0.0
    return f", in part {part + 1} of {len(sections) + 1} of the talk (from {fmt_duration(begins)})"


def clip_and_rules(exp: dict) -> list[str]:
    """The closing lines of every 'why': the clip (or why there is none) and the rules applied."""
    clip = exp.get("clip")
    if clip:
        lines = [f"- Suggested clip: {fmt_duration(clip['start'])}-{fmt_duration(clip['end'])}"
                 f"{in_section(clip['start'], exp.get('sections') or [])}."]
    elif exp.get("has_transcript") and exp.get("clip_note"):
        lines = [f"- No clip: {exp['clip_note']}."]
    elif exp.get("has_transcript"):
        lines = ["- No clip: it has a transcript, but an exploration pick has no topic to look for in it."
                 if exp.get("matched_by") == "exploration" else "- No clip was placed in its transcript."]
    elif exp.get("clip_note"):
        lines = [f"- No clip or quote: no transcript, because {exp['clip_note']}."]
    else:
        lines = ["- No transcript, so no clip or quote."]
    rules = exp.get("rules_applied") or []
    return lines + ["- Rules applied: " + ("; ".join(rules) if rules else "none set")]
