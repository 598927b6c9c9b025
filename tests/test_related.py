"""'More like this': series numbering, videos a talk names, and the next part first."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tools.catalog.store import load_catalog
from tools.library import open_library
from tools.related import FEATURES, core_name, series_mark


@pytest.mark.parametrize("title, key, number", [
    ("Frogger - Part 2", "frogger", 2),
    ("Eigenvectors and eigenvalues | Chapter 14, Essence of linear algebra", "essence of linear algebra", 14),
    ("Coding Challenge #12: Lorenz Attractor", "coding challenge", 12),
    ("How are holograms possible? | Optics puzzles 5", "optics puzzles", 5),
    ("Vector Math II", "vector math", 2),
    ("Sourdough at home, Episode 3", "sourdough at home", 3),
])
def test_series_and_part_number_are_read_from_titles(title, key, number):
    mark = series_mark(title)
    assert (mark.key, mark.number) == (key, number)


def test_titles_without_numbering_belong_to_no_series():
    assert series_mark("The Game of Life") is None
    assert series_mark("Why 5/3 is a fundamental constant for turbulence") is None


def test_core_name_is_how_a_talk_would_mention_the_video():
    assert core_name("The Modulo Operator with Golan Levin") == ("modulo", "oper")
    assert core_name("2D Arrays in JavaScript") == ("2d", "array")
    assert core_name("ml5.js: Train Your Own Neural Network")[:2] == ("train", "your")


def write_catalog(folder: Path, videos: list[dict], transcripts: dict[str, list[dict]]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    catalog = folder / "catalog.jsonl"
    catalog.write_text("".join(json.dumps(v) + "\n" for v in videos), encoding="utf-8")
    tdir = folder / "transcripts"
    tdir.mkdir(exist_ok=True)
    for vid, segments in transcripts.items():
        (tdir / f"{vid}.json").write_text(json.dumps(segments), encoding="utf-8")
    return catalog, tdir


def video(vid: str, title: str, channel: str = "Kiln Notes", **extra) -> dict:
    return {"video_id": vid, "title": title, "channel": channel, "description": extra.pop("description", ""),
            "tags": extra.pop("tags", ["pottery"]), **extra}


@pytest.fixture
def pottery(tmp_path: Path):
    videos = [
        video("glaze-1", "Glaze chemistry - Part 1", description="What a glaze is made of."),
        video("glaze-2", "Glaze chemistry - Part 2", description="Fluxes and silica."),
        video("glaze-3", "Glaze chemistry - Part 3", description="Colourants."),
        video("centering", "Centering clay on the wheel", tags=["wheel basics"]),
        video("trimming", "Trimming a bowl foot", tags=["wheel basics"]),
        video("kiln-log", "Loading an electric kiln", channel="Other Studio", tags=["kilns"]),
        video("glaze-talk", "Mixing a celadon", channel="Other Studio", tags=["glazes"]),
    ]
    spoken = [{"start": 0.0, "duration": 5.0, "text": "Before mixing, make sure you know about centering clay on the wheel."},
              {"start": 5.0, "duration": 5.0, "text": "Then weigh the silica and the flux for the celadon."}]
    catalog, tdir = write_catalog(tmp_path / "pottery", videos, {"glaze-talk": spoken})
    lib = open_library(load_catalog(catalog, tdir), tmp_path / "data")
    yield lib
    lib.users.close()


def ranked(lib, seed: str) -> list[str]:
    scores = lib.similarity_to(seed)
    return [lib.ids[i] for i in np.argsort(-scores, kind="stable") if lib.ids[i] != seed]


def test_the_next_part_comes_first(pottery):
    assert ranked(pottery, "glaze-1")[0] == "glaze-2"
    assert ranked(pottery, "glaze-2")[0] == "glaze-3"


def test_a_video_named_in_the_talk_counts_as_related(pottery):
    cols = pottery.related.matrix_for("glaze-talk")
    named = cols[:, FEATURES.index("core_named_by_anchor")]
    assert named[pottery.row["centering"]] == 1.0
    assert named[pottery.row["trimming"]] == 0.0
    order = ranked(pottery, "glaze-talk")
    assert order.index("centering") < order.index("trimming")


def test_similarity_is_a_bounded_score_for_every_video(pottery):
    scores = pottery.similarity_to("centering")
    assert scores.shape == (len(pottery.ids),)
    assert np.all(scores >= 0) and np.all(scores <= 2)


def test_why_names_the_evidence_that_put_the_next_part_first(pottery):
    from tools.ranking import Request, recommend

    ranking = recommend(pottery, Request(user="ana", seed_video="glaze-1", k=3))
    first = ranking.items[0]
    assert first.video_id == "glaze-2"
    assert "similar to 'Glaze chemistry - Part 1' (the next part" in first.reason
