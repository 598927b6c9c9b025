"""The library, opened in the background so the chat answers at once: the catalog first, then (on a
first run) search by words while the videos are indexed by meaning, with counts and time left, then
the transcripts' windows for clips, one at a time between turns. Whoever waits can read how far it
has got."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Callable

from rich.progress import Progress, Task

from agent.web.turn_gate import TurnGate
from tools.catalog.indexer import IndexReport, index_transcript, transcripts_to_index
from tools.catalog.store import Catalog
from tools.library import Library

log = logging.getLogger(__name__)

OPENING_NICENESS = 10
"""The opening thread's CPU priority (Linux gives each thread its own): the page that shows its progress,
and the browser on the same machine, come first. The embedding model's worker threads, started from
this thread, inherit it."""


def lower_this_threads_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), OPENING_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: indexing runs at the server's priority
        pass


def about(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


OpenFn = Callable[[Callable[[Catalog], None], Callable[[int, int], None], Callable[[Library], None]], Library]
"""open(on_catalog, progress, on_usable) -> the library, as agent.sources.open_from_settings takes them."""


class LibraryOpening:
    """Runs the opening in a thread. `catalog` is known as soon as it is loaded; `usable` as soon as
    the library can answer (by words alone while a first run indexes by meaning); `ready` once open."""

    def __init__(self, open_fn: OpenFn):
        self._open = open_fn
        self.catalog: Catalog | None = None
        self.library: Library | None = None
        self.usable: Library | None = None
        self.error: BaseException | None = None
        # rich's progress (not drawn: the page says it) counts each stage and estimates its time left.
        self._bars = Progress(disable=True)
        self.videos = self._stage("videos")
        self.transcripts = self._stage("transcripts")
        self.transcripts_finished = False
        self._ready = threading.Event()
        self._catalog_known = threading.Event()
        self._usable = threading.Event()
        self._thread: threading.Thread | None = None

    def _stage(self, name: str) -> Task:
        task_id = self._bars.add_task(name, total=0)
        return next(t for t in self._bars.tasks if t.id == task_id)

    def start(self) -> "LibraryOpening":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="clipwise-open", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        lower_this_threads_priority()
        try:
            self.library = self._open(self._found, self._advance, self._can_answer)
            self.usable = self.library
        except BaseException as exc:  # noqa: BLE001 - kept and raised to whoever waits for the library
            self.error = exc
        finally:
            self._catalog_known.set()
            self._usable.set()
            self._ready.set()

    def _can_answer(self, library: Library) -> None:
        self.usable = library
        self._usable.set()

    def _found(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._catalog_known.set()

    def wait_for_catalog(self, timeout: float) -> Catalog | None:
        """The catalog, once loaded (or None after `timeout` s, or when loading it failed)."""
        self._catalog_known.wait(timeout)
        return self.catalog

    def _advance(self, n: int, total: int) -> None:
        if not self.videos.total:
            self._bars.reset(self.videos.id, total=total)
        self._bars.advance(self.videos.id, n)

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def answering(self) -> bool:
        """Whether the chat can answer now (perhaps by words alone, while indexing goes on)."""
        return self._usable.is_set() and self.error is None

    def wait(self, timeout: float | None = None) -> Library | None:
        """The library once open (None if `timeout` ran out); raises what opening it raised."""
        return self.library if self._reached(self._ready, timeout) else None

    def wait_usable(self, timeout: float | None = None) -> Library | None:
        """The library as soon as it can answer (None if `timeout` ran out); raises what opening it raised."""
        return self.usable if self._reached(self._usable, timeout) else None

    def _reached(self, stage: threading.Event, timeout: float | None) -> bool:
        if not stage.wait(timeout):
            return False
        if self.error is not None:
            raise self.error
        return True

    async def index_transcripts(self, turns: TurnGate) -> IndexReport:
        """Embed the transcripts not yet indexed, one at a time, each started when no turn runs, so
        the chat keeps the CPU while people use it; clips get better as it goes. (A turn never writes
        a transcript's windows, and reads them only when all are stored, so the two can overlap.)
        Starts once the videos are indexed."""
        await asyncio.to_thread(self._ready.wait)
        lib, report = self.library, IndexReport()
        if lib is None or lib.embedder is None:
            self.transcripts_finished = True
            return report
        todo = await asyncio.to_thread(transcripts_to_index, lib.catalog, lib.vectors)
        self._bars.reset(self.transcripts.id, total=len(todo))
        for video_id in todo:
            await turns.quiet()
            await asyncio.to_thread(index_transcript, lib.catalog, lib.vectors, lib.embedder, video_id, report)
            self._bars.advance(self.transcripts.id, 1)
        self.transcripts_finished = True
        if report.skipped:
            log.warning("transcripts left out of the index:\n%s", "\n".join(report.skipped))
        return report

    def note(self) -> str:
        """What the page says while the chat cannot answer yet ('' once it can)."""
        if self.error is not None:
            return f"The catalog could not be opened: {self.error}"
        if self.answering:
            return ""
        if self.catalog is None:
            return "Loading the catalog…"
        return f"Opening {len(self.catalog):,} videos…"

    def search_note(self) -> str:
        """While a first run indexes the videos by meaning, what search does meanwhile ('' after)."""
        v = self.videos
        if self.ready or not self.answering or not v.total:
            return ""
        left = about(v.time_remaining)
        return (f"Searching by words while the first run indexes the videos by meaning: {int(v.completed):,} of "
                f"{int(v.total):,}{', ' + left if left else ''}. Lists get better when it is done.")

    def clips_note(self) -> str:
        """How far the transcripts for clips are ('' when there were none to index)."""
        t = self.transcripts
        if not t.total:
            return ""
        if self.transcripts_finished:
            return f"Clips: all {int(t.total):,} new transcripts indexed."
        left = f", {about(t.time_remaining)}" if t.time_remaining is not None else ""
        return (f"Clips: {int(t.completed):,} of {int(t.total):,} transcripts indexed{left}. Until a video's is in, "
                "its clip is found when you ask, a little slower.")

    def status(self) -> str:
        """The line beside the chat: how far search by meaning, then the clips, have got."""
        return self.search_note() or self.clips_note()

    @property
    def waiting(self) -> bool:
        """Whether there is anything left to tell a page that opens now."""
        return not self.ready or not self.transcripts_finished
