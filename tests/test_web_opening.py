"""The web app's library opening (agent/web/opening.py): what the page is told while the first run
indexes, and the transcripts embedded one at a time between turns."""

from __future__ import annotations

import asyncio
import threading

import pytest

from agent.web.opening import LibraryOpening
from agent.web.turn_gate import TurnGate
from tools.catalog.indexer import transcripts_to_index
from tools.catalog.store import load_catalog
from tools.errors import ClipwiseError
from tools.library import open_library


def test_the_page_is_told_the_catalog_then_the_counts_then_nothing_once_chat_can_answer():
    catalog = load_catalog()
    step = [threading.Event() for _ in range(3)]
    seen = threading.Event()

    def opening_fn(found, advance):
        step[0].wait(5)
        found(catalog)
        step[1].wait(5)
        advance(10, 40)
        seen.set()
        step[2].wait(5)
        return "the library"

    opening = LibraryOpening(opening_fn).start()
    assert opening.note() == "Loading the catalog…" and opening.waiting
    step[0].set()
    assert opening.wait_for_catalog(5) is catalog
    assert opening.note() == f"Opening {len(catalog)} videos…"
    step[1].set()
    seen.wait(5)
    assert opening.note().startswith("Indexing 10 of 40 videos (first run; chat starts when done")
    assert opening.wait(timeout=0.01) is None  # not open yet: the caller is not held up
    step[2].set()
    assert opening.wait(5) == "the library" and opening.note() == ""


def test_a_catalog_that_cannot_be_opened_is_said_on_the_page_and_raised_to_whoever_waits():
    def broken(found, advance):
        raise ClipwiseError("catalog.jsonl, line 3, field 'title': missing")

    opening = LibraryOpening(broken).start()
    with pytest.raises(ClipwiseError, match="line 3"):
        opening.wait(5)
    assert opening.note() == "The catalog could not be opened: catalog.jsonl, line 3, field 'title': missing"
    assert opening.wait_for_catalog(0.1) is None


@pytest.mark.slow
def test_transcripts_are_indexed_one_at_a_time_only_while_no_turn_runs(tmp_path):
    """While a turn runs, indexing waits; once none does, every transcript gets its windows and the
    panel's note says so."""
    opening = LibraryOpening(lambda found, advance: open_library(load_catalog(), tmp_path, progress=advance)).start()
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
