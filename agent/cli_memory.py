"""`clipwise import`, `export` and `forget`: bring in what the user already has, hand it back, delete it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from agent.cli_options import DataDir, JsonOpt, UserOpt, emit, err, fail, settings_from
from agent.sources import open_from_settings
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
    from tools.importer import import_export

    s = settings_from(data_dir, None, None, user)
    after = parse_since(since)
    try:
        lib = open_from_settings(s)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("reading", total=None)

            def progress(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"reading {name}")

            report = import_export(lib, s.user, path, since=after, progress=progress, chat_model=naming_model())
    except ClipwiseError as exc:
        fail(exc)
    emit(as_json, report.__dict__ | {"interests": [i.__dict__ for i in report.interests]}, report.text())


def export(user: UserOpt = None, data_dir: DataDir = None,
           to: Annotated[Optional[Path], typer.Option("--out", help="Write the JSON here instead of printing it.")] = None) -> None:
    """Everything clipwise keeps about a user (interests with their evidence, rules, feedback), as JSON."""
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


def forget(user: UserOpt = None, data_dir: DataDir = None,
           interest: Annotated[Optional[list[str]], typer.Option("--interest", help="Delete this interest and its evidence.")] = None,
           evidence: Annotated[Optional[list[int]], typer.Option("--evidence", help="Delete one piece of evidence by its id (see export).")] = None,
           source: Annotated[Optional[str], typer.Option("--source", help="Delete all evidence from one source, e.g. x_like.")] = None,
           everything: Annotated[bool, typer.Option("--all", help="Delete everything kept about the user.")] = False) -> None:
    """Delete memory item by item: an interest, a piece of evidence, a whole source, or all of it."""
    from memory.user_store import UserStore
    from tools.steering import forget_topic

    s = settings_from(data_dir, None, None, user)
    if not (interest or evidence or source or everything):
        fail(ClipwiseError("Say what to forget: --interest TOPIC, --evidence ID, --source NAME or --all."))
    if everything:
        store = UserStore(s.data_dir / "memory.sqlite")
        n = store.forget_user(s.user)
        store.close()
        emit(False, None, f"forgot everything about '{s.user}' ({n} row(s) deleted, undo history included)")
        return
    try:
        lib = open_from_settings(s)
        for topic in interest or []:
            emit(False, None, forget_topic(lib, s.user, topic))
        ids = list(evidence or [])
        if source:
            ids += [e["id"] for i in lib.users.export(s.user)["interests"] for e in i["evidence"] if e["source"] == source]
        if ids:
            with lib.users.change(s.user, f"forget {len(ids)} piece(s) of evidence") as db:
                emptied = lib.users.delete_evidence(db, s.user, ids)
            from tools.steering import sync_interest_vectors

            sync_interest_vectors(lib, s.user)
            gone = f"; interests left with none and deleted: {', '.join(emptied)}" if emptied else ""
            emit(False, None, f"forgot {len(ids)} piece(s) of evidence{gone}")
    except ClipwiseError as exc:
        fail(exc)
