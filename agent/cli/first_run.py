"""Open the library for a command: with a progress bar on stderr while a first run indexes the
catalog, or, for the chat, at once, searching by words until that indexing is done."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from agent.cli.options import err
from agent.opening import LibraryOpening
from agent.settings import Settings
from agent.sources import open_from_settings
from tools.library import Library


WHY_WAIT = "first run; kept for the next"


def open_with_progress(settings: Settings) -> Library:
    """The library; where videos still need embedding (the first run), a bar with counts and time left."""
    columns = (TextColumn(f"indexing videos ({WHY_WAIT})"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = None

        def advance(n: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task("videos", total=total)
                if not err.is_terminal:  # no live bar where stderr is a file or a pipe: one line instead
                    err.print(f"indexing {total} videos ({WHY_WAIT})…")
            bar.advance(task, n)

        return open_from_settings(settings, progress=advance)


def open_for_chat(settings: Settings) -> tuple[Library, LibraryOpening]:
    """The library as soon as it can answer, and its opening, which says how far a first run's
    indexing by meaning has got (agent/opening.py) while the chat goes on."""
    opening = LibraryOpening(lambda found, advance, usable: open_from_settings(
        settings, progress=advance, on_catalog=found, on_usable=usable)).start()
    with err.status("opening the catalog…"):
        lib = opening.wait_usable()
    return lib, opening
