"""YouTube's answers as our videos, and the user's limits as search parameters."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import isodate
from pydantic import ValidationError

from tools.catalog.video import Video
from tools.errors import YouTubeUsageError

log = logging.getLogger(__name__)
SHORT_UNDER_S = 4 * 60
LONG_OVER_S = 20 * 60
SAFE_SEARCH_VALUES = ("none", "moderate", "strict")
THUMBNAIL_SIZES = ("maxres", "standard", "high", "medium", "default")


def parse_duration(value: object) -> int | None:
    """Seconds of an ISO 8601 duration such as "PT1H2M3S"; None for "P0D" (live, upcoming) and bad values."""
    try:
        duration = isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError, TypeError):
        return None
    if not isinstance(duration, dt.timedelta):  # years or months: not a video length
        return None
    seconds = int(duration.total_seconds())
    return seconds if seconds > 0 else None


@dataclass(frozen=True)
class SearchLimits:
    """What the user allows; mapped to search.list filters and then applied exactly to the results."""

    max_duration_s: int | None = None
    min_duration_s: int | None = None
    published_after: dt.date | None = None
    language: str | None = None
    safe_search: str = "moderate"

    def __post_init__(self) -> None:
        if self.safe_search not in SAFE_SEARCH_VALUES:
            raise YouTubeUsageError(f"safe_search must be one of {', '.join(SAFE_SEARCH_VALUES)}")

    def video_duration(self) -> str:
        """The narrowest videoDuration bucket that cannot exclude a video these limits allow.

        YouTube's buckets: "short" is under 4 minutes, "medium" 4 to 20 minutes inclusive, "long"
        over 20 minutes. So "short" needs a max under 4 min; "medium" a min of at least 4 min and a
        max of at most 20 min; "long" a min over 20 min. Anything else (say, max 10 min, which
        allows both short and medium videos) is "any", and the exact limits filter afterwards.
        """
        low, high = self.min_duration_s, self.max_duration_s
        if high is not None and high < SHORT_UNDER_S:
            return "short"
        if low is not None and low >= SHORT_UNDER_S and high is not None and high <= LONG_OVER_S:
            return "medium"
        if low is not None and low > LONG_OVER_S:
            return "long"
        return "any"

    def search_params(self) -> dict[str, str]:
        """These limits as search.list query parameters."""
        params = {"videoDuration": self.video_duration(), "safeSearch": self.safe_search}
        if self.published_after is not None:
            params["publishedAfter"] = f"{self.published_after.isoformat()}T00:00:00Z"
        if self.language:
            params["relevanceLanguage"] = self.language
        return params

    def allows(self, video: Video) -> bool:
        """The exact limits; a video whose length or date is unknown fails a limit on it."""
        length = video.duration_s
        if self.max_duration_s is not None and (length is None or length > self.max_duration_s):
            return False
        if self.min_duration_s is not None and (length is None or length < self.min_duration_s):
            return False
        if self.published_after is not None and (
            video.published_at is None or video.published_at < self.published_after
        ):
            return False
        return True


def video_from_item(item: dict) -> Video | None:
    """A Video from one videos.list item; None when the item lacks what a Video needs."""
    snippet = item.get("snippet") or {}
    statistics = item.get("statistics") or {}
    try:
        return Video(
            video_id=item["id"],
            title=snippet.get("title", ""),
            channel=snippet.get("channelTitle", ""),
            description=snippet.get("description", ""),
            tags=tuple(snippet.get("tags") or ()),
            duration_s=parse_duration((item.get("contentDetails") or {}).get("duration")),
            published_at=_date(snippet.get("publishedAt")),
            view_count=_int(statistics.get("viewCount")),
            thumbnail_url=_best_thumbnail(snippet.get("thumbnails") or {}),
            language=snippet.get("defaultAudioLanguage") or snippet.get("defaultLanguage"),
            source="youtube",
        )
    except (KeyError, TypeError, ValidationError) as exc:
        log.warning("Skipping a YouTube video item that could not be read: %s", type(exc).__name__)
        return None


def _best_thumbnail(thumbnails: dict) -> str | None:
    for size in THUMBNAIL_SIZES:
        url = (thumbnails.get(size) or {}).get("url")
        if url:
            return url
    return None


def _date(value: object) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(value)).date() if value else None
    except ValueError:
        return None


def _int(value: object) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
