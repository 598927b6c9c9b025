"""YouTube Data API client: results, limits, quota, errors, cache, and the API key never leaking."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import diskcache
import googleapiclient.http
import googleapiclient.model
import pytest
from googleapiclient.http import HttpMockSequence

from tools.youtube.api import YouTubeClient
from tools.youtube.cache import CACHE_DIR, ResponseCache
from tools.youtube.items import SearchLimits, parse_duration
from tools.youtube.quota import LEDGER_FILE, QuotaLedger

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
KEY = "AIza-TEST-SECRET-123"
NOW = dt.datetime(2025, 3, 10, 19, 0, tzinfo=dt.timezone.utc)
QUERY_1 = ["linear algebra"]
IDS_1 = ["vidAlpha001", "vidBravo002", "vidCharl003"]
FIRST_SEARCH = [(200, "search_linear_algebra"), (200, "videos_linear_algebra")]
SERVER_DOWN = [(503, "error_backend_503")] * 4


class Clock:
    def __init__(self, now: dt.datetime = NOW):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """googleapiclient's retry backoff, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(googleapiclient.http.time, "sleep", slept.append)
    return slept


@pytest.fixture
def clock() -> Clock:
    return Clock()


def mock_http(*responses: tuple[int, str]) -> HttpMockSequence:
    """Answers in order; one request more than listed fails the test (IndexError)."""
    return HttpMockSequence(
        [({"status": str(status)}, (FIXTURES / f"{name}.json").read_text()) for status, name in responses]
    )


def requests_made(http: HttpMockSequence) -> list[tuple[str, dict[str, str]]]:
    """(path, query parameters) of each request the mock received."""
    out = []
    for uri, *_ in http.request_sequence:
        parsed = urlparse(uri)
        out.append((parsed.path, {k: v[0] for k, v in parse_qs(parsed.query).items()}))
    return out


def client(data_dir: Path, http: HttpMockSequence, clock: Clock, **options) -> YouTubeClient:
    return YouTubeClient(KEY, data_dir, http=http, clock=clock, **options)


def ids(outcome) -> list[str]:
    return [v.video_id for v in outcome.videos]


def test_search_returns_videos_with_details(data_dir: Path, clock: Clock):
    http = mock_http(*FIRST_SEARCH)
    outcome = client(data_dir, http, clock).search(QUERY_1)

    assert ids(outcome) == IDS_1
    assert outcome.notices == [] and outcome.units_spent == 101 and not outcome.from_cache
    alpha, bravo, charlie = outcome.videos
    assert alpha.title == "Eigenvectors from Scratch: a Long Lecture"
    assert alpha.channel == "Example Maths Hall"
    assert alpha.duration_s == 3723
    assert alpha.view_count == 123456
    assert alpha.published_at == dt.date(2024, 2, 14)
    assert alpha.thumbnail_url == "https://i.ytimg.test/vi/vidAlpha001/maxresdefault.jpg"
    assert alpha.tags == ("linear algebra", "eigenvectors", "lecture")
    assert alpha.language == "en-GB" and alpha.source == "youtube"
    assert alpha.url == "https://www.youtube.com/watch?v=vidAlpha001"
    assert bravo.thumbnail_url.endswith("/hqdefault.jpg") and bravo.tags == () and bravo.language is None
    assert charlie.view_count is None  # hidden view count
    (search_path, search), (videos_path, videos) = requests_made(http)
    assert search_path.endswith("/search") and search["part"] == "id" and search["q"] == "linear algebra"
    assert videos_path.endswith("/videos") and videos["id"] == ",".join(IDS_1)
    assert videos["part"] == "snippet,contentDetails,statistics"


def test_two_queries_are_deduplicated_and_details_fetched_once(data_dir: Path, clock: Clock):
    http = mock_http(*FIRST_SEARCH, (200, "search_matrices"), (200, "videos_matrices"))
    outcome = client(data_dir, http, clock).search(["linear algebra", "matrices"])

    assert ids(outcome) == [*IDS_1, "vidDelta004", "vidEcho0005"]
    assert outcome.units_spent == 2 * 101
    second_details = requests_made(http)[3][1]
    assert second_details["id"] == "vidDelta004,vidEcho0005"  # vidBravo002 is not fetched again
    echo = outcome.videos[-1]
    assert echo.duration_s is None and echo.title == "Live: Matrices Office Hours"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT1H2M3S", 3723), ("PT25M", 1500), ("PT45S", 45), ("P1DT2H", 93600),
     ("P0D", None), ("PT0S", None), ("", None), ("garbage", None), ("P1M", None), (None, None)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("min_s", "max_s", "bucket"),
    [(None, None, "any"), (None, 3 * 60, "short"), (None, 4 * 60, "any"), (None, 10 * 60, "any"),
     (4 * 60, 20 * 60, "medium"), (5 * 60, None, "any"), (20 * 60, None, "any"), (20 * 60 + 1, None, "long")],
)
def test_duration_bucket_never_excludes_an_allowed_video(min_s, max_s, bucket):
    assert SearchLimits(min_duration_s=min_s, max_duration_s=max_s).video_duration() == bucket


def test_limits_become_search_parameters(data_dir: Path, clock: Clock):
    http = mock_http(*FIRST_SEARCH)
    limits = SearchLimits(min_duration_s=300, max_duration_s=900, published_after=dt.date(2024, 1, 1),
                          language="de", safe_search="strict")
    client(data_dir, http, clock).search(QUERY_1, limits, per_query=10)

    search = requests_made(http)[0][1]
    assert search["type"] == "video"
    assert search["videoDuration"] == "medium"
    assert search["publishedAfter"] == "2024-01-01T00:00:00Z"
    assert search["relevanceLanguage"] == "de"
    assert search["safeSearch"] == "strict"
    assert search["maxResults"] == "10"


def test_exact_limits_are_applied_to_results(data_dir: Path, clock: Clock):
    # Three searches with different limits: the details are fetched once and then cached.
    http = mock_http(*FIRST_SEARCH, (200, "search_linear_algebra"), (200, "search_linear_algebra"))
    youtube = client(data_dir, http, clock)

    assert ids(youtube.search(QUERY_1, SearchLimits(max_duration_s=20 * 60))) == ["vidCharl003"]
    assert ids(youtube.search(QUERY_1, SearchLimits(min_duration_s=30 * 60))) == ["vidAlpha001"]
    after_2023 = youtube.search(QUERY_1, SearchLimits(published_after=dt.date(2023, 1, 1)))
    assert ids(after_2023) == ["vidAlpha001", "vidBravo002"]
    assert after_2023.units_spent == 100


def test_unknown_length_fails_a_length_limit(data_dir: Path, clock: Clock):
    http = mock_http((200, "search_matrices"), (200, "videos_matrices"))
    outcome = client(data_dir, http, clock).search(["matrices"], SearchLimits(max_duration_s=20 * 60))
    assert "vidEcho0005" not in ids(outcome)  # live/upcoming: P0D


def test_budget_allows_one_search_then_refuses(data_dir: Path, clock: Clock):
    http = mock_http(*FIRST_SEARCH)
    youtube = client(data_dir, http, clock, daily_budget=150)

    assert ids(youtube.search(QUERY_1)) == IDS_1
    refused = youtube.search(["matrices"])

    assert len(http.request_sequence) == 2
    assert refused.videos == [] and refused.units_spent == 0
    assert refused.notices == [
        "YouTube daily quota budget (150 units, setting YOUTUBE_DAILY_BUDGET) is spent; "
        "showing cached and local results until it resets at midnight Pacific time."
    ]
    restarted = QuotaLedger(data_dir / LEDGER_FILE, 150, clock)
    assert restarted.spent_today() == 101 and restarted.remaining() == 49
    assert not restarted.can_spend(100)


def test_quota_day_ends_at_midnight_pacific(data_dir: Path):
    # 2025-03-10 06:59 UTC is 23:59 on March 9 in Los Angeles (PDT, UTC-7).
    clock = Clock(dt.datetime(2025, 3, 10, 6, 59, tzinfo=dt.timezone.utc))
    ledger = QuotaLedger(data_dir / LEDGER_FILE, 150, clock)
    ledger.spend("search.list", 100)
    ledger.mark_exhausted()
    assert ledger.today() == "2025-03-09" and ledger.remaining() == 0

    clock.advance(minutes=2)
    assert ledger.today() == "2025-03-10"
    assert ledger.spent_today() == 0 and ledger.can_spend(150) and not ledger.marked_exhausted()


def test_quota_exceeded_falls_back_to_stale_cache(data_dir: Path, clock: Clock):
    client(data_dir, mock_http(*FIRST_SEARCH), clock).search(QUERY_1)
    clock.advance(hours=7)  # the cached search is past its 6 hours

    outcome = client(data_dir, mock_http((403, "error_quota_exceeded")), clock).search(QUERY_1)

    assert ids(outcome) == IDS_1 and outcome.from_cache
    assert outcome.units_spent == 100  # a refused call still counts
    assert outcome.notices == [
        "YouTube says the daily quota of YOUTUBE_API_KEY is used up (quotaExceeded); "
        "showing cached and local results until it resets at midnight Pacific time."
    ]
    ledger = QuotaLedger(data_dir / LEDGER_FILE, 10_000, clock)
    assert ledger.marked_exhausted() and ledger.remaining() == 0

    untouched = mock_http()
    later = client(data_dir, untouched, clock).search(QUERY_1)
    assert untouched.request_sequence == [] and ids(later) == IDS_1
    assert "used up" in later.notices[0]


def test_server_error_is_retried(data_dir: Path, clock: Clock, sleeps: list[float]):
    http = mock_http((503, "error_backend_503"), *FIRST_SEARCH)
    outcome = client(data_dir, http, clock).search(QUERY_1)

    assert ids(outcome) == IDS_1 and outcome.notices == []
    assert len(http.request_sequence) == 3 and len(sleeps) == 1


def test_server_still_failing_after_retries_falls_back(data_dir: Path, clock: Clock, sleeps: list[float]):
    client(data_dir, mock_http(*FIRST_SEARCH), clock).search(QUERY_1)
    clock.advance(hours=7)

    http = mock_http(*SERVER_DOWN)
    outcome = client(data_dir, http, clock).search(QUERY_1)

    assert outcome.notices == ["YouTube did not answer (HTTP 503 after 3 retries); showing cached and local results."]
    assert ids(outcome) == IDS_1 and outcome.from_cache
    assert len(http.request_sequence) == 4 and len(sleeps) == 3


def test_no_connection_falls_back(data_dir: Path, clock: Clock):
    class Unreachable:
        def request(self, *args, **kwargs):
            raise TimeoutError("timed out")

    outcome = YouTubeClient(KEY, data_dir, http=Unreachable(), clock=clock, num_retries=1).search(QUERY_1)
    assert outcome.videos == [] and outcome.units_spent == 0
    assert outcome.notices == [
        "YouTube did not answer (timed out after 1 retries); showing cached and local results."
    ]


@pytest.mark.parametrize(
    ("status", "fixture", "reason"),
    [(400, "error_key_invalid", "API_KEY_INVALID"), (400, "error_key_invalid_legacy", "keyInvalid"),
     (403, "error_access_not_configured", "accessNotConfigured")],
)
def test_rejected_key_names_the_setting_and_stops_calling(data_dir: Path, clock: Clock, status, fixture, reason):
    http = mock_http((status, fixture))
    youtube = client(data_dir, http, clock)

    first = youtube.search(QUERY_1)
    second = youtube.search(["matrices"])

    (notice,) = first.notices
    assert notice.startswith(f"YouTube rejected the API key in YOUTUBE_API_KEY ({reason}): check the key")
    assert KEY not in notice
    assert second.notices == first.notices
    assert len(http.request_sequence) == 1


def test_repeated_search_is_answered_from_cache(data_dir: Path, clock: Clock):
    http = mock_http(*FIRST_SEARCH)
    youtube = client(data_dir, http, clock)
    first = youtube.search(QUERY_1)
    again = youtube.search(QUERY_1)

    assert again.videos == first.videos
    assert again.units_spent == 0 and again.from_cache and len(http.request_sequence) == 2

    restarted = client(data_dir, mock_http(), clock).search(QUERY_1)
    assert restarted.videos == first.videos and restarted.units_spent == 0


def test_details_for_pasted_ids(data_dir: Path, clock: Clock):
    http = mock_http((200, "videos_linear_algebra"))
    youtube = client(data_dir, http, clock)

    videos = youtube.details(["vidCharl003", "vidAlpha001", "vidCharl003"])
    assert [v.video_id for v in videos] == ["vidCharl003", "vidAlpha001"]
    assert youtube.ledger.spent_today() == 1

    assert [v.title for v in youtube.details(["vidAlpha001"])] == ["Eigenvectors from Scratch: a Long Lecture"]
    assert len(http.request_sequence) == 1 and youtube.last_notices == []


def test_cache_ttl_and_restart(data_dir: Path, clock: Clock):
    cache = ResponseCache(data_dir / CACHE_DIR, clock)
    cache.put("search", {"q": "x"}, ["a", "b"])
    clock.advance(hours=5)
    assert ResponseCache(data_dir / CACHE_DIR, clock).get("search", {"q": "x"}) == ["a", "b"]

    clock.advance(hours=2)
    assert cache.get("search", {"q": "x"}) is None
    assert cache.get_stale("search", {"q": "x"}) == ["a", "b"]
    assert cache.get("details", "vidAlpha001") is None

    cache.clear()
    assert cache.get_stale("search", {"q": "x"}) is None


def test_corrupt_cache_entry_is_discarded(data_dir: Path, clock: Clock):
    client(data_dir, mock_http(*FIRST_SEARCH), clock).search(QUERY_1)
    with diskcache.Cache(str(data_dir / CACHE_DIR)) as raw:
        keys = list(raw)
        for key in keys:
            raw.set(key, "{not json")
        raw.set(keys[0], b"\x00\xff binary junk")

    http = mock_http(*FIRST_SEARCH)
    outcome = client(data_dir, http, clock).search(QUERY_1)
    assert ids(outcome) == IDS_1 and outcome.units_spent == 101  # fetched again, no crash


def test_damaged_cache_file_is_replaced(data_dir: Path, clock: Clock):
    folder = data_dir / CACHE_DIR
    folder.mkdir()
    (folder / "cache.db").write_bytes(b"this is not an sqlite database" * 100)

    cache = ResponseCache(folder, clock)
    assert cache.get("search", {"q": "x"}) is None
    cache.put("search", {"q": "x"}, ["a"])
    assert cache.get("search", {"q": "x"}) == ["a"]


def test_api_key_is_never_written_or_logged(data_dir: Path, clock: Clock, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(googleapiclient.model, "dump_request_response", True)  # logs every query string
    notices: list[str] = []

    notices += client(data_dir, mock_http(*FIRST_SEARCH), clock).search(QUERY_1).notices
    clock.advance(hours=7)
    notices += client(data_dir, mock_http(*SERVER_DOWN), clock).search(QUERY_1).notices
    notices += client(data_dir, mock_http((400, "error_key_invalid")), clock).search(QUERY_1).notices
    notices += client(data_dir, mock_http((403, "error_quota_exceeded")), clock).search(["matrices"]).notices
    notices += client(data_dir, mock_http(), clock).search(["determinants"]).notices

    assert len(notices) == 4
    assert any("key=REDACTED" in r.getMessage() for r in caplog.records)  # URIs were logged, redacted
    assert KEY not in caplog.text
    assert all(KEY not in r.getMessage() for r in caplog.records)
    assert all(KEY not in n for n in notices)
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files
    assert all(KEY.encode() not in p.read_bytes() for p in files)


def test_per_query_out_of_range_is_a_usage_error(data_dir: Path, clock: Clock):
    from tools.errors import ClipwiseError

    with pytest.raises(ClipwiseError):
        client(data_dir, mock_http(), clock).search(QUERY_1, per_query=51)
