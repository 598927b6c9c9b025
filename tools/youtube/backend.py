"""YouTube as a search backend: live search and transcripts, remembering what it found across restarts."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httplib2

from memory.user_store import Rules
from tools.catalog.jsonl import load_jsonl, write_jsonl
from tools.catalog.video import Video
from tools.errors import CatalogError
from tools.search_backend import BackendAnswer, TranscriptAnswer
from tools.youtube.api import YouTubeClient
from tools.youtube.cache import CACHE_DIR, ResponseCache
from tools.youtube.captions import TranscriptFetcher, proxy_config_from_settings
from tools.youtube.items import SearchLimits
from tools.youtube.youtube_config import YouTubeSettings

log = logging.getLogger(__name__)
SAVED_FILE = "youtube-videos.jsonl"
HTTP_TIMEOUT_S = 10


class SavedVideos:
    """Every video YouTube returned, as a JSONL catalog in the data dir (rewritten whole, atomically)."""

    def __init__(self, path: Path):
        self.path = path
        self.videos: dict[str, Video] = {}
        if path.exists():
            try:
                self.videos = {v.video_id: v for v in load_jsonl(path)}
            except CatalogError as exc:
                # Our own file: a damaged copy is set aside, never a reason not to start.
                aside = path.with_suffix(".damaged")
                os.replace(path, aside)
                log.warning("set aside %s (%s); YouTube videos will be found again", aside, exc)

    def add(self, videos: list[Video]) -> None:
        new = {v.video_id: v for v in videos if v.video_id not in self.videos}
        if not new:
            return
        self.videos.update(new)
        write_jsonl(self.path, self.videos.values())


def limits_from(rules: Rules, settings: YouTubeSettings) -> SearchLimits:
    return SearchLimits(
        max_duration_s=rules.max_duration_s, min_duration_s=rules.min_duration_s,
        published_after=rules.published_after, language=settings.relevance_language,
        safe_search=settings.safe_search,
    )


class YouTubeSearch:
    """search.list + videos.list through the quota ledger and cache; transcripts on demand."""

    name = "YouTube"

    def __init__(self, client: YouTubeClient, fetcher: TranscriptFetcher, saved: SavedVideos,
                 settings: YouTubeSettings):
        self.client, self.fetcher, self.saved, self.settings = client, fetcher, saved, settings

    def saved_videos(self) -> list[Video]:
        return list(self.saved.videos.values())

    def saved_transcripts(self) -> dict[str, Path]:
        paths = {vid: self.fetcher.path_for(vid) for vid in self.saved.videos}
        return {vid: path for vid, path in paths.items() if path.exists()}

    def search(self, queries: list[str], rules: Rules) -> BackendAnswer:
        outcome = self.client.search(queries, limits_from(rules, self.settings), per_query=self.settings.per_query)
        self.saved.add(outcome.videos)
        return BackendAnswer(list(outcome.videos), list(outcome.notices))

    def lookup(self, video_ids: list[str]) -> list[Video]:
        """videos.list for ids (1 unit per 50, cached); what it finds is kept like search results."""
        videos = self.client.details(video_ids)
        self.saved.add(videos)
        return videos

    def owns(self, video: Video) -> bool:
        return video.source == "youtube"

    def transcript(self, video_id: str) -> TranscriptAnswer:
        result = self.fetcher.fetch(video_id)
        return TranscriptAnswer(result.path, result.reason)


def youtube_search(data_dir: Path, settings: YouTubeSettings | None = None, http=None,
                   transcript_api=None) -> YouTubeSearch | None:
    """The YouTube backend for the key in YOUTUBE_API_KEY, or None when no key is set."""
    settings = settings or YouTubeSettings()
    if settings.api_key is None or not settings.api_key.get_secret_value().strip():
        return None
    cache = ResponseCache(data_dir / CACHE_DIR)
    # httplib2 waits 60 s by default, and the client retries: a dead network would stall a turn for minutes.
    http = http if http is not None else httplib2.Http(timeout=HTTP_TIMEOUT_S)
    client = YouTubeClient(settings.api_key.get_secret_value(), data_dir, daily_budget=settings.daily_budget,
                           http=http, cache=cache)
    proxies = proxy_config_from_settings(settings.http_proxy, settings.https_proxy)
    fetcher = TranscriptFetcher(data_dir, languages=settings.language_list, proxy_config=proxies,
                                api=transcript_api, cache=cache)
    return YouTubeSearch(client, fetcher, SavedVideos(data_dir / SAVED_FILE), settings)
