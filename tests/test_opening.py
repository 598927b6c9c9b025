"""The library's opening (agent/opening.py): what the chat is told while the first run indexes, search
by words until the videos are indexed by meaning, and the transcripts embedded one at a time between
turns."""

from __future__ import annotations

import asyncio
import threading

import pytest

from agent.opening import LibraryOpening
from agent.web.turn_gate import TurnGate
from tools.catalog.indexer import transcripts_to_index
from tools.catalog.store import load_catalog
from tools.errors import ClipwiseError
from tools.library import open_library


def test_the_chat_is_told_the_catalog_then_answers_by_words_with_counts_until_indexed_by_meaning():
    catalog = load_catalog()
    step = [threading.Event() for _ in range(3)]
    seen = threading.Event()

    def opening_fn(found, advance, usable):
        step[0].wait(5)
        found(catalog)
        step[1].wait(5)
        advance(0, 40)
        usable("the library, by words")
        advance(10, 40)
        seen.set()
        step[2].wait(5)
        return "the library"

    opening = LibraryOpening(opening_fn).start()
    assert opening.note() == "Loading the catalog…" and opening.waiting and not opening.answering
    assert opening.wait_usable(timeout=0.01) is None  # nothing to answer with yet: the caller is not held up
    step[0].set()
    assert opening.wait_for_catalog(5) is catalog
    assert opening.note() == f"Opening {len(catalog)} videos…"
    step[1].set()
    seen.wait(5)
    # The chat answers now (the note is gone), and the line beside it says what search does meanwhile.
    assert opening.wait_usable(5) == "the library, by words" and opening.note() == ""
    assert opening.status().startswith("Searching by words while the first run indexes the videos by meaning: "
                                       "10 of 40")
    assert opening.wait(timeout=0.01) is None
    step[2].set()
    assert opening.wait(5) == "the library" and opening.search_note() == ""


def test_a_catalog_that_cannot_be_opened_is_said_on_the_page_and_raised_to_whoever_waits():
    def broken(found, advance, usable):
        raise ClipwiseError("catalog.jsonl, line 3, field 'title': missing")

    opening = LibraryOpening(broken).start()
    with pytest.raises(ClipwiseError, match="line 3"):
        opening.wait(5)
    assert opening.note() == "The catalog could not be opened: catalog.jsonl, line 3, field 'title': missing"
    assert opening.wait_for_catalog(0.1) is None
    with pytest.raises(ClipwiseError, match="line 3"):
        opening.wait_usable(5)


@pytest.mark.slow
def test_transcripts_are_indexed_one_at_a_time_only_while_no_turn_runs(tmp_path):
    """While a turn runs, indexing waits; once none does, every transcript gets its windows and the
    panel's note says so."""
    opening = LibraryOpening(lambda found, advance, usable: open_library(load_catalog(), tmp_path, progress=advance,
                                                                       on_usable=usable)).start()
    lib = opening.wait(120)
    if lib.embedder is None:
        pytest.skip("the embedding model is not on this machine (../shared/scripts/seed-chroma-model)")
    todo = transcripts_to_index(lib.catalog, lib.vectors)
    assert todo, "the demo catalog's transcripts should need indexing on a fresh data dir"

    async def scenario():
        gate = TurnGate()
        async with gate.user("someone"):  # a turn is running
            indexing = asyncio.create_task(opening.index_transcripts(gate))
            await asyncio.sleep(0.5)
            during_turn = opening.transcripts.completed
        report = await indexing
        return during_turn, report

    during_turn, report = asyncio.run(scenario())
    assert during_turn == 0
    assert report.transcripts_embedded == len(todo) and opening.transcripts.completed == len(todo)
    assert transcripts_to_index(lib.catalog, lib.vectors) == []
    assert opening.clips_note() == f"Clips: all {len(todo)} new transcripts indexed." and not opening.waiting
    lib.users.close()


def test_one_users_turns_queue_while_other_users_turns_run_beside_them():
    async def scenario():
        gate, log = TurnGate(), []

        async def turn(user: str, n: int):
            async with gate.user(user):
                log.append(f"{user}{n} start")
                await asyncio.sleep(0.05)
                log.append(f"{user}{n} end")

        quiet_seen = []

        async def background():
            await asyncio.sleep(0.01)
            await gate.quiet()
            quiet_seen.append(list(log))

        await asyncio.gather(turn("alice", 1), turn("alice", 2), turn("bob", 1), background())
        return log, quiet_seen

    log, quiet_seen = asyncio.run(scenario())
    assert log.index("alice1 end") < log.index("alice2 start")  # alice's second turn waited for her first
    assert log.index("bob1 start") < log.index("alice1 end")  # bob did not wait for alice
    # Background work went on only once the first turns had all ended (later turns are not held up by it).
    assert len(quiet_seen) == 1 and {"alice1 end", "bob1 end"} <= set(quiet_seen[0])


@pytest.mark.slow
def test_a_first_run_answers_by_words_while_it_indexes_then_by_meaning(tmp_path):
    """The chat needs no index to answer: lists come by words while the first run embeds the videos,
    by meaning and words once it is done, and videos found meanwhile keep their vectors' rows in order."""
    from agent.session import Session
    from tools.catalog.video import Video

    during = {}

    def usable(lib):
        during["semantic"] = lib.semantic
        session = Session(lib, tmp_path / "data")
        turn = session.ask("I want to learn linear algebra", user="ana")
        during["titles"] = [lib.catalog.get(card["video_id"]).title for card in turn.results]
        found = Video(video_id="found-meanwhile", title="Eigenvectors, found by a search meanwhile",
                      channel="Elsewhere", duration_s=600)
        during["added"] = lib.add_videos([found])
        session.conn.close()  # the library (and its memory) stays open: the first run goes on

    lib = open_library(load_catalog(), tmp_path / "data", on_usable=usable)
    if lib.embedder is None:
        pytest.skip("the embedding model is not on this machine (../shared/scripts/seed-chroma-model)")
    assert during["semantic"] is False
    assert during["titles"] and any("linear algebra" in t.lower() for t in during["titles"][:3]), during["titles"]
    assert during["added"] == ["found-meanwhile"]
    assert lib.semantic and lib.matrix.shape == (len(lib.ids), 384)
    row = lib.matrix[lib.row["found-meanwhile"]]
    assert float(row @ lib.embed_text("eigenvectors")) > 0.1  # its own vector, not a zero row
    lib.users.close()
