"""`clipwise bench`: indexing speed against Chroma's stock embedding function, turn latency, memory."""

from __future__ import annotations

import datetime
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from langchain_core.utils.function_calling import convert_to_openai_tool
from rich.table import Table

from agent.llm.prompt_view import model_view
from agent.session import Session
from agent.settings import Settings
from agent.toolset import TOOLS
from agent.usage import estimate_tokens, request_chars
from tools.catalog.indexer import index_videos
from tools.catalog.store import load_catalog
from tools.clips import warm_clips
from tools.errors import ClipwiseError
from tools.library import open_library

TURNS = ["I want to learn {t}", "why #1?", "more like #2", "recommend something", "nothing over 20 minutes",
         "drop {t}", "clear limits", "videos about {t}", "not interested in #3", "show my interests"]


PARSE_SAMPLES = [
    "got anything about {t}?", "{t}", "I also like {t}", "{t}, under 15 minutes please", "less {t}",
    "enough of the {t} stuff", "add {t} back", "something similar to the top one", "could they be a bit shorter",
    "already watched 3 and 4", "forget about the time cap", "oops, take that back", "hi", "thanks!",
    "how come you suggested the top one?", "what have you learned about me so far?", "only from the last year",
    "{t} and jazz, nothing over 10 minutes, not from the first one's channel", "since 2024-13-45",
    "NO MORE {t} PLEASE", "i'm done with the channel of #2", "rename {t} to {t} basics",
]


def parse_latencies(lib, topics: list[str], today) -> list[float]:
    """Milliseconds to parse each sample message once, with the parser's caches cleared first (the
    model is loaded: warm, but never the same clause twice)."""
    from agent.understand.shared import catalog_words, parser_for

    parser, words = parser_for(lib), catalog_words(lib)
    shown = [{"video_id": v, "channel": lib.catalog.get(v).channel, "duration_s": lib.catalog.get(v).duration_s}
             for v in lib.ids[:10]]
    context = words.context(today, shown)
    out = []
    for topic in topics[:10]:
        parser.classify.cache_clear()
        parser.cache.clear()
        for template in PARSE_SAMPLES:
            said = template.format(t=topic)
            started = time.perf_counter()
            parser.parse(said, context)
            out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def topics_of(catalog) -> list[str]:
    tags = {}
    for v in catalog.videos.values():
        for t in v.tags[:2]:
            if 3 <= len(t) <= 30:
                tags[t.lower()] = tags.get(t.lower(), 0) + 1
    return [t for t, _ in sorted(tags.items(), key=lambda kv: -kv[1])[:25]]


def prompt_tokens(session: Session, user: str, thread: str, schemas: list[dict]) -> int:
    """What the LLM controller would send for this turn's last call (tool output included)."""
    values = session.graph.get_state(session._config(user, thread)).values
    view = model_view(session.lib, values["messages"][:-1], values.get("shown") or [])
    return estimate_tokens(request_chars(view, schemas))


def run_bench(settings: Settings, turns: int = 60, stock_sample: int = 256) -> tuple[Table, dict]:
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

    catalog = load_catalog(settings.catalog, settings.transcripts)
    with tempfile.TemporaryDirectory(prefix="clipwise-bench-") as tmp:
        lib = open_library(catalog, Path(tmp), build_index=False)
        if lib.embedder is None:
            raise ClipwiseError("The embedding model is missing, so there is no embedding path to benchmark.")
        texts = [v.embedding_text() for v in catalog.videos.values()]
        started = time.perf_counter()
        index_videos(catalog, lib.vectors, lib.embedder)
        build_s = time.perf_counter() - started
        lib.load_vectors()

        sample = random.Random(7).sample(texts, min(stock_sample, len(texts)))
        stock = DefaultEmbeddingFunction()
        stock(sample[:8])  # load the model before timing
        started = time.perf_counter()
        stock(sample)
        stock_rate = len(sample) / (time.perf_counter() - started)
        started = time.perf_counter()
        lib.embedder.embed(sample)
        ours_rate = len(sample) / (time.perf_counter() - started)

        session = Session(lib, Path(tmp), k=10)
        started = time.perf_counter()
        warm_clips(lib)  # what a server does in the background at start; timed turns are warm turns
        warm_s = time.perf_counter() - started
        topics = topics_of(catalog) or ["video"]
        latencies, prompts = [], []
        schemas = [convert_to_openai_tool(t) for t in TOOLS]
        for n in range(turns + 5):
            user = f"bench-{n // len(TURNS)}"
            said = TURNS[n % len(TURNS)].format(t=topics[(n // len(TURNS)) % len(topics)])
            turn = session.ask(said, user=user, thread="bench")
            if n >= 5:
                latencies.append(turn.latency_ms)
                prompts.append(prompt_tokens(session, user, "bench", schemas))
        session.close()
        parse_ms = parse_latencies(lib, topics, datetime.date.today())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = {
        "catalog_videos": len(texts), "index_build_s": round(build_s, 2),
        "index_items_per_s": round(len(texts) / build_s, 1),
        "sample": len(sample), "ours_items_per_s": round(ours_rate, 1), "stock_items_per_s": round(stock_rate, 1),
        "speedup": round(ours_rate / stock_rate, 1), "turns": len(latencies),
        "warm_up_s": round(warm_s, 1), "turn_latency_ms_p50": round(percentile(latencies, 50), 1),
        "turn_latency_ms_p95": round(percentile(latencies, 95), 1), "peak_rss_mb": round(peak_mb),
        "llm_prompt_tokens_p50": round(percentile(prompts, 50)), "llm_prompt_tokens_max": max(prompts),
        "parse_messages": len(parse_ms), "parse_ms_p50": round(percentile(parse_ms, 50), 2),
        "parse_ms_p95": round(percentile(parse_ms, 95), 2),
    }
    table = Table(title=f"clipwise bench — {catalog.name}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("videos in catalog", f"{len(texts)}"),
        ("index build (embed + Chroma upsert), s", f"{build_s:.1f}"),
        ("index build, items/s", f"{data['index_items_per_s']}"),
        (f"embedding, ours, items/s ({len(sample)} texts)", f"{ours_rate:.1f}"),
        (f"embedding, Chroma stock, items/s (same {len(sample)})", f"{stock_rate:.1f}"),
        ("speed-up, ours / stock", f"{data['speedup']}x"),
        ("warm-up (read transcripts, build clip indexes), s", f"{data['warm_up_s']}"),
        (f"turn latency p50, ms ({len(latencies)} warm turns)", f"{data['turn_latency_ms_p50']}"),
        ("turn latency p95, ms", f"{data['turn_latency_ms_p95']}"),
        (f"request parse p50, ms ({len(parse_ms)} messages, caches cleared)", f"{data['parse_ms_p50']}"),
        ("request parse p95, ms", f"{data['parse_ms_p95']}"),
        ("peak memory (RSS), MB", f"{data['peak_rss_mb']}"),
        ("LLM prompt per turn, tokens (est.), p50", f"{data['llm_prompt_tokens_p50']}"),
        ("LLM prompt per turn, tokens (est.), max", f"{data['llm_prompt_tokens_max']}"),
    ]
    for row in rows:
        table.add_row(*row)
    return table, data
