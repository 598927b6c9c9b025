"""Which video sources the settings choose: the local catalog, YouTube, or both."""

from __future__ import annotations

import logging
from pathlib import Path

from agent.read_settings import read_settings
from agent.settings import Settings
from tools.catalog.store import DEMO_DIR, Catalog, load_catalog
from tools.errors import ClipwiseError
from tools.library import Library, open_library
from tools.youtube.youtube_config import YouTubeSettings

log = logging.getLogger(__name__)


def catalog_name(settings: Settings) -> str:
    """The name open_from_settings' catalog has (its vector collection's), without loading it."""
    if settings.sources == "youtube":
        return "youtube"
    return str(Path(settings.catalog or DEMO_DIR / "catalog.jsonl").resolve())


def youtube_settings() -> YouTubeSettings:
    """YOUTUBE_* settings; a bad value is a ClipwiseError naming the variable (never the key)."""
    return read_settings(YouTubeSettings)


def catalog_and_sources(settings: Settings, youtube: YouTubeSettings | None = None, http=None,
                        transcript_api=None) -> tuple[Catalog, tuple]:
    """The catalog and the search backends beyond it (YouTube) that the settings choose."""
    from tools.youtube.backend import youtube_search

    mode = settings.sources
    if mode != "local" and youtube is None:
        youtube = youtube_settings()
    backend = None if mode == "local" else youtube_search(settings.data_dir, youtube, http, transcript_api)
    if backend is None and mode in ("youtube", "local+youtube"):
        raise ClipwiseError(f"CLIPWISE_SOURCES={mode} needs a YouTube Data API key in YOUTUBE_API_KEY "
                            "(see the README, 'Live YouTube').")
    if mode == "youtube":
        catalog = Catalog(videos={}, name="youtube")
    else:
        catalog = load_catalog(settings.catalog, settings.transcripts)
    if backend is not None:
        log.info("sources: %s", "YouTube only" if mode == "youtube" else "local catalog, YouTube to fill up")
    return catalog, (backend,) if backend else ()


def open_from_settings(settings: Settings, youtube: YouTubeSettings | None = None, http=None,
                       transcript_api=None, progress=None, on_catalog=None, on_usable=None) -> Library:
    """The library on the chosen sources. `http` and `transcript_api` replace the network (recorded
    responses in the evals, the library's own mocks in tests); `progress(n, total)` follows a
    first run's indexing; `on_catalog(catalog)` is told of the catalog before indexing starts, and
    `on_usable(library)` is handed the library as soon as it can answer (by words, while that goes on)."""
    catalog, sources = catalog_and_sources(settings, youtube, http, transcript_api)
    if on_catalog:
        on_catalog(catalog)
    return open_library(catalog, settings.data_dir, sources=sources, undo_kept=settings.undo_kept,
                        progress=progress, fetch_model=settings.fetch_model, on_usable=on_usable,
                        chroma_url=settings.chroma_url)
