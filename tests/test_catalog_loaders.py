"""Catalog and transcript loading: good files load, bad ones say which file, line and field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tools.catalog.store import load_catalog
from tools.catalog.transcript_files import read_transcript
from tools.errors import CatalogError, TranscriptError

GOOD_LINES = [
    {"video_id": "vid-a", "title": "Vectors from scratch", "channel": "Chan A", "description": "arrows",
     "tags": ["math", "vectors"], "duration_s": 540.4, "published_at": "2019-03-14T10:00:00Z",
     "view_count": 12, "thumbnail_url": None, "extra_field": "ignored"},
    {"video_id": "vid-b", "title": "Sourdough", "duration_s": None, "published_at": None},
]


def write_jsonl(path: Path, lines: list) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


# -- JSONL ------------------------------------------------------------------------------

def test_jsonl_catalog_loads_every_video_with_typed_fields(tmp_path):
    catalog = load_catalog(write_jsonl(tmp_path / "c.jsonl", GOOD_LINES))

    assert list(catalog.videos) == ["vid-a", "vid-b"]
    a, b = catalog.get("vid-a"), catalog.get("vid-b")
    assert (a.title, a.channel, a.tags) == ("Vectors from scratch", "Chan A", ("math", "vectors"))
    assert a.duration_s == 540 and a.published_at == dt.date(2019, 3, 14) and a.view_count == 12
    assert b.duration_s is None and b.published_at is None and b.channel == ""
    assert catalog.transcript("vid-a") is None


def test_demo_catalog_is_the_default(tmp_path):
    catalog = load_catalog()
    assert len(catalog) == 40
    assert len(catalog.transcript_paths) == 28
    assert catalog.get("demo-linal1").channel == "Vector Lane"


def test_malformed_json_line_is_skipped_and_named_with_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "broken.jsonl", [GOOD_LINES[0], GOOD_LINES[1], '{"video_id": "c", "title": '])

    catalog = load_catalog(path)

    assert list(catalog.videos) == ["vid-a", "vid-b"]
    [problem] = catalog.load_report.skipped
    assert str(path) in problem and "line 3" in problem and "invalid JSON" in problem


def test_bad_field_is_skipped_and_named_with_line_and_field(tmp_path):
    bad = dict(GOOD_LINES[1], video_id="vid-c", duration_s="abc")
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD_LINES[0], bad])

    catalog = load_catalog(path)

    assert list(catalog.videos) == ["vid-a"]
    [problem] = catalog.load_report.skipped
    assert str(path) in problem and "line 2" in problem and "'duration_s'" in problem


def test_record_that_is_not_an_object_is_skipped_naming_its_line(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD_LINES[0], "[1, 2, 3]"])

    catalog = load_catalog(path)

    assert list(catalog.videos) == ["vid-a"]
    assert "line 2" in catalog.load_report.skipped[0]


def test_duplicate_id_keeps_the_first_and_names_the_second_line(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [GOOD_LINES[0], GOOD_LINES[1], dict(GOOD_LINES[1], title="Again")])

    catalog = load_catalog(path)

    assert catalog.get("vid-b").title == "Sourdough"
    [problem] = catalog.load_report.skipped
    assert "line 3" in problem and "vid-b" in problem


def test_catalog_of_only_bad_lines_is_an_error_giving_the_reasons(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", ["[1]", '{"video_id": "x"}'])

    with pytest.raises(CatalogError) as err:
        load_catalog(path)

    message = str(err.value)
    assert "no usable videos" in message and "line 1" in message and "line 2: field 'title'" in message


@pytest.mark.parametrize("content", ["", "\n\n   \n"], ids=["empty", "blank-lines"])
def test_empty_catalog_is_an_error_not_an_empty_recommender(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CatalogError, match="no videos"):
        load_catalog(path)


@pytest.mark.parametrize(
    "raw",
    [b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00", '{"video_id": "a", "title": "Caf\xe9"}\n'.encode("latin-1")],
    ids=["binary", "latin-1"],
)
def test_non_utf8_file_is_a_catalog_error_naming_the_file(tmp_path, raw):
    path = tmp_path / "weird.jsonl"
    path.write_bytes(raw)

    with pytest.raises(CatalogError) as err:
        load_catalog(path)

    assert str(path) in str(err.value) and "UTF-8" in str(err.value)


def test_missing_catalog_path_says_what_to_give(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog(tmp_path / "nope.jsonl")


# -- transcript folder ------------------------------------------------------------------

def test_transcript_folder_attaches_only_catalog_videos(tmp_path):
    catalog_file = write_jsonl(tmp_path / "c.jsonl", GOOD_LINES)
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "vid-a.json").write_text(json.dumps([{"start": 1.5, "duration": 2.0, "text": "arrows"}]))
    (folder / "not-in-catalog.json").write_text("[]")

    catalog = load_catalog(catalog_file, folder)

    assert set(catalog.transcript_paths) == {"vid-a"}
    assert [s.text for s in catalog.transcript("vid-a")] == ["arrows"]
    assert catalog.transcript("vid-b") is None


def test_missing_transcript_folder_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError, match="transcript folder not found"):
        load_catalog(write_jsonl(tmp_path / "c.jsonl", GOOD_LINES), tmp_path / "nowhere")


# -- yt-dlp folder ----------------------------------------------------------------------

# YouTube auto-captions: each cue opens with the previous line (or a line holding one space),
# word timings sit in <c> tags, and 10 ms cues repeat the line just said.
VTT = "\n".join([
    "WEBVTT",
    "Kind: captions",
    "Language: en",
    "",
    "00:00:00.000 --> 00:00:02.310 align:start position:0%",
    " ",
    "hello<00:00:00.320><c> everyone</c><00:00:00.640><c> welcome</c>",
    "",
    "00:00:02.310 --> 00:00:02.320 align:start position:0%",
    "hello everyone welcome",
    " ",
    "",
    "00:00:02.320 --> 00:00:05.110 align:start position:0%",
    "hello everyone welcome",
    "to<00:00:02.560><c> the</c><00:00:02.800><c> channel</c>",
    "",
    "00:00:05.110 --> 00:00:05.120 align:start position:0%",
    "to the channel",
    " ",
    "",
    "00:00:05.120 --> 00:00:08.000 align:start position:0%",
    "to the channel",
    "today<00:00:05.500><c> we</c><c> talk</c><c> eigenvalues</c>",
    "",
])

JSON3 = {
    "wireMagic": "pb3",
    "events": [
        {"tStartMs": 0, "dDurationMs": 4000, "id": 1, "wpWinPosId": 1, "wsWinStyleId": 1},
        {"tStartMs": 120, "dDurationMs": 2500, "wWinId": 1,
         "segs": [{"utf8": "hello"}, {"utf8": " everyone", "tOffsetMs": 320}]},
        {"tStartMs": 2620, "dDurationMs": 10, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\n"}]},
        {"tStartMs": 2630, "dDurationMs": 3000, "wWinId": 1,
         "segs": [{"utf8": "today"}, {"utf8": " eigenvalues", "tOffsetMs": 400}]},
    ],
}


def info(video_id: str, title: str | None = "A video", **extra) -> dict:
    record = {"id": video_id, "title": title, "channel": "Yt Chan", "duration": 95.6, "upload_date": "20230405",
              "tags": ["math"], "view_count": 10, "description": "desc", "webpage_url": f"https://x/{video_id}"}
    record.update(extra)
    return {k: v for k, v in record.items() if v is not None}


def write_info(folder: Path, base: str, record: dict) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{base}.info.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_ytdlp_folder_loads_videos_and_a_subtitle_beside_each(tmp_path):
    folder = tmp_path / "yt"
    write_info(folder, "vid00000001", info("vid00000001", "First"))
    (folder / "vid00000001.en.vtt").write_text(VTT, encoding="utf-8")
    (folder / "vid00000001.en.json3").write_text(json.dumps(JSON3), encoding="utf-8")
    write_info(folder, "vid00000002", info("vid00000002", "Second", upload_date=None, duration=None))

    catalog = load_catalog(folder)

    assert set(catalog.videos) == {"vid00000001", "vid00000002"}
    first, second = catalog.get("vid00000001"), catalog.get("vid00000002")
    assert (first.title, first.channel, first.duration_s) == ("First", "Yt Chan", 96)
    assert first.published_at == dt.date(2023, 4, 5)
    assert second.published_at is None and second.duration_s is None
    assert catalog.transcript_paths["vid00000001"].name in {"vid00000001.en.vtt", "vid00000001.en.json3"}
    text = " ".join(s.text for s in catalog.transcript("vid00000001"))
    assert "hello everyone" in text and "eigenvalues" in text
    assert catalog.transcript("vid00000002") is None


def test_ytdlp_uploader_stands_in_for_a_missing_channel(tmp_path):
    folder = tmp_path / "yt"
    write_info(folder, "vid00000001", info("vid00000001", channel=None, uploader="Uploader Name"))

    assert load_catalog(folder).get("vid00000001").channel == "Uploader Name"


def test_ytdlp_default_file_names_still_find_their_subtitles(tmp_path):
    """yt-dlp's default output template is '%(title)s [%(id)s].%(ext)s': the brackets are literal."""
    folder = tmp_path / "yt"
    base = "Eigenvalues, visually [abc123def45]"
    write_info(folder, base, info("abc123def45", "Eigenvalues, visually"))
    (folder / f"{base}.en.vtt").write_text(VTT, encoding="utf-8")

    catalog = load_catalog(folder)

    assert catalog.has_transcript("abc123def45")
    assert any("eigenvalues" in s.text for s in catalog.transcript("abc123def45"))


def test_ytdlp_playlist_metafile_is_not_a_video(tmp_path):
    """`--write-info-json` on a playlist also writes the playlist's own .info.json (_type: playlist)."""
    folder = tmp_path / "yt"
    write_info(folder, "vid00000001", info("vid00000001", "First"))
    write_info(folder, "Essence of linear algebra [PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab]",
               {"_type": "playlist", "id": "PLZHQObOWTQDPD3MizzM2xVFitgF8hE_ab", "title": "Essence of linear algebra",
                "channel": "Yt Chan", "playlist_count": 16})

    catalog = load_catalog(folder)

    assert list(catalog.videos) == ["vid00000001"]


def test_ytdlp_missing_title_names_file_and_field(tmp_path):
    folder = tmp_path / "yt"
    path = write_info(folder, "vid00000001", info("vid00000001", title=None))

    with pytest.raises(CatalogError) as err:
        load_catalog(folder)

    assert str(path) in str(err.value) and "'title'" in str(err.value)


def test_ytdlp_bad_upload_date_names_the_field(tmp_path):
    folder = tmp_path / "yt"
    write_info(folder, "vid00000001", info("vid00000001", upload_date="2023-04-05"))

    with pytest.raises(CatalogError, match="'upload_date'"):
        load_catalog(folder)


def test_ytdlp_invalid_json_names_the_file(tmp_path):
    folder = tmp_path / "yt"
    folder.mkdir()
    path = folder / "vid00000001.info.json"
    path.write_text('{"id": "vid00000001", ', encoding="utf-8")

    with pytest.raises(CatalogError) as err:
        load_catalog(folder)

    assert str(path) in str(err.value)


def test_ytdlp_folder_without_info_files_is_an_empty_catalog_error(tmp_path):
    (tmp_path / "yt").mkdir()
    with pytest.raises(CatalogError, match="no videos"):
        load_catalog(tmp_path / "yt")


# -- transcript files -------------------------------------------------------------------

def test_read_json_transcript_in_time_order_without_blank_lines(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([
        {"start": 5.0, "duration": 2.0, "text": "second"},
        {"start": 1.25, "duration": 3.0, "text": "first"},
        {"start": 9.0, "duration": 1.0, "text": "   "},
    ]))

    segments = read_transcript(path)

    assert [(s.start, s.end, s.text) for s in segments] == [(1.25, 4.25, "first"), (5.0, 7.0, "second")]


def test_read_auto_caption_vtt_drops_repeated_lines_and_inline_tags(tmp_path):
    path = tmp_path / "t.en.vtt"
    path.write_text(VTT, encoding="utf-8")

    texts = [s.text for s in read_transcript(path)]

    assert texts == ["hello everyone welcome", "to the channel", "today we talk eigenvalues"]


def test_read_vtt_keeps_the_milliseconds_of_cue_times(tmp_path):
    path = tmp_path / "t.en.vtt"
    path.write_text(VTT, encoding="utf-8")

    segments = read_transcript(path)

    assert [s.start for s in segments] == pytest.approx([0.0, 2.32, 5.12])
    assert segments[0].end == pytest.approx(2.31)


def test_read_vtt_unescapes_character_references(tmp_path):
    """WebVTT escapes &, < and > in cue text; YouTube captions use '&gt;&gt;' for a new speaker."""
    path = tmp_path / "t.en.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n&gt;&gt; salt &amp; pepper\n", encoding="utf-8")

    assert [s.text for s in read_transcript(path)] == [">> salt & pepper"]


def test_read_json3_subtitles(tmp_path):
    path = tmp_path / "t.en.json3"
    path.write_text(json.dumps(JSON3), encoding="utf-8")

    segments = read_transcript(path)

    assert [(s.start, s.text) for s in segments] == [(0.12, "hello everyone"), (2.63, "today eigenvalues")]
    assert segments[0].duration == pytest.approx(2.5)


@pytest.mark.parametrize(
    "name, content",
    [
        ("bad.json", "{not json"),
        ("shape.json", json.dumps({"start": 0, "text": "a dict, not a list"})),
        ("fields.json", json.dumps([{"begin": 0, "words": "wrong keys"}])),
        ("negative.json", json.dumps([{"start": -4, "duration": 1, "text": "before the start"}])),
        ("bad.json3", json.dumps({"no": "events"})),
        ("bad.vtt", "this is not a WebVTT file\n"),
        ("latin.json", None),
    ],
)
def test_unreadable_transcript_is_a_transcript_error_naming_the_file(tmp_path, name, content):
    path = tmp_path / name
    if content is None:
        path.write_bytes('[{"start": 0, "text": "caf\xe9"}]'.encode("latin-1"))
    else:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(TranscriptError) as err:
        read_transcript(path)

    assert str(path) in str(err.value)


def test_missing_transcript_file_is_a_transcript_error(tmp_path):
    with pytest.raises(TranscriptError):
        read_transcript(tmp_path / "gone.json")


def test_catalog_reports_an_unreadable_transcript_as_transcript_error(tmp_path):
    catalog_file = write_jsonl(tmp_path / "c.jsonl", GOOD_LINES)
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "vid-a.json").write_text("[{", encoding="utf-8")

    catalog = load_catalog(catalog_file, folder)

    with pytest.raises(TranscriptError, match="vid-a.json"):
        catalog.transcript("vid-a")
