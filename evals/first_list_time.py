"""Time from a cold start of the web app (fresh data dir) to its first word and its first list; prints a table.

    uv run python -m evals.first_list_time                                   # the demo catalog
    uv run python -m evals.first_list_time --catalog ../shared/data/real/catalog.jsonl \\
        --transcripts ../shared/data/real/transcripts

"Up" is when the server answers HTTP; "first word" is the first assistant message the chat shows
after connecting (the indexing progress, where there is waiting); "first list" is when the answer
to the first request, sent as soon as the chat is connected, has its cards.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from evals.chainlit_client import ChainlitClient
from evals.chainlit_server import ChainlitServer

USER, PASSWORD = "timer", "timer-pw-1"


async def first_list(server: ChainlitServer, started: float, request: str) -> dict[str, float | None]:
    client = ChainlitClient(server.url, timeout_s=900)
    try:
        await client.login(USER, PASSWORD)
        connecting, first_word = asyncio.create_task(client.connect()), None
        while not connecting.done():  # the chat's first words can come long before its start has ended
            if first_word is None and any(m.get("type") == "assistant_message" for m in client.seen):
                first_word = time.monotonic() - started
            await asyncio.sleep(0.05)
        await connecting
        connected = time.monotonic() - started
        turn = await client.send(request)
        metas = [m.get("metadata") or {} for m in turn.messages]
        # one message per card before the list became one element; the list's cards in its reply's metadata after
        cards = max(sum(1 for m in metas if "clipwise_card" in m),
                    max((len(m.get("clipwise_list", {}).get("cards", [])) for m in metas), default=0))
        return {"connected": connected, "first word": first_word, "first list": time.monotonic() - started,
                "cards": cards}
    finally:
        await client.close()


def measure(catalog: Path | None, transcripts: Path | None, request: str) -> dict[str, float | None]:
    env = {}
    if catalog:
        env["CLIPWISE_CATALOG"] = str(catalog.resolve())
    if transcripts:
        env["CLIPWISE_TRANSCRIPTS"] = str(transcripts.resolve())
    with tempfile.TemporaryDirectory(prefix="clipwise-first-list-") as tmp:
        server = ChainlitServer(Path(tmp) / "data", Path(tmp) / "chainlit.log", {USER: PASSWORD}, env)
        started = time.monotonic()
        server.start(timeout_s=900)
        try:
            up = time.monotonic() - started
            times = asyncio.run(first_list(server, started, request))
        finally:
            server.stop()
    return {"up": up, **times}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalog", type=Path)
    ap.add_argument("--transcripts", type=Path)
    ap.add_argument("--request", default="videos about linear algebra")
    args = ap.parse_args()
    times = measure(args.catalog, args.transcripts, args.request)
    table = Table(title=f"cold start to first list ({args.catalog or 'demo catalog'})")
    for name in ("up", "connected", "first word", "first list"):
        table.add_column(f"{name} (s)", justify="right")
    table.add_column("cards", justify="right")
    table.add_row(*[f"{times[n]:.1f}" if times[n] is not None else "–"
                    for n in ("up", "connected", "first word", "first list")], str(times["cards"]))
    Console().print(table)


if __name__ == "__main__":
    main()
