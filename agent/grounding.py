"""The LLM's wording of a 'why', checked against the evidence the ranker produced.

Any cited quote, time or interest that the explanation dict does not hold is dropped, and the
check says what it dropped; the facts shown come from the evidence, the model only words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from tools.explain import clip_and_rules, evidence_kind, evidence_lines, quote_line, since_then
from tools.filters import fmt_duration

TIME = re.compile(r"\b(?:\d{1,2}:)?\d{1,2}:\d{2}\b")
QUOTED = re.compile(r"[\"“”]([^\"“”]{3,})[\"“”]")
TIME_SLACK_S = 1.0


class CitedQuote(BaseModel):
    text: str = Field(description="Words copied exactly from the transcript quote in the evidence.")
    at_seconds: float = Field(description="When they are said in the video, in seconds, as the evidence gives it.")


class ExplanationWording(BaseModel):
    """How to tell the user why one video was recommended, citing only the evidence given."""

    summary: str = Field(description="One to three plain sentences; no quotes and no timestamps.")
    interest: str | None = Field(default=None, description="The matched interest exactly as named in the evidence.")
    user_words: list[str] = Field(default_factory=list, description="The user's words, copied from the evidence.")
    quotes: list[CitedQuote] = Field(default_factory=list, description="Transcript quotes copied from the evidence.")


@dataclass
class Checked:
    wording: ExplanationWording
    dropped: list[str] = field(default_factory=list)
    """What was removed, in plain words, for the trace."""


def squash(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").casefold()
    return " ".join(text.split()).strip(" .,;:!?'\"…")


def cites(whole: str, part: str) -> bool:
    return bool(squash(part)) and squash(part) in squash(whole)


def evidence_times(exp: dict) -> list[float]:
    quote, clip = exp.get("quote"), exp.get("clip")
    return ([quote["start"]] if quote else []) + ([clip["start"], clip["end"]] if clip else [])


def evidence_texts(exp: dict) -> list[str]:
    interest = exp.get("matched_interest") or {}
    said = [e["quote"] for e in interest.get("evidence", [])]
    return [t for t in [(exp.get("quote") or {}).get("text"), interest.get("text"), exp.get("title"),
                        exp.get("channel"), *said] if t]


def seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return total


def check_summary(summary: str, exp: dict, unfounded: list[str] = ()) -> tuple[str, list[str]]:
    """Keep the sentences whose quoted words and timestamps are all in the evidence, and that do not
    repeat an interest or words the check already found unfounded."""
    texts, times = evidence_texts(exp), evidence_times(exp)
    kept, dropped = [], []
    for sentence in re.split(r"(?<=[.!?])\s+", summary.strip()):
        bad = [f"quote '{q}'" for q in QUOTED.findall(sentence) if not any(cites(t, q) for t in texts)]
        bad += [f"time {t}" for t in TIME.findall(sentence)
                if not any(abs(seconds(t) - s) <= TIME_SLACK_S for s in times)]
        bad += [f"'{u}'" for u in unfounded if cites(sentence, u)]
        if bad:
            dropped.append(f"a sentence citing {', '.join(bad)} (not in the evidence)")
        elif sentence:
            kept.append(sentence)
    return " ".join(kept), dropped


def check_wording(wording: ExplanationWording, exp: dict) -> Checked:
    """Drop every cited interest, user quote, transcript quote or time the evidence does not hold."""
    dropped: list[str] = []
    interest = exp.get("matched_interest")
    keep_interest = wording.interest if interest and wording.interest and squash(wording.interest) == squash(
        interest["text"]) else None
    if wording.interest and keep_interest is None:
        dropped.append(f"interest '{wording.interest}' (not the interest this video matched)")
    said = [e["quote"] for e in (interest or {}).get("evidence", [])]
    user_words = [w for w in wording.user_words if any(cites(q, w) for q in said)]
    dropped += [f"words '{w}' (not something the user said)" for w in wording.user_words if w not in user_words]
    quotes, evidence = [], exp.get("quote")
    for q in wording.quotes:
        if not evidence or not cites(evidence["text"], q.text):
            dropped.append(f"quote '{q.text}' at {fmt_duration(q.at_seconds)} (not in the transcript evidence)")
            continue
        if not any(abs(q.at_seconds - s) <= TIME_SLACK_S for s in evidence_times(exp)):
            dropped.append(f"time {fmt_duration(q.at_seconds)} of a quote (the evidence has "
                           f"{fmt_duration(evidence['start'])})")
        quotes.append(CitedQuote(text=q.text, at_seconds=evidence["start"]))
    unfounded = [wording.interest] if wording.interest and keep_interest is None else []
    unfounded += [w for w in wording.user_words if w not in user_words]
    summary, cut = check_summary(wording.summary, exp, unfounded)
    checked = ExplanationWording(summary=summary, interest=keep_interest, user_words=user_words, quotes=quotes)
    return Checked(checked, dropped + cut)


def source_line(interest: dict, words: list[str]) -> list[str]:
    """Where the interest came from: the cited words with their source and time, else the latest evidence."""
    evidence = interest.get("evidence", [])
    if not words:  # nothing cited: the same account of the evidence as the rules controller gives
        return evidence_lines(evidence)
    chosen = [(w, next(e for e in evidence if cites(e["quote"], w))) for w in words]
    return [f"  That interest comes from what {evidence_kind(e['source'])}: \"{w}\" "
            f"({e['said_at'][:16].replace('T', ' ')} UTC)." for w, e in chosen]


def render(checked: Checked, exp: dict) -> str:
    """The reply: the model's checked words, and the facts from the evidence."""
    w = checked.wording
    lines = [f"Why #{exp['item']}: {exp['title']} ({exp['channel']})"]
    if w.summary:
        lines.append(w.summary)
    interest = exp.get("matched_interest")
    if interest:
        lines.append(f"- It matched your interest '{interest['text']}'.")
        lines += source_line(interest, w.user_words)
        lines += since_then(interest)
    elif exp.get("matched_by") == "popular":
        lines.append("- You had no interests yet, so this was a popular pick.")
    quote = exp.get("quote")
    for q in w.quotes or ([] if not quote else [CitedQuote(text=quote["text"], at_seconds=quote["start"])]):
        lines.append(quote_line(q.text, q.at_seconds))
    return "\n".join(lines + clip_and_rules(exp))
