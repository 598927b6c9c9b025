"""Large attached exports are read, and their interests found, in a worker process at low CPU priority,
so other users' turns keep the CPU and the server's memory stays flat."""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from agent.settings import Settings
from agent.web.web_uploads import Prepared, prepare_uploads
from memory.embedder import MiniLMEmbedder
from tools.library import Library

log = logging.getLogger("clipwise.import_worker")

WORKER_NICENESS = 19
"""Where the idle scheduling class is missing: the lowest priority nice gives."""


def in_worker(files: list[tuple[str, Path]], threshold_bytes: int) -> bool:
    """Whether these uploads are big enough to be worth a process of their own (its start costs a few seconds)."""
    return sum(_size(path) for _, path in files) >= threshold_bytes


def _size(path: Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _lower_priority() -> None:
    """Linux's SCHED_IDLE: the worker runs only on CPU time no one else wants, so chat turns never wait on it."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError):
        pass
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not allowed here: the import still runs, at the server's priority
        log.warning("could not lower the import worker's priority")


def worker_library(settings: Settings, model_home: str) -> Library:
    """What reading an export needs: the catalog and sources for titles, and the embedder (the server's
    model files); no memory or index."""
    from agent.sources import catalog_and_sources
    from memory.embedder import load_embedder

    MiniLMEmbedder.DOWNLOAD_PATH = model_home
    catalog, sources = catalog_and_sources(settings)
    lib = Library(catalog, None, None, load_embedder())
    lib.sources += list(sources)
    return lib


def _prepare(settings_json: str, model_home: str, files: list[tuple[str, Path]]) -> Prepared:
    return prepare_uploads(worker_library(Settings.model_validate_json(settings_json), model_home), files)


def prepare_in_worker(settings: Settings, files: list[tuple[str, Path]]) -> Prepared:
    """prepare_uploads in a fresh process that ends with the import (its memory goes with it).
    Blocking: call it from a worker thread."""
    context = multiprocessing.get_context("spawn")  # never fork a threaded server
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_lower_priority) as pool:
        return pool.submit(_prepare, settings.model_dump_json(), MiniLMEmbedder.DOWNLOAD_PATH, files).result()
