"""Import an export (X archive, Google Takeout, notes): find interests in it and store them with evidence."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from memory.user_store import Evidence, Interest, normalise_topic
from tools.catalog.video import Video
from tools.imports.detect import ImportBatch, read_export
from tools.imports.discovery import FoundInterest, discover_interests
from tools.imports.imported_item import SOURCE_NAMES, ImportedItem
from tools.library import Library

log = logging.getLogger(__name__)
EVIDENCE_PER_INTEREST = 100
"""Most representative items kept as evidence per interest; the rest are counted, not stored."""
QUOTE_CHARS = 280


@dataclass
class FoundSummary:
    """One interest as the user is shown it after an import."""

    name: str
    support: int
    """Items of the export behind it."""
    added: int
    """Items stored as new evidence this time (0 when the export was imported before)."""
    weight: float
    examples: list[dict]
    """Two or three items: source, text, date."""


@dataclass
class ImportReport:
    kind: str
    files: list[str]
    items_read: int
    skipped: dict[str, int]
    interests: list[FoundSummary] = field(default_factory=list)
    already_imported: int = 0

    def text(self) -> str:
        """What the CLI prints and the chat shows after an import."""
        lines = [f"Read {self.items_read} item(s) from {len(self.files)} file(s) ({self.kind} export)."]
        if self.skipped:
            lines.append("Skipped: " + ", ".join(f"{n} {why}" for why, n in self.skipped.items()) + ".")
        if not self.interests:
            lines.append("No interest had enough items behind it (3 or more similar items are needed).")
            return "\n".join(lines)
        new = [i for i in self.interests if i.added]
        if not new:
            lines.append(f"Already imported: nothing new ({self.already_imported} item(s) known from before).")
        lines.append("Interests found:")
        for n, found in enumerate(self.interests, 1):
            lines.append(f"  {n}. {found.name}: {found.support} item(s)" + ("" if found.added else " (known)"))
            for ex in found.examples:
                when = f" ({ex['date']})" if ex["date"] else ""
                lines.append(f"     - {SOURCE_NAMES[ex['source']][0]}: \"{ex['text']}\"{when}")
        lines.append("Keep them, or say 'rename <old> to <new>', 'forget <topic>' or 'drop <topic>'; 'undo' takes "
                     "the whole import back.")
        return "\n".join(lines)




def with_titles(lib: Library, items: list[ImportedItem]) -> tuple[list[ImportedItem], int]:
    """Items that name only a video (liked-video and playlist CSVs) take its title from the catalog,
    or from YouTube when a key is set; also how many stay without one."""
    wanted = list(dict.fromkeys(i.video_id for i in items if not i.text.strip() and i.video_id))
    known: dict[str, Video] = {}
    for source in lib.sources:
        missing = [v for v in wanted if v not in known]
        if missing:
            known.update({v.video_id: v for v in source.lookup(missing)})
    out, untitled = [], 0
    for item in items:
        if not item.text.strip() and item.video_id in known:
            video = known[item.video_id]
            item = replace(item, text=video.title, channel=item.channel or video.channel)
        untitled += not item.text.strip()
        out.append(item)
    return out, untitled


def evidence_of(item: ImportedItem) -> Evidence:
    # Undated items (X likes carry no date) keep an empty date rather than the day of the import.
    said_at = item.at.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if item.at else ""
    return Evidence(item.source, " ".join(item.text.split())[:QUOTE_CHARS], said_at, ref=item.item_id)


def summary_of(found: FoundInterest, added: int, name: str) -> FoundSummary:
    examples = [{"source": i.source, "text": " ".join(i.text.split())[:120],
                 "date": i.at.date().isoformat() if i.at else None} for i in found.examples]
    return FoundSummary(name, len(found.items), added, round(found.weight, 3), examples)


def stored_home(found: FoundInterest, owner: dict[tuple[str, str], Interest]) -> Interest | None:
    """The stored interest that already holds most of this cluster's items as evidence: the one the
    user renamed or dropped after an earlier import keeps getting them, under the user's name."""
    votes = Counter(owner[(i.source, i.item_id)].id for i in found.items if (i.source, i.item_id) in owner)
    if not votes:
        return None
    best = votes.most_common(1)[0][0]
    return next(i for i in owner.values() if i.id == best)


@dataclass
class PreparedImport:
    """An export read and its interests found, not yet stored: made without touching memory."""

    path: Path
    batch: ImportBatch
    items: list[ImportedItem]
    found: list[FoundInterest]


def prepare_import(lib: Library, path: Path, since: dt.datetime | None = None,
                   progress: Callable[[int, int, str], None] | None = None,
                   namer: Callable[[list[FoundInterest]], list[FoundInterest]] | None = None) -> PreparedImport:
    """Read and discover: the slow part, which reads no user memory and writes nothing, so it can
    run beside other users' turns, outside any lock."""
    batch = read_export(Path(path), since=since, progress=progress)
    items, untitled = with_titles(lib, batch.items)
    if untitled:
        where = "found neither in the catalog nor on YouTube" if len(lib.sources) > 1 else \
            "not in the catalog; set YOUTUBE_API_KEY to look them up"
        batch.skipped[f"videos whose title is unknown ({where})"] = untitled
    if progress is not None:  # embedding a long history takes a while: say what is going on
        progress(len(batch.files), len(batch.files), f"finding interests in {len(items)} items")
    found = discover_interests(items, lib.embedder, dt.datetime.now(dt.timezone.utc))
    if namer is not None and found:  # e.g. an LLM that names the interests (the agent passes it in)
        found = namer(found)
    return PreparedImport(Path(path), batch, items, found)


def commit_import(lib: Library, user: str, prepared: PreparedImport) -> ImportReport:
    """Store a prepared import: one transaction, quick; a failure stores nothing, and items already
    stored (known by source and id) are not added twice. Call it under the memory lock."""
    batch, items, found = prepared.batch, prepared.items, prepared.found
    stored = lib.users.interests(user)
    owner = {(e.source, e.ref): i for i in stored for e in i.evidence if e.ref}
    report = ImportReport(batch.kind, batch.files, len(batch.items), dict(batch.skipped),
                          already_imported=sum((i.source, i.item_id) in owner for i in items))
    plan = []
    for interest in found:
        fresh = [i for i in interest.items[:EVIDENCE_PER_INTEREST] if (i.source, i.item_id) not in owner]
        target = stored_home(interest, owner)
        name = target.text if target else normalise_topic(interest.name)
        plan.append((name, interest.weight, fresh))
        report.interests.append(summary_of(interest, len(fresh), name))
    if any(fresh for _, _, fresh in plan):
        with lib.change(user, f"import of {prepared.path.name}") as db:
            for name, weight, fresh in plan:
                if not fresh:
                    continue
                before = lib.users.find_interest(user, name)
                # A topic the user dropped stays dropped: an old watch history does not overrule them.
                status = "dropped" if before and before.status == "dropped" else "active"
                interest_id = lib.users.upsert_interest(db, user, name, evidence_of(fresh[0]),
                                                        weight=weight, status=status)
                for item in fresh[1:]:
                    lib.users.add_evidence(db, interest_id, evidence_of(item))
    log.info("import %s: %d items, %d interests", prepared.path, len(items), len(found))
    return report


def import_export(lib: Library, user: str, path: Path, since: dt.datetime | None = None,
                  progress: Callable[[int, int, str], None] | None = None,
                  namer: Callable[[list[FoundInterest]], list[FoundInterest]] | None = None) -> ImportReport:
    """Read, discover, store. One transaction: a failure anywhere stores nothing; importing the same
    export again adds no evidence twice (items are known by source and id)."""
    return commit_import(lib, user, prepare_import(lib, path, since=since, progress=progress, namer=namer))
