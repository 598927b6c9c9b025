"""Hostile catalogs and transcripts: refused or tidied with file, line and field named, never a traceback."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.catalog.jsonl import read_jsonl
from tools.catalog.store import load_catalog
from tools.catalog.transcript_files import read_transcript
from tools.catalog.windows import cut_windows
from tools.errors import CatalogError, TranscriptError
from tools.limits import limits

GOOD = {"video_id": "good-1", "title": "Eigenvalues, visually", "channel": "Vector Lane"}


def catalog_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([json.dumps(GOOD), *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line, field", [
    ('{"video_id": "b", "title": "t", "duration_s": NaN}', "duration_s"),
    ('{"video_id": "b", "title": "t", "view_count": Infinity}', "view_count"),
    ('{"video_id": "b", "title": "t", "duration_s": -Infinity}', "duration_s"),
    ('{"video_id": "b", "title": "t", "duration_s": 1e999}', "duration_s"),
    ('{"video_id": "b", "title": "t", "view_count": ' + "9" * 400 + "}", "view_count"),
    ('{"video_id": "b", "title": "t", "duration_s": 1e308}', "duration_s"),
])
def test_nan_infinity_and_huge_numbers_skip_the_line_naming_the_field(tmp_path, line, field):
    catalog = load_catalog(catalog_file(tmp_path, line))

    assert list(catalog.videos) == ["good-1"]
    [problem] = catalog.load_report.skipped
    assert "line 2" in problem and f"'{field}'" in problem


def test_deeply_nested_line_is_refused_without_recursion_error(tmp_path):
    catalog = load_catalog(catalog_file(tmp_path, '{"video_id": "b", "title": "t", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}"))

    assert list(catalog.videos) == ["good-1"]
    assert "nested deeper" in catalog.load_report.skipped[0] and "line 2" in catalog.load_report.skipped[0]


def test_line_over_the_byte_limit_is_skipped_and_the_rest_loads(tmp_path):
    huge = json.dumps({"video_id": "huge", "title": "x" * (limits().max_catalog_line_bytes + 10)})
    catalog = load_catalog(catalog_file(tmp_path, huge, json.dumps(dict(GOOD, video_id="good-2"))))

    assert list(catalog.videos) == ["good-1", "good-2"]
    assert "line 2" in catalog.load_report.skipped[0] and "CLIPWISE_MAX_CATALOG_LINE_BYTES" in catalog.load_report.skipped[0]


def test_sixty_megabyte_title_line_is_skipped(tmp_path):
    """Peak memory of this load, and of the other hostile files, is printed by evals/hostile_data_rss.py."""
    path = catalog_file(tmp_path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"video_id": "huge", "title": "' + "x" * (60 << 20) + '"}\n')

    catalog = load_catalog(path)

    assert list(catalog.videos) == ["good-1"] and "line 2" in catalog.load_report.skipped[0]


def test_index_build_skips_bad_transcripts_and_lines_reports_them_and_still_answers(tmp_path, data_dir):
    from tools.catalog.indexer import index_transcripts
    from tools.library import build_index, open_library
    from tools.ranking import Request, recommend

    second = dict(GOOD, video_id="good-2", title="Sourdough bread at home")
    path = catalog_file(tmp_path, '{"video_id": "nan", "title": "t", "duration_s": NaN}', json.dumps(second))
    folder = tmp_path / "transcripts"
    folder.mkdir()
    write(folder, "good-1.json", '[{"start": 1e308, "text": "broken"}]')
    write(folder, "good-2.json", [{"start": 0, "duration": 500, "text": "knead the sourdough"},
                                  {"start": 5, "duration": 2, "text": "bake it"}])
    lib = open_library(load_catalog(path, folder), data_dir, build_index=False)
    report = build_index(lib)
    index_transcripts(lib.catalog, lib.vectors, lib.embedder, report)
    assert report.transcripts_embedded == (0 if lib.embedder is None else 1)  # without the model, only read

    assert len(report.skipped) == 2 and "2 skipped" in report.summary()
    assert any("line 2" in p for p in report.skipped) and any("good-1.json" in p for p in report.skipped)
    ranking = recommend(lib, Request("fuzz-user", query="sourdough bread"))
    assert ranking.items[0].video_id == "good-2"
    lib.users.close()


def test_long_title_and_description_are_cut_and_the_cut_reported(tmp_path):
    long = dict(GOOD, video_id="long", title="t" * 5000, description="d" * 50_000)
    catalog = load_catalog(catalog_file(tmp_path, json.dumps(long)))

    video = catalog.get("long")
    assert len(video.title) == limits().max_title_chars and len(video.description) == limits().max_description_chars
    assert any("'title'" in c and "line 2" in c for c in catalog.load_report.cut)


def test_nan_in_info_json_names_file_and_field(tmp_path):
    folder = tmp_path / "yt"
    folder.mkdir()
    (folder / "a.info.json").write_text('{"id": "a", "title": "A"}')
    (folder / "b.info.json").write_text('{"id": "b", "title": "B", "duration": NaN}')

    catalog = load_catalog(folder)

    assert list(catalog.videos) == ["a"]
    assert "b.info.json" in catalog.load_report.skipped[0] and "'duration'" in catalog.load_report.skipped[0]


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_transcript_line_at_1e308_is_refused_naming_line_and_field(tmp_path):
    path = write(tmp_path, "t.json", [{"start": 1.0, "duration": 2, "text": "a"}, {"start": 1e308, "text": "b"}])

    with pytest.raises(TranscriptError, match=r"line 2, field 'start'"):
        read_transcript(path)


@pytest.mark.parametrize("content", [
    '[{"start": NaN, "text": "a"}]', '[{"start": 0, "duration": Infinity, "text": "a"}]',
    "[" * 100_000 + "]" * 100_000, '{"events": [{"tStartMs": 1e999, "segs": [{"utf8": "a"}]}]}',
])
def test_refused_transcript_json_is_a_transcript_error(tmp_path, content):
    name = "t.json3" if "events" in content else "t.json"
    with pytest.raises(TranscriptError, match="t.json"):
        read_transcript(write(tmp_path, name, content))


def test_overlapping_lines_are_clipped_so_no_line_runs_past_the_next(tmp_path):
    path = write(tmp_path, "t.json", [
        {"start": 0.0, "duration": 500.0, "text": "a long overlap"},
        {"start": 4.0, "duration": 3.0, "text": "next"},
        {"start": 4.0, "duration": 2.0, "text": "same start"},
        {"start": 10.0, "duration": 1e12, "text": "endless"},
    ])

    segments = read_transcript(path)

    assert [s.text for s in segments] == ["a long overlap", "next same start", "endless"]
    assert all(a.end <= b.start for a, b in zip(segments, segments[1:]))
    assert segments[0].end == 4.0 and segments[-1].duration <= 30
    assert all(w.end - w.start <= 60 for w in cut_windows(segments))


def test_long_transcript_line_is_cut(tmp_path):
    [segment] = read_transcript(write(tmp_path, "t.json", [{"start": 0, "text": "w" * 100_000}]))
    assert len(segment.text) == limits().max_transcript_line_chars


# -- fuzz -------------------------------------------------------------------------------

WEIRD = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
NUMBERS = st.one_of(st.integers(min_value=-10**30, max_value=10**30), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "9" * 400]))
LEAF = st.one_of(st.none(), st.booleans(), NUMBERS, WEIRD)


def to_json(value) -> str:
    """JSON text that may hold NaN, Infinity and raw huge numbers where a str 'NaN' etc. stands."""
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity", "1e999") or (isinstance(value, str) and value.startswith("999")):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + to_json(v) for k, v in value.items()) + "}"
    return json.dumps(value)


DOC = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WEIRD, inner, max_size=4), max_leaves=12)
VIDEO = st.fixed_dictionaries({"video_id": st.one_of(WEIRD, NUMBERS), "title": st.one_of(WEIRD, DOC)},
                              optional={"duration_s": NUMBERS, "view_count": NUMBERS, "tags": DOC, "published_at": WEIRD,
                                        "description": WEIRD})
LINE = st.one_of(VIDEO.map(to_json), DOC.map(to_json), WEIRD, st.integers(1, 60).map(lambda n: "[" * n + "]" * n))
SEGMENT = st.fixed_dictionaries({"start": NUMBERS, "text": st.one_of(WEIRD, DOC)}, optional={"duration": NUMBERS})
VTT_TIME = st.tuples(st.integers(0, 10**10), st.integers(0, 99), st.integers(0, 99), st.integers(0, 999)).map(
    lambda t: f"{t[0]:02d}:{t[1]:02d}:{t[2]:02d}.{t[3]:03d}")
TRANSCRIPT = st.one_of(
    st.tuples(st.just("t.json"), st.one_of(st.lists(SEGMENT, max_size=6), DOC).map(to_json)),
    st.tuples(st.just("t.json3"), st.one_of(
        st.lists(st.fixed_dictionaries({"tStartMs": NUMBERS}, optional={"dDurationMs": NUMBERS, "segs": DOC}), max_size=5)
        .map(lambda events: to_json({"events": events})), DOC.map(to_json))),
    st.tuples(st.just("t.vtt"), st.lists(st.tuples(VTT_TIME, VTT_TIME, WEIRD), max_size=5).map(
        lambda cues: "WEBVTT\n\n" + "".join(f"{a} --> {b}\n{text}\n\n" for a, b, text in cues))),
    st.tuples(st.sampled_from(["t.json", "t.json3", "t.vtt"]), WEIRD),
)
FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


@FUZZ
@given(lines=st.lists(LINE, min_size=1, max_size=4))
def test_fuzzed_catalog_lines_load_or_are_skipped_never_crash(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="replace")
    videos, report = read_jsonl(path)
    assert all(v.title and len(v.title) <= limits().max_title_chars for v in videos)
    try:
        load_catalog(path)
    except CatalogError:
        pass


@FUZZ
@given(transcript=TRANSCRIPT)
def test_fuzzed_transcripts_read_in_order_or_are_refused(tmp_path_factory, transcript):
    name, content = transcript
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_text(content, encoding="utf-8", errors="replace")
    try:
        segments = read_transcript(path)
    except TranscriptError:
        return
    assert all(math.isfinite(s.start) and math.isfinite(s.duration) and s.start >= 0 for s in segments)
    assert all(a.end <= b.start for a, b in zip(segments, segments[1:]))
    cut_windows(segments)
