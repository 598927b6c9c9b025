"""Local catalog first, YouTube to fill up: what a user sees in chat with YOUTUBE_API_KEY set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import NEEDS_MODEL
from googleapiclient.http import HttpMockSequence
from youtube_transcript_api import FetchedTranscript, FetchedTranscriptSnippet, TranscriptsDisabled

from agent.session import Session
from agent.settings import Settings
from agent.sources import open_from_settings
from tools.errors import ClipwiseError
from tools.youtube.youtube_config import YouTubeSettings

KEY = "AIzaSy-clipwise-TEST-key-0042"
ORIGAMI = {  # invented videos: id -> (title, channel, ISO-8601 duration)
    "oriCrane001": ("Origami crane, step by step for beginners", "Paper Fold Studio", "PT8M10S"),
    "oriFrog0002": ("Jumping origami frog from one square of paper", "Paper Fold Studio", "PT6M2S"),
    "oriBox00003": ("Origami box with a lid: a modular fold", "Crease Pattern Club", "PT1H2M3S"),
}


def search_body(ids: list[str]) -> str:
    return json.dumps({"kind": "youtube#searchListResponse", "pageInfo": {"totalResults": len(ids), "resultsPerPage": 25},
                       "items": [{"kind": "youtube#searchResult", "id": {"kind": "youtube#video", "videoId": i}} for i in ids]})


def videos_body(ids: list[str]) -> str:
    items = []
    for n, vid in enumerate(ids):
        title, channel, duration = ORIGAMI[vid]
        items.append({
            "kind": "youtube#video", "id": vid,
            "snippet": {"publishedAt": "2024-05-0%dT10:00:00Z" % (n + 1), "channelId": f"UC{n}", "title": title,
                        "description": f"{title}. Fold along with me.", "channelTitle": channel, "tags": ["origami", "paper"],
                        "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{vid}/default.jpg"},
                                       "high": {"url": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg"}},
                        "defaultAudioLanguage": "en"},
            "contentDetails": {"duration": duration},
            "statistics": {"viewCount": str(1000 * (n + 1))},
        })
    return json.dumps({"kind": "youtube#videoListResponse", "items": items})


QUOTA_EXCEEDED = json.dumps({"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
                                       "errors": [{"message": "quota", "domain": "youtube.quota", "reason": "quotaExceeded"}]}})


class Transcripts:
    """youtube-transcript-api's `list()` answer for our invented videos: the crane has captions whose
    middle part is the folding, the frog's uploader turned captions off. Raises the library's own errors."""

    def __init__(self):
        self.calls: list[str] = []

    def list(self, video_id: str):
        self.calls.append(video_id)
        if video_id != "oriCrane001":
            raise TranscriptsDisabled(video_id)
        lines = ["welcome back to the channel"] * 6 + ["now fold the square in half to make a triangle crease"] * 6 \
            + ["then squash fold the flap to start the origami crane base"] * 6 + ["thanks for watching and subscribe"] * 4
        snippets = [FetchedTranscriptSnippet(text=t, start=10.0 * i, duration=10.0) for i, t in enumerate(lines)]
        fetched = FetchedTranscript(snippets=snippets, video_id=video_id, language="English", language_code="en",
                                    is_generated=False)
        track = type("Track", (), {"fetch": lambda self: fetched})()
        return type("Tracks", (), {"find_manually_created_transcript": lambda self, langs: track})()


def open_session(data_dir: Path, http, transcripts=None, **youtube) -> Session:
    settings = Settings(data_dir=data_dir)
    lib = open_from_settings(settings, YouTubeSettings(api_key=KEY, **youtube), http=http,
                             transcript_api=transcripts or Transcripts())
    return Session(lib, data_dir)


@pytest.mark.slow
def test_without_a_key_only_the_local_catalog_answers(data_dir: Path):
    lib = open_from_settings(Settings(data_dir=data_dir), YouTubeSettings())
    assert len(lib.sources) == 1 and len(lib.catalog) == 40
    with pytest.raises(ClipwiseError, match="YOUTUBE_API_KEY"):
        open_from_settings(Settings(data_dir=data_dir, sources="youtube"), YouTubeSettings())


@pytest.mark.slow
def test_youtube_fills_up_a_request_the_local_catalog_cannot_answer(data_dir: Path):
    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids))])
    transcripts = Transcripts()
    session = open_session(data_dir, http, transcripts)
    turn = session.ask("videos about origami", user="u")
    by_id = {r["video_id"]: r for r in turn.results}
    assert set(ids) <= set(by_id), turn.reply
    assert all(by_id[v]["matched_by"] == "request" for v in ids)
    crane = by_id["oriCrane001"]
    # The transcript names origami from 120 s to 180 s (lines of 10 s); the clip opens there.
    assert crane["clip"] and 120 <= crane["clip"]["start"] < 180, crane["clip"]
    assert "origami crane" in crane["clip"]["quote"]
    assert crane["url"] == f"https://www.youtube.com/watch?v=oriCrane001&t={int(crane['clip']['start'])}s"
    assert crane["thumbnail_url"] == "https://i.ytimg.com/vi/oriCrane001/hqdefault.jpg"
    assert crane["duration_s"] == 490
    assert "searched YouTube: 3 new videos" in turn.reply
    frog = [r["video_id"] for r in turn.results].index("oriFrog0002") + 1
    why = session.ask(f"why #{frog}", user="u")
    assert "the uploader turned captions off" in why.reply
    session.close()


@pytest.mark.slow
def test_found_videos_survive_a_restart_and_cost_no_second_search(data_dir: Path):
    ids = list(ORIGAMI)
    first = open_session(data_dir, HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids))]))
    first.ask("videos about origami", user="u")
    first.close()
    # A new process: the sequence is empty, so any request to YouTube would fail the test.
    again = open_session(data_dir, HttpMockSequence([]))
    assert set(ids) <= set(again.lib.catalog.videos)
    turn = again.ask("videos about origami", user="v")
    assert set(ids) <= {r["video_id"] for r in turn.results}
    assert (data_dir / "youtube-transcripts" / "oriCrane001.json").exists()
    again.close()


@pytest.mark.slow
def test_limits_apply_to_youtube_videos_and_are_sent_to_search(data_dir: Path):
    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids))])
    session = open_session(data_dir, http)
    session.ask("nothing over 20 minutes", user="u")
    turn = session.ask("videos about origami", user="u")
    shown = {r["video_id"] for r in turn.results}
    assert "oriBox00003" not in shown and "oriCrane001" in shown
    session.close()


@pytest.mark.slow
def test_quota_exceeded_tells_the_user_and_answers_from_the_local_catalog(data_dir: Path):
    http = HttpMockSequence([({"status": "403"}, QUOTA_EXCEEDED)])
    session = open_session(data_dir, http)
    turn = session.ask("videos about origami", user="u")
    assert "quota" in turn.reply.lower()
    assert all(r["video_id"].startswith("demo-") for r in turn.results)
    # The day's budget is now marked spent: the next turn makes no request (the sequence is empty).
    turn = session.ask("videos about paper folding", user="u")
    assert "quota" in turn.reply.lower()
    session.close()


@pytest.mark.slow
def test_the_key_is_never_written_anywhere(data_dir: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level("DEBUG")
    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids)),
                             ({"status": "403"}, QUOTA_EXCEEDED)])
    session = open_session(data_dir, http)
    replies = [session.ask(t, user="u").reply for t in ("videos about origami", "why #1", "videos about kirigami")]
    session.close()
    assert KEY not in "\n".join(replies) + caplog.text
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), f"the API key was written to {path}"


def test_index_from_youtube_keeps_a_catalog_that_works_offline(data_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    from typer.testing import CliRunner

    import tools.youtube.backend
    import tools.youtube.captions
    from agent.cli.main import app

    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids))])
    # The command builds its own HTTP client and transcript client: put the library's test doubles there.
    monkeypatch.setattr(tools.youtube.backend.httplib2, "Http", lambda timeout=None: http)
    monkeypatch.setattr(tools.youtube.captions, "YouTubeTranscriptApi", lambda **options: Transcripts())
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
    out = tmp_path / "origami.jsonl"
    result = CliRunner().invoke(app, ["index", "--youtube", "origami", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 videos" in result.output and "1 transcripts" in result.output
    assert [json.loads(line)["video_id"] for line in out.read_text().splitlines()] == ids
    assert (tmp_path / "origami-transcripts" / "oriCrane001.json").exists()
    monkeypatch.delenv("YOUTUBE_API_KEY")
    offline = CliRunner().invoke(app, ["recommend", "origami crane", "--catalog", str(out), "--transcripts",
                                       str(tmp_path / "origami-transcripts"), "--json", "--data-dir", str(tmp_path / "d2")])
    assert offline.exit_code == 0, offline.output
    first = json.loads(offline.stdout)[0]
    assert first["video_id"] == "oriCrane001" and first["clip"] is not None
    assert KEY not in out.read_text()


def test_youtube_only_starts_empty_and_fills_from_search(data_dir: Path):
    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids))])
    settings = Settings(data_dir=data_dir, sources="youtube")
    lib = open_from_settings(settings, YouTubeSettings(api_key=KEY), http=http, transcript_api=Transcripts())
    assert len(lib.catalog) == 0
    session = Session(lib, data_dir)
    turn = session.ask("videos about origami", user="u")
    assert sorted(r["video_id"] for r in turn.results) == sorted(ids)
    session.close()


@pytest.mark.slow
def test_the_quota_notice_reaches_the_user_whatever_the_llm_writes(data_dir: Path):
    from test_llm_controller import ScriptedChatModel, act, call

    from agent.llm.llm_controller import make_llm_controller

    fake = ScriptedChatModel().enqueue(act(call("recommend", request="origami")),
                                       act(text="Here are some origami videos."))
    settings = Settings(data_dir=data_dir)
    lib = open_from_settings(settings, YouTubeSettings(api_key=KEY), http=HttpMockSequence([({"status": "403"}, QUOTA_EXCEEDED)]),
                             transcript_api=Transcripts())
    session = Session(lib, data_dir, controller=make_llm_controller(fake, model_name="gpt-4.1-mini"))
    turn = session.ask("some origami please", user="u")
    assert turn.reply.startswith("Here are some origami videos.")
    assert "note: YouTube says the daily quota" in turn.reply
    session.close()


@pytest.mark.slow
def test_an_unreadable_caption_track_costs_the_clip_not_the_list(data_dir: Path):
    from xml.etree.ElementTree import ParseError

    class EmptyCaptions(Transcripts):
        def list(self, video_id: str):
            raise ParseError("no element found: line 1, column 0")  # what an empty timedtext body gives

    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, search_body(ids)), ({"status": "200"}, videos_body(ids))])
    session = open_session(data_dir, http, EmptyCaptions())
    turn = session.ask("videos about origami", user="u")
    assert set(ids) <= {r["video_id"] for r in turn.results}
    first = [r["video_id"] for r in turn.results].index(ids[0]) + 1
    assert "could not be read" in session.ask(f"why #{first}", user="u").reply
    session.close()


@pytest.mark.slow
@NEEDS_MODEL  # without the model nothing is embedded, so nothing can fail half-way
def test_a_failed_embedding_leaves_the_library_as_it_was(data_dir: Path):
    from tools.catalog.video import Video

    lib = open_from_settings(Settings(data_dir=data_dir), YouTubeSettings())
    before = (list(lib.ids), lib.matrix.shape)

    class Broken:
        def embed(self, texts):
            raise RuntimeError("onnxruntime: out of memory")

    model, lib.embedder = lib.embedder, Broken()
    with pytest.raises(RuntimeError):
        lib.add_videos([Video(video_id="oriCrane001", title="Origami crane", source="youtube")])
    lib.embedder = model
    assert (list(lib.ids), lib.matrix.shape) == before
    assert lib.add_videos([Video(video_id="oriCrane001", title="Origami crane", source="youtube")]) == ["oriCrane001"]
    assert lib.matrix.shape[0] == len(lib.ids) == before[1][0] + 1


def liked_csv(folder: Path, ids: list[str]) -> Path:
    """Takeout's playlists/Liked videos.csv: video ids and when they were liked, no titles."""
    path = folder / "Liked videos.csv"
    path.write_text("Video ID,Playlist Video Creation Timestamp\n"
                    + "".join(f"{v},2024-03-0{n + 1}T18:22:11+00:00\n" for n, v in enumerate(ids)), encoding="utf-8")
    return path


@pytest.mark.slow
def test_liked_videos_alone_take_their_titles_from_youtube(data_dir: Path, tmp_path: Path):
    from tools.imports.importer import import_export

    ids = list(ORIGAMI)
    http = HttpMockSequence([({"status": "200"}, videos_body(ids))])
    lib = open_from_settings(Settings(data_dir=data_dir), YouTubeSettings(api_key=KEY), http=http,
                             transcript_api=Transcripts())
    report = import_export(lib, "u", liked_csv(tmp_path, ids))
    assert [i.name for i in report.interests] == ["origami"]
    assert {e.quote for e in lib.users.find_interest("u", "origami").evidence} == {t for t, _, _ in ORIGAMI.values()}


@pytest.mark.slow
def test_liked_videos_without_a_key_say_why_nothing_was_found(data_dir: Path, tmp_path: Path):
    from tools.imports.importer import import_export

    lib = open_from_settings(Settings(data_dir=data_dir), YouTubeSettings())
    report = import_export(lib, "u", liked_csv(tmp_path, list(ORIGAMI)))
    assert report.interests == []
    assert "3 videos whose title is unknown (not in the catalog; set YOUTUBE_API_KEY" in report.text()
