"""Clip placement: sections of a talk, no clip where nothing matches, and honest reason lines."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from agent.cli.main import app
from tools.clips import Clip, NoMatch, find_clip, tiles
from tools.explain import explain, explanation_text
from tools.ranking import Request, reason_line


def test_texttiling_cuts_where_the_topic_changes():
    rng = np.random.default_rng(3)
    topic_a, topic_b = rng.normal(size=16), rng.normal(size=16)
    vectors = np.vstack([topic_a + 0.1 * rng.normal(size=16) for _ in range(8)]
                        + [topic_b + 0.1 * rng.normal(size=16) for _ in range(8)])

    sections = tiles(vectors, block=3, depth_cut=0.0)

    assert (0, 8) in sections and (8, 16) in sections


def test_a_talk_with_one_topic_is_one_section():
    rng = np.random.default_rng(4)
    topic = rng.normal(size=16)
    vectors = np.vstack([topic + 0.05 * rng.normal(size=16) for _ in range(12)])
    assert len(tiles(vectors, block=3, depth_cut=1.0)) <= 2


def test_an_interest_the_transcript_never_touches_gets_no_clip(lib):
    found = find_clip(lib, "demo-linal4", "sourdough starter hydration", embed_missing=False)

    assert isinstance(found, NoMatch)
    assert found.note == "no part of the transcript is specifically about 'sourdough starter hydration'"


def test_an_interest_the_transcript_covers_gets_a_clip(lib):
    found = find_clip(lib, "demo-linal4", "eigenvalues", embed_missing=False)
    assert isinstance(found, Clip) and found.quote_names_topic


def test_the_clip_command_says_plainly_when_nothing_matches(data_dir):
    result = CliRunner().invoke(app, ["clip", "demo-linal4", "--interest", "sourdough starter hydration",
                                      "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "no part of the transcript is specifically about 'sourdough starter hydration'" in result.stderr
    assert "Traceback" not in result.output


def test_a_reason_claims_on_point_only_when_the_quote_uses_the_words(lib):
    req = Request(user="ana", query="eigenvalues")
    interest = {"text": "eigenvalues"}
    named = {"start": 60.0, "end": 120.0, "quote": "eigenvalues", "quote_start": 61.0, "quote_names_topic": True}
    by_meaning = dict(named, quote_names_topic=False)

    assert "on point" in reason_line("demo-linal4", "request", interest, named, req, lib)
    line = reason_line("demo-linal4", "request", interest, by_meaning, req, lib)
    assert "on point" not in line and "closest in meaning" in line


def test_why_of_an_unclipped_item_with_a_transcript_does_not_say_there_is_none(lib, user):
    item = {"video_id": "demo-linal4", "matched_by": "exploration", "clip": None, "clip_note": None}
    text = explanation_text(explain(lib, user, item, 3))
    assert "No transcript" not in text and "has a transcript" in text

    item = {"video_id": "demo-linal4", "matched_by": "request", "clip": None,
            "clip_note": "no part of the transcript is specifically about 'sourdough'"}
    text = explanation_text(explain(lib, user, item, 2))
    assert "No clip: no part of the transcript is specifically about 'sourdough'." in text


def test_a_listed_video_whose_talk_never_says_the_words_is_clipped_where_it_talks_about_its_title(lib):
    found = find_clip(lib, "demo-guitr1", "music theory", embed_missing=False)

    assert isinstance(found, Clip) and found.method == "lexical+title"
    line = reason_line("demo-guitr1", "request", {"text": "music theory"}, found.as_dict(),
                       Request(user="ana", query="music theory"), lib)
    assert "on point" not in line and "no part uses your words" in line


def test_why_says_in_which_section_of_the_talk_the_clip_sits(lib, user):
    """The transcript's topical sections (the ones clips are placed by) reach 'why' and its picture:
    in order, inside the video, each where a transcript window starts; none without a transcript."""
    from tools.clips import section_starts
    from tools.catalog.indexer import transcript_windows

    starts = section_starts(lib, "demo-calcu2")
    windows, _ = transcript_windows(lib.catalog, lib.vectors, lib.embedder, "demo-calcu2", embed_missing=False)
    assert len(starts) >= 2 and starts == sorted(starts)
    assert all(0 < s < lib.catalog.get("demo-calcu2").duration_s for s in starts)
    assert set(starts) <= {round(w.start, 1) for w in windows}
    no_transcript = next(v for v in lib.catalog.videos if v not in lib.catalog.transcript_paths)
    assert section_starts(lib, no_transcript) == []

    item = {"video_id": "demo-calcu2", "clip": {"start": starts[1] + 20, "end": starts[1] + 80,
                                                "quote": "a", "quote_start": starts[1] + 30}}
    text = explanation_text(explain(lib, user, item, 1))
    assert f"in part 3 of {len(starts) + 1} of the talk" in text
