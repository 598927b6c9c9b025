"""Fetch YouTube captions with youtube-transcript-api into transcript files the catalog reads."""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import requests
from youtube_transcript_api import (
    CouldNotRetrieveTranscript,
    NoTranscriptFound,
    RequestBlocked,
    TranscriptsDisabled,
    VideoUnavailable,
    YouTubeRequestFailed,
    YouTubeTranscriptApi,
)
from youtube_transcript_api.proxies import GenericProxyConfig, ProxyConfig

from tools.atomic_file import write_atomically
from tools.youtube.cache import CACHE_DIR, HOUR, ResponseCache

log = logging.getLogger(__name__)

TRANSCRIPT_DIR = "youtube-transcripts"
HTTP_TIMEOUT_S = 10
UNREADABLE = "YouTube's transcript for it could not be read"
FAILURE_KIND = "transcript-failure"
NETWORK_FAILURE_TTL_S = HOUR
"""Blocks and failed requests are about this network, not the video: try again soon."""
VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
BLOCKED = "YouTube blocked the transcript request from this network"


@dataclass(frozen=True)
class TranscriptResult:
    """The transcript file, or why there is none (a short phrase for the user)."""

    path: Path | None
    reason: str | None


def proxy_config_from_settings(http_proxy: str | None, https_proxy: str | None) -> GenericProxyConfig | None:
    """A proxy for transcript requests when either setting is given; one alone serves both schemes."""
    if not (http_proxy or https_proxy):
        return None
    return GenericProxyConfig(http_url=http_proxy or None, https_url=https_proxy or None)


class TimedSession(requests.Session):
    """requests waits forever by default and the library sets no timeout: a network that drops
    packets would hold every transcript worker for minutes, every turn."""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT_S)
        return super().request(method, url, **kwargs)


class TranscriptFetcher:
    """Writes <data_dir>/youtube-transcripts/<id>.json once per video; remembers why one failed."""

    def __init__(
        self,
        data_dir: Path,
        languages: tuple[str, ...] = ("en",),
        proxy_config: ProxyConfig | None = None,
        api: YouTubeTranscriptApi | None = None,
        cache: ResponseCache | None = None,
    ):
        self.directory = Path(data_dir) / TRANSCRIPT_DIR
        self.languages = tuple(languages)
        self._given_api, self._proxy_config = api, proxy_config
        self._per_thread = threading.local()
        self.cache = cache if cache is not None else ResponseCache(Path(data_dir) / CACHE_DIR)

    @property
    def api(self) -> YouTubeTranscriptApi:
        """The library's client; one per thread, since its requests.Session is not thread-safe
        (the library says so) and transcripts are fetched several at a time."""
        if self._given_api is not None:
            return self._given_api
        if not hasattr(self._per_thread, "api"):
            self._per_thread.api = YouTubeTranscriptApi(proxy_config=self._proxy_config, http_client=TimedSession())
        return self._per_thread.api

    def path_for(self, video_id: str) -> Path:
        return self.directory / f"{video_id}.json"

    def fetch(self, video_id: str) -> TranscriptResult:
        """The transcript file for a video, from disk if already fetched; never raises for YouTube's answers."""
        if not VIDEO_ID.fullmatch(video_id):
            return TranscriptResult(None, "that is not a YouTube video id")
        path = self.path_for(video_id)
        if path.exists():
            return TranscriptResult(path, None)
        failure_key = {"video_id": video_id, "languages": list(self.languages)}
        remembered = self.cache.get(FAILURE_KIND, failure_key)
        if isinstance(remembered, str):
            return TranscriptResult(None, remembered)
        try:
            segments = self._download(video_id)
        except (RequestBlocked, YouTubeRequestFailed) as error:
            reason = BLOCKED if isinstance(error, RequestBlocked) else "the transcript request to YouTube failed"
            self.cache.put(FAILURE_KIND, failure_key, reason, ttl_s=NETWORK_FAILURE_TTL_S)
            return TranscriptResult(None, reason)
        except CouldNotRetrieveTranscript as error:
            reason = self._reason(error)
            self.cache.put(FAILURE_KIND, failure_key, reason)
            return TranscriptResult(None, reason)
        except OSError as error:
            # requests' errors are OSErrors. Offline or DNS failure: nothing to remember, the next try may work.
            log.warning("Transcript request for %s failed: %s", video_id, type(error).__name__)
            return TranscriptResult(None, "YouTube could not be reached for the transcript")
        except Exception as error:  # noqa: BLE001 - e.g. an empty caption body: XML ParseError
            # Whatever YouTube sent could not be read; one video's transcript must never sink a list.
            log.warning("Transcript of %s could not be read: %s", video_id, type(error).__name__)
            self.cache.put(FAILURE_KIND, failure_key, UNREADABLE, ttl_s=NETWORK_FAILURE_TTL_S)
            return TranscriptResult(None, UNREADABLE)
        write_atomically(path, json.dumps(segments, ensure_ascii=False))
        return TranscriptResult(path, None)

    def _download(self, video_id: str) -> list[dict]:
        """Manual captions in the preferred languages, else generated ones, as {start, duration, text}."""
        transcripts = self.api.list(video_id)
        try:
            chosen = transcripts.find_manually_created_transcript(self.languages)
        except NoTranscriptFound:
            chosen = transcripts.find_generated_transcript(self.languages)
        return [
            {"start": s["start"], "duration": s["duration"], "text": s["text"]}
            for s in chosen.fetch().to_raw_data()
        ]

    def _reason(self, error: CouldNotRetrieveTranscript) -> str:
        if isinstance(error, TranscriptsDisabled):
            return "the uploader turned captions off"
        if isinstance(error, NoTranscriptFound):
            return f"no captions in {', '.join(self.languages)}"
        if isinstance(error, VideoUnavailable):
            return "the video is unavailable"
        return _class_name_in_words(type(error).__name__)


def _class_name_in_words(name: str) -> str:
    """'AgeRestricted' -> 'age restricted'; 'YouTube' stays one word."""
    words = re.findall(r"YouTube|[A-Z][a-z]*|[a-z]+|\d+", name)
    return " ".join(w if w == "YouTube" else w.lower() for w in words)
