"""Transcripts through youtube-transcript-api: files the catalog reads, and failures as short reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests
from youtube_transcript_api import (
    AgeRestricted,
    IpBlocked,
    RequestBlocked,
    TranscriptList,
    TranscriptsDisabled,
    VideoUnavailable,
    VideoUnplayable,
)
from youtube_transcript_api.proxies import GenericProxyConfig

from tools.catalog.transcript_files import read_transcript
from tools.youtube.cache import CACHE_DIR, ResponseCache
from tools.youtube.captions import TranscriptFetcher, proxy_config_from_settings

VIDEO = "vidAlpha001"
BLOCKED = "YouTube blocked the transcript request from this network"


def timedtext(label: str) -> str:
    """A caption track body as YouTube serves it (timedtext XML)."""
    return (
        '<?xml version="1.0" encoding="utf-8" ?><transcript>'
        f'<text start="0.0" dur="2.5">{label} line one</text>'
        f'<text start="2.5" dur="3.25">{label} line two &amp;amp; more</text>'
        '<text start="6.0" dur="1.0"></text>'
        "</transcript>"
    )


class FakeResponse:
    status_code = 200

    def __init__(self, text: str):
        self.text = text

    def raise_for_status(self) -> None:
        pass


class FakeSession:
    """Stands in for requests.Session: the caption URL names the track."""

    def get(self, url: str) -> FakeResponse:
        return FakeResponse(timedtext(url.rsplit("/", 1)[-1]))


def captions(manual: tuple[str, ...] = (), generated: tuple[str, ...] = ()) -> dict:
    """The captions JSON the library builds a TranscriptList from."""
    def track(code: str, kind: str) -> dict:
        entry = {"baseUrl": f"https://captions.test/{kind}-{code}", "name": {"runs": [{"text": code}]},
                 "languageCode": code}
        return entry | ({"kind": "asr"} if kind == "generated" else {})

    return {"captionTracks": [track(c, "manual") for c in manual] + [track(c, "generated") for c in generated]}


class FakeApi:
    """YouTubeTranscriptApi's list(), answering from a table: captions JSON or an exception to raise."""

    def __init__(self, answers: dict[str, object]):
        self.answers = answers
        self.calls: list[str] = []

    def list(self, video_id: str) -> TranscriptList:
        self.calls.append(video_id)
        answer = self.answers[video_id]
        if isinstance(answer, Exception):
            raise answer
        return TranscriptList.build(FakeSession(), video_id, answer)


class Clock:
    def __init__(self):
        self.now = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now


def fetcher(data_dir: Path, api: FakeApi, clock: Clock | None = None, **options) -> TranscriptFetcher:
    cache = ResponseCache(data_dir / CACHE_DIR, clock or Clock())
    return TranscriptFetcher(data_dir, api=api, cache=cache, **options)


def test_fetch_writes_a_file_the_catalog_reads(data_dir: Path):
    result = fetcher(data_dir, FakeApi({VIDEO: captions(manual=("en",))})).fetch(VIDEO)

    assert result.reason is None
    assert result.path == data_dir / "youtube-transcripts" / f"{VIDEO}.json"
    segments = read_transcript(result.path)
    assert [(s.start, s.duration, s.text) for s in segments] == [
        (0.0, 2.5, "manual-en line one"),
        (2.5, 3.25, "manual-en line two & more"),
    ]
    assert [p.name for p in result.path.parent.iterdir()] == [f"{VIDEO}.json"]  # no temp file left


def test_manual_captions_are_preferred_over_generated(data_dir: Path):
    api = FakeApi({VIDEO: captions(manual=("en",), generated=("en",)), "vidBravo002": captions(generated=("en",))})
    fetch = fetcher(data_dir, api).fetch

    assert read_transcript(fetch(VIDEO).path)[0].text == "manual-en line one"
    assert read_transcript(fetch("vidBravo002").path)[0].text == "generated-en line one"


def test_manual_in_a_later_language_beats_generated_in_the_first(data_dir: Path):
    api = FakeApi({VIDEO: captions(manual=("en",), generated=("de",))})
    result = fetcher(data_dir, api, languages=("de", "en")).fetch(VIDEO)
    assert read_transcript(result.path)[0].text == "manual-en line one"


def test_second_fetch_reads_the_file(data_dir: Path):
    api = FakeApi({VIDEO: captions(manual=("en",))})
    first = fetcher(data_dir, api).fetch(VIDEO)
    again = fetcher(data_dir, api).fetch(VIDEO)  # a new fetcher, as after a restart

    assert again == first and api.calls == [VIDEO]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (TranscriptsDisabled(VIDEO), "the uploader turned captions off"),
        (captions(manual=("fr",), generated=("fr",)), "no captions in en"),
        (VideoUnavailable(VIDEO), "the video is unavailable"),
        (RequestBlocked(VIDEO), BLOCKED),
        (IpBlocked(VIDEO), BLOCKED),
        (AgeRestricted(VIDEO), "age restricted"),
        (VideoUnplayable(VIDEO, "Private video", []), "video unplayable"),
    ],
)
def test_failures_become_short_reasons(data_dir: Path, answer, reason):
    result = fetcher(data_dir, FakeApi({VIDEO: answer})).fetch(VIDEO)
    assert result.path is None and result.reason == reason
    assert not (data_dir / "youtube-transcripts" / f"{VIDEO}.json").exists()


def test_failures_are_remembered(data_dir: Path):
    api = FakeApi({VIDEO: TranscriptsDisabled(VIDEO)})
    clock = Clock()
    fetcher(data_dir, api, clock).fetch(VIDEO)
    clock.now += dt.timedelta(hours=2)
    again = fetcher(data_dir, api, clock).fetch(VIDEO)

    assert again.reason == "the uploader turned captions off" and api.calls == [VIDEO]


def test_blocked_is_remembered_for_an_hour_only(data_dir: Path):
    api = FakeApi({VIDEO: RequestBlocked(VIDEO)})
    clock = Clock()
    fetch = fetcher(data_dir, api, clock).fetch

    fetch(VIDEO)
    clock.now += dt.timedelta(minutes=30)
    assert fetch(VIDEO).reason == BLOCKED and api.calls == [VIDEO]

    clock.now += dt.timedelta(minutes=31)
    api.answers[VIDEO] = captions(manual=("en",))
    assert fetch(VIDEO).path is not None and api.calls == [VIDEO, VIDEO]


def test_offline_is_not_remembered(data_dir: Path):
    api = FakeApi({VIDEO: requests.ConnectionError("no route to host")})
    fetch = fetcher(data_dir, api).fetch

    assert fetch(VIDEO).reason == "YouTube could not be reached for the transcript"
    fetch(VIDEO)
    assert api.calls == [VIDEO, VIDEO]


def test_a_path_is_not_a_video_id(data_dir: Path):
    api = FakeApi({})
    result = fetcher(data_dir, api).fetch("../../etc/passwd")
    assert result.path is None and result.reason and api.calls == []


def test_proxy_config_from_settings():
    assert proxy_config_from_settings(None, "") is None
    only_http = proxy_config_from_settings("http://proxy.test:3128", None)
    assert isinstance(only_http, GenericProxyConfig)
    assert only_http.to_requests_dict() == {"http": "http://proxy.test:3128", "https": "http://proxy.test:3128"}
    both = proxy_config_from_settings("http://a.test:1", "http://b.test:2")
    assert both.to_requests_dict() == {"http": "http://a.test:1", "https": "http://b.test:2"}


def test_default_api_is_the_library(data_dir: Path):
    from youtube_transcript_api import YouTubeTranscriptApi

    proxied = TranscriptFetcher(data_dir, proxy_config=proxy_config_from_settings("http://proxy.test:3128", None))
    assert isinstance(proxied.api, YouTubeTranscriptApi)
