"""What a person sees when something breaks on our side: a short reference, never a traceback."""

from __future__ import annotations

import logging
import secrets

log = logging.getLogger("clipwise.failure")

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I, so a reference read aloud or retyped stays the same."""


def new_ref() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(6))


def failure_reply(exc: BaseException, where: str) -> str:
    """Log the exception in full under a fresh reference and return the sentence to show instead."""
    ref = new_ref()
    log.error("ref %s: %s failed", ref, where, exc_info=exc)
    return f"Something went wrong on our side (ref {ref}). Nothing you had was changed; please try again."
