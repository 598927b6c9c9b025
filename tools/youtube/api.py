"""YouTube Data API v3 search and video details: within a daily quota, cached, and never fatal."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import httplib2
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tools.catalog.video import Video
from tools.errors import YouTubeUsageError
from tools.youtube.cache import CACHE_DIR, ResponseCache
from tools.youtube.items import SearchLimits, video_from_item
from tools.youtube.quota import LEDGER_FILE, Clock, QuotaLedger, utc_now

log = logging.getLogger(__name__)

SEARCH_COST = 100
DETAILS_COST = 1
"""Quota units per call, as YouTube counts them (search.list, videos.list)."""
IDS_PER_DETAILS_CALL = 50
DETAILS_PARTS = "snippet,contentDetails,statistics"

QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
KEY_REASONS = {
    "keyInvalid", "keyExpired", "forbidden", "accessNotConfigured", "ipRefererBlocked",
    "API_KEY_INVALID", "API_KEY_EXPIRED", "SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED",
}
FALLBACK = "showing cached and local results"
UNTIL_RESET = "until it resets at midnight Pacific time"


class _RedactApiKey(logging.Filter):
    """googleapiclient logs request URIs (DEBUG, and WARNING on retries); they carry key=<API key>."""

    KEY_PARAM = re.compile(r"([?&]key=)[^&\s'\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours to raise
            return True
        redacted = self.KEY_PARAM.sub(r"\1REDACTED", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACT_API_KEY = _RedactApiKey()
for _name in ("googleapiclient.discovery", "googleapiclient.http", "googleapiclient.model"):
    logging.getLogger(_name).addFilter(_REDACT_API_KEY)


def build_service(api_key: str, http: object | None = None):
    """The youtube v3 service from the discovery document shipped with the library (no HTTP call)."""
    return build("youtube", "v3", developerKey=api_key, static_discovery=True, cache_discovery=False, http=http)


@dataclass
class SearchOutcome:
    """Videos found (first appearance order, no repeats) and what the user should be told."""

    videos: list[Video] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    units_spent: int = 0
    from_cache: bool = False
    """True when nothing was fetched from YouTube for this outcome (fresh or stale cache only)."""


@dataclass
class _Run:
    """The state of one search() or details() call."""

    notices: list[str] = field(default_factory=list)
    units: int = 0
    fetched: bool = False
    halted: bool = False
    """After a failure, the rest of the call is answered from the cache."""

    def notice(self, text: str) -> None:
        if text not in self.notices:
            log.warning("%s", text)
            self.notices.append(text)


class YouTubeClient:
    """search.list + videos.list behind a quota ledger and a response cache."""

    def __init__(
        self,
        api_key: str,
        data_dir: Path,
        daily_budget: int = 10_000,
        http: object | None = None,
        cache: ResponseCache | None = None,
        num_retries: int = 3,
        clock: Clock = utc_now,
    ):
        if not api_key:
            raise YouTubeUsageError("YouTube search needs an API key in YOUTUBE_API_KEY.")
        data_dir = Path(data_dir)
        self._service = build_service(api_key, http)
        self.ledger = QuotaLedger(data_dir / LEDGER_FILE, daily_budget, clock)
        self.cache = cache if cache is not None else ResponseCache(data_dir / CACHE_DIR, clock)
        self.num_retries = num_retries
        self.last_notices: list[str] = []
        self._key_rejected: str | None = None
        """The notice for a rejected key: once set, this client makes no more calls."""

    def search(self, queries: list[str], limits: SearchLimits = SearchLimits(), per_query: int = 25) -> SearchOutcome:
        """Videos for each query, within the limits; network, quota and key problems become notices."""
        if not 1 <= per_query <= 50:
            raise YouTubeUsageError("per_query must be between 1 and 50 (search.list's maxResults).")
        run = _Run()
        found: dict[str, Video] = {}
        for query in queries:
            new_ids = [i for i in dict.fromkeys(self._search_ids(run, query, limits, per_query)) if i not in found]
            items = self._items(run, new_ids)
            for video_id in new_ids:
                video = video_from_item(items[video_id]) if video_id in items else None
                if video is not None:
                    found[video_id] = video
        videos = [v for v in found.values() if limits.allows(v)]
        return self._finish(run, videos)

    def details(self, video_ids: list[str]) -> list[Video]:
        """Videos for these ids, in order (unknown ids left out); 1 unit per 50 uncached ids.

        Problems do not raise; their notices are in last_notices.
        """
        run = _Run()
        ids = list(dict.fromkeys(video_ids))
        items = self._items(run, ids)
        videos = [video_from_item(items[i]) for i in ids if i in items]
        return self._finish(run, [v for v in videos if v is not None]).videos

    def _finish(self, run: _Run, videos: list[Video]) -> SearchOutcome:
        self.last_notices = list(run.notices)
        return SearchOutcome(videos, list(run.notices), run.units, from_cache=not run.fetched)

    def _search_ids(self, run: _Run, query: str, limits: SearchLimits, per_query: int) -> list[str]:
        params = {"part": "id", "type": "video", "q": query, "maxResults": per_query, **limits.search_params()}
        ids = self.cache.get("search", params)
        if ids is not None:
            return ids
        response = self._execute(run, "search.list", SEARCH_COST, lambda: self._service.search().list(**params))
        if response is None:
            return self.cache.get_stale("search", params) or []
        ids = [video_id for video_id in map(_video_id_of, response.get("items", [])) if video_id]
        self.cache.put("search", params, ids)
        return ids

    def _items(self, run: _Run, video_ids: list[str]) -> dict[str, dict]:
        """videos.list items by id: fresh from the cache, else fetched, else stale from the cache."""
        items: dict[str, dict] = {}
        missing = []
        for video_id in video_ids:
            item = self.cache.get("details", video_id)
            if item is None:
                missing.append(video_id)
            else:
                items[video_id] = item
        for start in range(0, len(missing), IDS_PER_DETAILS_CALL):
            page = missing[start:start + IDS_PER_DETAILS_CALL]
            # No maxResults: the reference says videos.list does not support it together with id.
            response = self._execute(
                run, "videos.list", DETAILS_COST,
                lambda: self._service.videos().list(part=DETAILS_PARTS, id=",".join(page)),
            )
            for item in (response or {}).get("items", []):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self.cache.put("details", item["id"], item)
                    items[item["id"]] = item
            if response is None:
                for video_id in page:
                    stale = self.cache.get_stale("details", video_id)
                    if stale is not None:
                        items[video_id] = stale
        return items

    def _execute(self, run: _Run, method: str, units: int, make_request) -> dict | None:
        """One API call's response, or None after telling the user why there is none."""
        if self._key_rejected:
            run.notice(self._key_rejected)
            return None
        if run.halted:
            return None
        if not self.ledger.can_spend(units):
            run.notice(self._quota_notice())
            run.halted = True
            return None
        try:
            response = make_request().execute(num_retries=self.num_retries)
        except HttpError as error:
            self._spend(run, method, units)
            self._on_http_error(run, error)
            return None
        except (OSError, httplib2.HttpLib2Error) as error:
            # The library retries timeouts and refused or reset connections, not every network error.
            timed_out = isinstance(error, TimeoutError)
            words = f"timed out after {self.num_retries} retries" if timed_out else "no connection"
            run.notice(f"YouTube did not answer ({words}); {FALLBACK}.")
            run.halted = True
            return None
        except ValueError:
            self._spend(run, method, units)
            run.notice(f"YouTube sent an answer that could not be read; {FALLBACK}.")
            run.halted = True
            return None
        self._spend(run, method, units)
        run.fetched = True
        return response if isinstance(response, dict) else {}

    def _spend(self, run: _Run, method: str, units: int) -> None:
        # Charged once per call even when the library retried it: YouTube does not document
        # charging for requests that failed with a server error.
        self.ledger.spend(method, units)
        run.units += units
        log.info("YouTube %s: %d units, %d left today", method, units, self.ledger.remaining())

    def _on_http_error(self, run: _Run, error: HttpError) -> None:
        # Only status and reason go into messages: str(error) includes the URI, and so the key.
        status = int(error.resp.status)
        reasons, message = _error_reasons(error)
        key_reason = _first(reasons, KEY_REASONS) or ("keyInvalid" if "API key not valid" in message else None)
        quota_reason = _first(reasons, QUOTA_REASONS)
        run.halted = True
        if key_reason:
            self._key_rejected = (
                f"YouTube rejected the API key in YOUTUBE_API_KEY ({key_reason}): check the key, and that the"
                f" YouTube Data API v3 is enabled for its Google Cloud project; {FALLBACK}."
            )
            run.notice(self._key_rejected)
        elif quota_reason:
            self.ledger.mark_exhausted()
            run.notice(f"YouTube says the daily quota of YOUTUBE_API_KEY is used up ({quota_reason});"
                       f" {FALLBACK} {UNTIL_RESET}.")
        elif status == 429 or _first(reasons, RATE_REASONS):
            reason = _first(reasons, RATE_REASONS) or f"HTTP {status}"
            run.notice(f"YouTube asked us to slow down ({reason} after {self.num_retries} retries); {FALLBACK}.")
        elif status >= 500:
            run.notice(f"YouTube did not answer (HTTP {status} after {self.num_retries} retries); {FALLBACK}.")
        else:
            reason = f" {reasons[0]}" if reasons else ""
            run.notice(f"YouTube refused the request (HTTP {status}{reason}); {FALLBACK}.")

    def _quota_notice(self) -> str:
        if self.ledger.marked_exhausted():
            return f"YouTube says the daily quota of YOUTUBE_API_KEY is used up; {FALLBACK} {UNTIL_RESET}."
        return (
            f"YouTube daily quota budget ({self.ledger.daily_budget} units, setting YOUTUBE_DAILY_BUDGET)"
            f" is spent; {FALLBACK} {UNTIL_RESET}."
        )


def _error_reasons(error: HttpError) -> tuple[list[str], str]:
    """The reasons (error.errors[].reason, then error.details[].reason) and message of an error body."""
    try:
        body = json.loads(error.content.decode("utf-8"))
        detail = body["error"]
    except (ValueError, KeyError, TypeError):
        return [], ""
    if not isinstance(detail, dict):
        return [], ""
    reasons = [
        entry["reason"]
        for section in ("errors", "details")
        for entry in detail.get(section) or []
        if isinstance(entry, dict) and isinstance(entry.get("reason"), str)
    ]
    return reasons, str(detail.get("message", ""))


def _first(reasons: list[str], wanted: set[str]) -> str | None:
    return next((r for r in reasons if r in wanted), None)


def _video_id_of(item: object) -> str | None:
    ident = item.get("id") if isinstance(item, dict) else None
    video_id = ident.get("videoId") if isinstance(ident, dict) else None
    return video_id if isinstance(video_id, str) and video_id else None


