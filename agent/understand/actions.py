"""What the request parser reads out of a message: actions with their slots, and how sure it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

INTENTS = ("recommend", "add", "drop", "less", "forget", "more_like", "not_interested", "seen", "block_channel",
           "unblock_channel", "set_limits", "clear_limits", "why", "show_memory", "undo", "rename", "greeting",
           "thanks", "help", "out_of_scope")
"""The intents of the exemplar bank (agent/understand/exemplars.yaml)."""


@dataclass(frozen=True)
class Action:
    """One thing the person asked for, with the slots it needs."""

    intent: str
    topics: tuple[str, ...] = ()
    channel: str | None = None
    """The catalog's spelling of a channel the person named."""
    items: tuple[int, ...] = ()
    """Positions in the list on screen, 1-based."""
    max_minutes: float | None = None
    min_minutes: float | None = None
    published_after: dt.date | None = None
    include_unknown: str | None = None
    """set_limits: 'length', 'date' or 'both' when videos whose value is unknown may pass."""
    vague: str | None = None
    """'shorter' / 'longer' / 'recent': a limit the person did not put a number on."""
    which: str | None = None
    """clear_limits: 'length', 'date' or 'all'."""
    new_name: str | None = None
    said: str = ""
    """The person's own words for this action (the clause), kept as evidence."""

    def with_(self, **changes) -> "Action":
        return replace(self, **changes)


@dataclass
class Reading:
    """The parse of one message: the actions to take, or why none can be taken yet."""

    actions: list[Action] = field(default_factory=list)
    confidence: float = 1.0
    """The least sure clause's probability for its intent."""
    alternatives: list[list[Action]] = field(default_factory=list)
    """When unsure: the two likeliest readings, to offer as a question."""
    problem: str | None = None
    """A part of the message that cannot be acted on (an impossible date, an unknown channel)."""
    understood: bool = True
    """False when nothing in the message could be read."""
