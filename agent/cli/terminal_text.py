"""Text made safe for a terminal: titles and transcripts cannot move the cursor, recolour or retitle it."""

from __future__ import annotations

import re

ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks, clipboard (ends at BEL or ST)
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
    r"|\x1b[@-Z\\-_]"  # the other two-character escapes
)
CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls but tab and newline, DEL, C1 controls
    "\u202a-\u202e\u2066-\u2069]"  # bidi overrides and isolates, which make printed text read other than it is
)


def printable(text: str) -> str:
    """`text` without escape sequences or control characters; the words around them stay as they were."""
    return CONTROL.sub("", ESCAPE_SEQUENCE.sub("", text))
