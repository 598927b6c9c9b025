"""What a catalog load or an index run skipped (and why) and what it cut short, for the user to read."""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN = 5
"""Reasons spelled out in a summary; the rest are counted (and all are in --json output)."""


@dataclass
class LoadReport:
    skipped: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)

    def skip(self, problem: Exception | str) -> None:
        self.skipped.append(str(problem))

    def __bool__(self) -> bool:
        return bool(self.skipped or self.cut)

    def summary(self) -> str:
        """Lines saying how many were skipped or cut and why; empty when nothing was."""
        return "\n".join(part for part in (
            listing(self.skipped, "skipped (the rest was kept)"), listing(self.cut, "cut to the size limit")
        ) if part)


def listing(problems: list[str], what: str) -> str:
    if not problems:
        return ""
    lines = [f"{len(problems)} {what}:"] + [f"  {p}" for p in problems[:SHOWN]]
    if len(problems) > SHOWN:
        lines.append(f"  ... and {len(problems) - SHOWN} more")
    return "\n".join(lines)
