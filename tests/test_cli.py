"""The `clipwise` command, run in-process with typer's CliRunner on a data dir of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import LINEAR_ALGEBRA, NEEDS_MODEL, transcript_segments
from typer.testing import CliRunner

from agent.cli.main import app
from memory.user_store import UserStore

CARD_KEYS = {"video_id", "title", "channel", "duration_s", "score", "clip", "reason"}


@pytest.fixture
def run(data_dir: Path):
    """`clipwise <args> --data-dir <this test's dir>`; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, data: Path = data_dir):
        return runner.invoke(app, [*args, "--data-dir", str(data)])

    return invoke


def as_json(result) -> object:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_recommend_json_gives_cards(run):
    cards = as_json(run("recommend", "linear algebra", "--json"))

    assert isinstance(cards, list) and 5 <= len(cards) <= 10
    assert all(set(card) == CARD_KEYS for card in cards)
    assert {c["video_id"] for c in cards[:5]} == LINEAR_ALGEBRA
    first = cards[0]
    assert first["title"] and first["channel"] and first["reason"]
    assert isinstance(first["score"], float) and isinstance(first["duration_s"], int)
    assert set(first["clip"]) == {"start", "end", "quote"}


@pytest.mark.slow
def test_data_dir_comes_from_the_environment_when_no_flag_is_given(data_dir):
    """CLIPWISE_DATA_DIR (set by conftest to this test's dir) decides where memory goes."""
    result = CliRunner().invoke(app, ["recommend", "chess", "--k", "2", "--json"])

    assert result.exit_code == 0, result.stderr
    store = UserStore(data_dir / "memory.sqlite")
    try:
        assert [i.text for i in store.interests("local")] == ["chess"]
    finally:
        store.close()


@pytest.mark.slow
@NEEDS_MODEL  # without the model a first run has nothing to index
def test_first_run_says_it_is_indexing_and_a_second_run_does_not(run):
    first = run("recommend", "chess", "--k", "2", "--json")
    assert first.exit_code == 0, first.stderr
    assert "indexing 40 videos (first run" in first.stderr
    again = run("recommend", "chess", "--k", "2", "--json")
    assert again.exit_code == 0 and "indexing" not in again.stderr


@pytest.mark.slow
def test_recommend_k_limits_the_list(run):
    assert len(as_json(run("recommend", "astronomy", "--k", "3", "--json"))) == 3


@pytest.mark.slow
def test_similar_json_excludes_the_seed_and_changes_no_memory(run, data_dir):
    cards = as_json(run("similar", "demo-linal1", "--json"))

    got = [c["video_id"] for c in cards]
    assert "demo-linal1" not in got
    assert got[:3] == ["demo-linal2", "demo-linal3", "demo-linal4"]  # the series, next part first
    assert all(set(card) == CARD_KEYS for card in cards)
    store = UserStore(data_dir / "memory.sqlite")
    try:
        assert store.interests("local") == [] and store.seen("local") == set()
    finally:
        store.close()


@pytest.mark.slow
@NEEDS_MODEL
def test_similar_finds_the_same_topic_on_another_channel_once_the_talks_are_indexed(run):
    assert run("index").exit_code == 0
    got = [c["video_id"] for c in as_json(run("similar", "demo-linal1", "--json"))]
    assert LINEAR_ALGEBRA - {"demo-linal1"} <= set(got[:5])


@pytest.mark.slow
def test_similar_lists_videos_chat_already_showed(run, data_dir):
    """Chat's seen record hides shown videos from chat's next list, not from a one-off `similar`."""
    first = [c["video_id"] for c in as_json(run("similar", "demo-linal1", "--json"))]
    store = UserStore(data_dir / "memory.sqlite")
    try:
        store.mark_seen("local", first[:3])
    finally:
        store.close()

    again = [c["video_id"] for c in as_json(run("similar", "demo-linal1", "--json"))]

    assert set(first[:3]) <= set(again)


@pytest.mark.slow
def test_clip_json_is_a_30s_to_3min_span_with_a_verbatim_quote(run):
    clip = as_json(run("clip", "demo-linal4", "--interest", "eigenvalues", "--json"))

    assert set(clip) == {"start", "end", "quote"}
    assert 30 <= clip["end"] - clip["start"] <= 180
    segments = transcript_segments("demo-linal4")
    holding = [s for s in segments if clip["quote"] in " ".join(s["text"].split())]
    assert holding, "quote not found verbatim in the transcript"
    assert any(clip["start"] - 0.1 <= s["start"] <= clip["end"] for s in holding)
    assert "eigenvalue" in clip["quote"].lower()


@pytest.mark.parametrize(
    "args",
    [("similar", "no-such-video", "--json"), ("clip", "no-such-video", "--interest", "x", "--json")],
    ids=["similar", "clip"],
)
def test_unknown_video_id_exits_1_with_a_clear_message(run, args):
    result = run(*args)

    assert result.exit_code == 1
    assert "No video with id 'no-such-video'" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.slow
def test_clip_of_a_video_without_transcript_says_so(run):
    result = run("clip", "demo-astro2", "--interest", "moon")

    assert result.exit_code == 1
    assert "demo-astro2" in result.stderr and "no transcript" in result.stderr


def words(text: str) -> str:
    """Output with line breaks folded back to spaces (for checks that are not about wrapping)."""
    return " ".join(text.split())


def write_bad_catalog(folder: Path) -> Path:
    folder.mkdir(parents=True)
    bad = folder / "bad.jsonl"
    good = (Path(__file__).parents[1] / "tools" / "catalog" / "demo" / "catalog.jsonl").read_text().splitlines()[0]
    bad.write_text(good + '\n{"video_id": "x1", "title": \n', encoding="utf-8")
    return bad


def test_index_of_a_malformed_catalog_skips_the_line_and_names_file_and_line(run, tmp_path):
    """The path must come out whole: output often goes to a log or a pipe, not an 80-column terminal."""
    bad = write_bad_catalog(tmp_path / "exports" / "youtube" / "2024-catalog-snapshots")

    result = run("index", "--catalog", str(bad), "--json")

    assert result.exit_code == 0, result.output
    [problem] = json.loads(result.stdout)["skipped"]
    assert str(bad) in problem and "line 2" in problem and "Traceback" not in result.output


def test_error_naming_a_ytdlp_file_keeps_the_brackets_of_its_name(run, tmp_path):
    """yt-dlp names files 'Title [id].info.json'; the error must name that file, not 'Title .info.json'."""
    folder = tmp_path / "yt"
    folder.mkdir()
    (folder / "Eigen [abc123def45].info.json").write_text('{"id": "abc123def45", "title": ""}', encoding="utf-8")

    result = run("index", "--catalog", str(folder))

    assert result.exit_code == 1
    assert "Eigen [abc123def45].info.json" in words(result.stderr), result.stderr
    assert "'title'" in result.stderr


@pytest.mark.slow
@NEEDS_MODEL  # counts the videos embedded
def test_failed_index_leaves_the_previous_index_answering(run, tmp_path):
    built = as_json(run("index", "--json", "--no-transcripts-too"))
    assert built["videos_embedded"] == 40

    # A catalog without one good line is refused as a whole (a catalog with some good lines is indexed
    # without its bad ones: see above), and the index built before keeps answering.
    hopeless = tmp_path / "hopeless.jsonl"
    hopeless.write_text('{"video_id": "x0"}\n{"video_id": "x1", "title": \n', encoding="utf-8")
    failed = run("index", "--catalog", str(hopeless))
    assert failed.exit_code == 1 and "line 2" in words(failed.stderr)

    again = as_json(run("index", "--json", "--no-transcripts-too"))
    assert again["videos_embedded"] == 0 and again["videos_removed"] == 0  # nothing lost, nothing redone
    cards = as_json(run("recommend", "linear algebra", "--json"))
    assert {c["video_id"] for c in cards[:5]} == LINEAR_ALGEBRA


def test_recommend_on_a_catalog_without_one_good_line_exits_1(run, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"video_id": "x0"}\n{"video_id": "x1", "title": \n', encoding="utf-8")
    result = run("recommend", "linear algebra", "--catalog", str(bad))

    assert result.exit_code == 1 and "line 2" in words(result.stderr)
