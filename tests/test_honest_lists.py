"""A list holds what matches, says why it is short, and lets unknown lengths in only when asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.session import Session
from tools.catalog.store import load_catalog
from tools.library import open_library

BREAD = ["Sourdough starter from scratch", "Shaping a sourdough loaf", "Scoring sourdough bread",
         "Baking sourdough in a dutch oven", "Sourdough hydration explained", "Whole wheat sourdough",
         "Rye sourdough for beginners", "Sourdough discard crackers"]
OTHER = ["Tuning a bass guitar", "Knitting a scarf", "Replacing a bike chain", "Watering succulents",
         "Folding a paper crane", "Chess endgames: king and pawn", "Repotting an orchid", "Sharpening a kitchen knife",
         "Sea kayaking basics", "Painting with watercolours", "Juggling three balls", "Bird song identification"]


@pytest.fixture(scope="module")
def bakery(tmp_path_factory: pytest.TempPathFactory):
    """Eight bread videos, the last five of unknown length, among twelve about other things."""
    root = tmp_path_factory.mktemp("bakery")
    rows = [{"video_id": f"bread{i}", "title": t, "channel": f"Baker {i % 3}", "description": "sourdough bread baking",
             "duration_s": 480 if i < 3 else None} for i, t in enumerate(BREAD)]
    rows += [{"video_id": f"other{i}", "title": t, "channel": f"Channel {i}", "description": t.lower(),
              "duration_s": 600, "view_count": 10_000_000} for i, t in enumerate(OTHER)]
    catalog = root / "catalog.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    lib = open_library(load_catalog(catalog), root / "data")
    session = Session(lib, root / "data")
    yield lambda text, user: session.ask(text, user=user)
    session.close()
    lib.users.close()


def test_a_length_limit_with_unknown_lengths_says_how_many_it_held_back(bakery, user):
    bakery("nothing over 20 minutes", user)
    turn = bakery("sourdough", user)

    matches = [r["video_id"] for r in turn.results if r["matched_by"] != "exploration"]
    assert set(matches) == {"bread0", "bread1", "bread2"} and len(turn.results) <= 4
    assert "3 found; 5 more match but their length is unknown" in turn.reply
    assert "include unknown lengths" in turn.reply


def test_include_unknown_lengths_lets_them_in_and_keeps_the_limit(bakery, user):
    bakery("nothing over 20 minutes", user)
    said = bakery("ok, unknown lengths are fine", user)
    assert "videos of unknown length included" in said.reply

    turn = bakery("sourdough", user)
    assert {r["video_id"] for r in turn.results if r["matched_by"] != "exploration"} == {f"bread{i}" for i in range(8)}

    bakery("forget about the time cap", user)
    bakery("nothing over 5 minutes", user)  # a new limit: unknown lengths are out again, known long ones too
    again = bakery("more sourdough", user)
    assert again.results == [] or all(r["video_id"].startswith("bread") and r["duration_s"] for r in again.results)


def test_a_short_list_is_not_padded_with_unrelated_videos(bakery, user):
    turn = bakery("sourdough", user)

    unrelated = [r for r in turn.results if not r["video_id"].startswith("bread")]
    assert len(unrelated) <= 1  # one exploration slot at most, and it says what it is
    assert all(r["matched_by"] == "exploration" and "exploration" in r["reason"] for r in unrelated)
    assert len(turn.results) < 10 and "nothing else matches well enough" in turn.reply


def test_a_list_emptied_by_a_length_limit_names_the_limit_and_how_to_loosen_it(bakery, user):
    bakery("nothing over 5 minutes", user)
    bakery("ok, unknown lengths are fine", user)
    turn = bakery("sourdough", user)

    assert all(r["video_id"].startswith("bread") and r["duration_s"] is None for r in turn.results if
               r["matched_by"] != "exploration")  # the three known ones (8:00) are over the limit
    assert "3 more match but are longer than your length limit: say 'any length is fine'" in turn.reply
    assert "nothing else matches well enough" not in turn.reply
    loosened = bakery("any length is fine", user)
    assert "cleared 1 length limit" in loosened.reply
    assert {"bread0", "bread1", "bread2"} <= {r["video_id"] for r in bakery("more sourdough", user).results}
