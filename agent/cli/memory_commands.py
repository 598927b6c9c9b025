"""`clipwise import`, `export` and `forget`: bring in what the user already has, hand it back, delete it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from agent.cli.options import DataDir, JsonOpt, UserOpt, emit, err, fail, settings_from
from agent.sources import catalog_name, open_from_settings
from tools.errors import ClipwiseError


def parse_since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date like 2024-03-01", param_hint="--since") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def import_(path: Annotated[Path, typer.Argument(help="An X archive (zip or folder), a Google Takeout (zip or "
                                                      "folder, or watch-history.json/.html, a playlist CSV), or a notes folder.")],
            user: UserOpt = None, data_dir: DataDir = None,
            since: Annotated[Optional[str], typer.Option("--since", help="Only items from this date on (YYYY-MM-DD).")] = None,
            as_json: JsonOpt = False) -> None:
    """Learn interests from an export; all or nothing, and importing it again adds nothing twice."""
    from agent.controllers import naming_model
    from agent.llm.interest_naming import namer_for
    from agent.llm.llm_settings import LLMSettings
    from agent.read_settings import read_settings
    from tools.imports.importer import import_export

    s = settings_from(data_dir, None, None, user)
    after = parse_since(since)
    try:
        chat_model = naming_model(read_settings(LLMSettings))
        lib = open_from_settings(s)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("reading", total=None)

            def progress(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"reading {name}")

            report = import_export(lib, s.user, path, since=after, progress=progress, namer=namer_for(chat_model))
    except ClipwiseError as exc:
        fail(exc)
    emit(as_json, report.__dict__ | {"interests": [i.__dict__ for i in report.interests]}, report.text())


def export(user: UserOpt = None, data_dir: DataDir = None,
           to: Annotated[Optional[Path], typer.Option("--out", help="Write the JSON here instead of printing it.")] = None) -> None:
    """Everything clipwise keeps about a user (interests with their evidence, rules, feedback, seen videos,
    undo history), as JSON."""
    from memory.user_store import UserStore

    s = settings_from(data_dir, None, None, user)
    store = UserStore(s.data_dir / "memory.sqlite")
    text = json.dumps(store.export(s.user), indent=2, ensure_ascii=False)
    store.close()
    if to is None:
        print(text)
    else:
        to.write_text(text + "\n", encoding="utf-8")
        err.print(f"wrote {to}")


UNDO_NOTE = ("a copy stays in the undo history: say 'undo' in `clipwise chat` to bring it back, "
             "until `clipwise forget --all` deletes it for good")


def forget(user: UserOpt = None, data_dir: DataDir = None,
           interest: Annotated[Optional[list[str]], typer.Option("--interest", help="Delete this interest and its evidence.")] = None,
           evidence: Annotated[Optional[list[int]], typer.Option("--evidence", help="Delete one piece of evidence by its id (see export).")] = None,
           source: Annotated[Optional[str], typer.Option("--source", help="Delete all evidence from one source, e.g. x_like.")] = None,
           everything: Annotated[bool, typer.Option("--all", help="Delete everything kept about the user.")] = False) -> None:
    """Delete memory item by item: an interest, a piece of evidence, a whole source, or all of it."""
    from memory.user_store import normalise_topic
    from tools.library import forget_user
    from tools.steering import forget_topic, resolve_interest

    s = settings_from(data_dir, None, None, user)
    if not (interest or evidence or source or everything):
        fail(ClipwiseError("Say what to forget: --interest TOPIC, --evidence ID, --source NAME or --all."))
    if everything:
        try:
            n, vectors = forget_user(s.data_dir, s.user, catalog_name(s), s.chroma_url)
        except ClipwiseError as exc:
            fail(exc)
        emit(False, None, f"forgot everything about '{s.user}' ({n} row(s) deleted, undo history included; "
                          f"{vectors} interest vector(s) dropped)")
        return
    try:
        lib = open_from_settings(s)
        # Everything named must exist before anything is deleted: a typo changes nothing.
        ids = evidence_to_forget(lib.users.evidence_sources(s.user), s.user, evidence or [], source)
        missing = [normalise_topic(t) for t in interest or [] if resolve_interest(lib, s.user, t) is None]
        if missing:
            raise ClipwiseError(f"User '{s.user}' has no interest called {', '.join(repr(t) for t in missing)}; "
                                "nothing was forgotten. `clipwise export` lists the interests.")
        for topic in interest or []:
            emit(False, None, f"{forget_topic(lib, s.user, topic)}; {UNDO_NOTE}")
        ids = [i for i in ids if i in lib.users.evidence_sources(s.user)]  # not gone with an interest above
        if ids:
            with lib.change(s.user, f"forget {len(ids)} piece(s) of evidence") as db:
                deleted, emptied = lib.users.delete_evidence(db, s.user, ids)
                if not deleted:  # deleted meanwhile by another process: journal nothing
                    raise ClipwiseError("That evidence is already gone; nothing was forgotten.")
            gone = f"; interests left with none and deleted: {', '.join(emptied)}" if emptied else ""
            emit(False, None, f"forgot {deleted} piece(s) of evidence{gone}; {UNDO_NOTE}")
    except ClipwiseError as exc:
        fail(exc)


def evidence_to_forget(have: dict[int, str], user: str, ids: list[int], source: str | None) -> list[int]:
    """The evidence ids `--evidence` and `--source` name, given the user's (id -> source); a
    ClipwiseError naming what does not exist if any of it does not."""
    chosen = list(dict.fromkeys(ids))
    unknown = [i for i in chosen if i not in have]
    if unknown:
        which = ("id " if len(unknown) == 1 else "ids ") + ", ".join(map(str, unknown))
        raise ClipwiseError(f"User '{user}' has no evidence with {which}; nothing was forgotten. "
                            "`clipwise export` lists the evidence with its ids.")
    if source is not None:
        from_source = [i for i, src in have.items() if src == source]
        if not from_source:
            sources = sorted(set(have.values()))
            kept = f"the sources it has are: {', '.join(sources)}" if sources else "it has no evidence at all"
            raise ClipwiseError(f"No evidence from source '{source}' was found for user '{user}'; {kept}. "
                                "Nothing was forgotten.")
        chosen += [i for i in from_source if i not in chosen]
    return chosen
