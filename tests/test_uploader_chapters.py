"""Chapter marks in a description: read as YouTube reads them, and the clip opens at the chapter asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.catalog.chapters import Chapter, description_chapters
from tools.catalog.store import load_catalog
from tools.clips import Clip, NoMatch, find_clip, section_starts
from tools.library import open_library
from tools.ranking import Request, reason_line

DESCRIPTION = """A slow bake, start to finish.

0:00 - Welcome to the kitchen
1:00 - Feeding the sourdough starter
2:30 - Shaping and baking the loaf
4:10 Cooling racks and slicing

Thanks for baking along."""


def test_a_description_chapter_list_is_read_with_its_times_and_titles():
    assert description_chapters(DESCRIPTION) == (
        Chapter(0.0, "Welcome to the kitchen"), Chapter(60.0, "Feeding the sourdough starter"),
        Chapter(150.0, "Shaping and baking the loaf"), Chapter(250.0, "Cooling racks and slicing"))
    assert description_chapters("Intro - 0:00\nThe middle - 1:10\nThe end (1:02:03)") == (
        Chapter(0.0, "Intro"), Chapter(70.0, "The middle"), Chapter(3723.0, "The end"))


@pytest.mark.parametrize("text", [
    "0:00 Intro\n1:00 Only two marks",                       # fewer than three
    "0:30 Late start\n1:00 b\n2:00 c",                       # the first is not at 0:00
    "0:00 a\n0:04 too close\n1:00 c",                        # a chapter under 10 s
    "0:00 a\n1:99 not a time\n2:00 c",                       # 99 seconds
    "We met at 0:00, then 1:00, then 2:00 in the talk.",     # times inside a sentence
    "0:00 a\n1:00 " + "x" * 500 + "\n2:00 c",                # a 'title' no one would write
])
def test_lists_youtube_would_not_show_as_chapters_are_not_chapters(text):
    assert description_chapters(text) == ()


def test_a_broken_run_ends_the_list_and_a_later_valid_one_is_not_glued_on():
    text = "0:00 a\n1:00 b\n2:00 c\nsome words\n0:00 x\n0:30 y\n0:50 z"
    assert [c.title for c in description_chapters(text)] == ["a", "b", "c"]


def lines(*pieces: tuple[float, float, str]) -> list[dict]:
    return [{"start": s, "duration": d, "text": t} for s, d, t in pieces]


@pytest.fixture
def kitchen(tmp_path: Path):
    """One video whose uploader marked chapters; its talk names the loaf before the loaf's chapter too."""
    talk = [(0.0, 20.0, "Hello and welcome to the kitchen, today we make bread."),
            (20.0, 20.0, "Later we will shape the loaf, but first the basics of flour."),
            (40.0, 20.0, "Flour, water and salt are all you need for this recipe."),
            (60.0, 30.0, "Feed the sourdough starter with equal weights of flour and water."),
            (90.0, 30.0, "The starter doubles in about six hours when it is warm."),
            (120.0, 30.0, "A lively starter smells sour and has bubbles all through it."),
            (150.0, 30.0, "Now fold the dough over itself to build tension on the surface."),
            (180.0, 35.0, "Into a hot oven for forty minutes until the crust is deep brown."),
            (215.0, 35.0, "Lift the lid halfway so the steam escapes and the crust can set."),
            (250.0, 40.0, "Let it cool on a rack for an hour before you cut a single slice."),
            (290.0, 30.0, "Slice with a long serrated knife and enjoy it with butter.")]
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / "kitchen0001.json").write_text(json.dumps(lines(*talk)), encoding="utf-8")
    video = {"video_id": "kitchen0001", "title": "Sourdough from scratch", "channel": "Test Kitchen",
             "description": DESCRIPTION, "tags": ["baking"], "duration_s": 320}
    (tmp_path / "catalog.jsonl").write_text(json.dumps(video) + "\n", encoding="utf-8")
    catalog = load_catalog(tmp_path / "catalog.jsonl", tmp_path / "transcripts")
    return open_library(catalog, tmp_path / "data")


@pytest.mark.parametrize("embed_missing", [True, False])
def test_the_clip_opens_at_the_uploaders_chapter_the_interest_names(kitchen, embed_missing):
    found = find_clip(kitchen, "kitchen0001", "shaping the loaf", embed_missing=embed_missing)

    assert isinstance(found, Clip)
    assert found.chapter == "Shaping and baking the loaf"
    assert found.start == 150.0 and 180.0 <= found.end <= 250.0  # inside the chapter, 30 s at least
    spoken = {s["text"] for s in json.loads((Path(kitchen.catalog.transcript_paths["kitchen0001"])).read_text())}
    assert found.quote in spoken and 150.0 <= found.quote_start < found.end


def test_the_reason_names_the_chapter_and_does_not_claim_the_quote_says_what_it_does_not(kitchen):
    found = find_clip(kitchen, "kitchen0001", "shaping the loaf", embed_missing=False)
    line = reason_line("kitchen0001", "request", {"text": "shaping the loaf"}, found.as_dict(),
                       Request(user="ana", query="shaping the loaf"), kitchen)
    assert "the uploader's chapter 'Shaping and baking the loaf'" in line
    if not found.quote_names_topic:
        assert "on point" not in line and "does not use your words" in line


def test_a_chaptered_talk_that_never_touches_the_interest_still_gets_no_clip(kitchen):
    found = find_clip(kitchen, "kitchen0001", "kubernetes cluster autoscaling", embed_missing=False)
    assert isinstance(found, NoMatch)


def test_why_marks_the_uploaders_chapters_on_the_timeline(kitchen):
    assert section_starts(kitchen, "kitchen0001") == [60.0, 150.0, 250.0]


def test_chapter_marks_past_the_end_of_the_talk_are_not_clipped(tmp_path):
    talk = [(0.0, 30.0, "Welcome, today the sourdough starter."), (30.0, 30.0, "Feed it flour and water daily."),
            (60.0, 30.0, "Then it bubbles and smells sour.")]
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / "short000001.json").write_text(json.dumps(lines(*talk)), encoding="utf-8")
    video = {"video_id": "short000001", "title": "Starter basics", "channel": "Test Kitchen",
             "description": "0:00 Intro\n0:30 Feeding\n59:00 Baking the loaf\n59:30 Slicing", "tags": []}
    (tmp_path / "catalog.jsonl").write_text(json.dumps(video) + "\n", encoding="utf-8")
    lib = open_library(load_catalog(tmp_path / "catalog.jsonl", tmp_path / "transcripts"), tmp_path / "data")

    found = find_clip(lib, "short000001", "baking the loaf", embed_missing=False)
    assert not isinstance(found, Clip) or (found.chapter != "Baking the loaf" and found.end <= 90.0)
