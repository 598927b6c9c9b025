"""Semantic IDs on a catalog: codebook use, purity against human series, and list diversity by family cap.

    uv run python -m evals.semantic_ids_report --catalog ../shared/data/real/catalog.jsonl \
        --transcripts ../shared/data/real/transcripts --data-dir /tmp/realdata \
        --groups ../shared/data/real/groups.jsonl --queries evals/real/series.retrieval.jsonl

Purity: for each human series (topic_series, playlist_series) of 3+ catalog videos, the share of
its videos in its most common level-1 family, beside the same with the families shuffled (chance).
Diversity: a new user per query, with that query as the one interest; distinct level-1 families in
the top 10 that `recommend` lists from it, and P@10 against the query's relevant videos, for each
spread setting. The users are forgotten at the end.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from evals.clip_eval import read_jsonl
from tools.catalog.store import load_catalog
from tools.library import Library, forget_user, open_library
from tools.ranking import Request, recommend
from tools.steering import add_interest

CAPS = ((0, 1), (2, 1), (3, 1), (4, 1), (2, 2), (3, 2), (4, 2))
"""(videos per prefix, prefix levels); cap 0 = no spread."""
SERIES_TYPES = ("topic_series", "playlist_series")


def usage_rows(lib: Library) -> list[tuple[str, str]]:
    codes, books = lib.families.codes, lib.families.books
    rows = []
    for level, centroids in enumerate(books.centroids):
        counts = Counter(codes[:, level].tolist())
        rows.append((f"level {level + 1}: codes used / dead / largest share",
                     f"{len(counts)} / {len(centroids) - len(counts)} / {max(counts.values()) / len(codes):.3f}"))
    rows.append(("distinct full codes (videos)", f"{len({tuple(c) for c in codes.tolist()})} ({len(codes)})"))
    return rows


def purity(lib: Library, groups: list[list[str]], families: np.ndarray) -> float:
    shares = []
    for ids in groups:
        fam = Counter(int(families[lib.row[v]]) for v in ids)
        shares.append(fam.most_common(1)[0][1] / len(ids))
    return float(np.mean(shares)) if shares else float("nan")


def series_groups(lib: Library, path: Path) -> list[list[str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        ids = [v for v in g.get("video_ids", []) if v in lib.row]
        if g.get("type") in SERIES_TYPES and len(ids) >= 3:
            out.append(ids)
    return out


def diversity_rows(lib: Library, queries: Path, data_dir: Path) -> list[tuple[str, str]]:
    cases = [(c["query"], set(c["relevant"])) for c in read_jsonl(queries, ("query", "relevant"))]
    rows = []
    users = [f"semantic-ids-report-{n}" for n in range(len(cases))]
    for cap, levels in CAPS:
        distinct, precision = [], []
        for n, (query, relevant) in enumerate(cases):
            user = users[n]
            if not lib.users.find_interest(user, query):
                add_interest(lib, user, query, f"I like {query}", source="eval")
            ranking = recommend(lib, Request(user=user, skip_seen=False, family_cap=cap, family_levels=levels))
            ids = [item.video_id for item in ranking.items]
            distinct.append(len({lib.families.family(v) for v in ids}))
            precision.append(sum(v in relevant for v in ids) / max(1, min(10, len(relevant & set(lib.ids)))))
        cap_name = f"{cap} per level-{levels} prefix" if cap else "off"
        rows.append((f"spread {cap_name}: families in top 10 / P@10",
                     f"{np.mean(distinct):.2f} / {np.mean(precision):.4f}"))
    for user in users:
        forget_user(data_dir, user, lib.catalog.name)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, required=True)
    ap.add_argument("--transcripts", type=Path)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--groups", type=Path, help="groups.jsonl with human series")
    ap.add_argument("--queries", type=Path, help="a *.retrieval.jsonl of queries for the diversity rows")
    args = ap.parse_args(argv)
    lib = open_library(load_catalog(args.catalog, args.transcripts), args.data_dir)
    if not lib.families.ready():
        print("no semantic IDs: the embedding model is missing, so there are no video vectors to code")
        return 1
    rows = usage_rows(lib)
    if args.groups:
        groups = series_groups(lib, args.groups)
        shuffled = np.random.default_rng(0).permutation(lib.families.codes[:, 0])
        rows.append((f"purity of level 1 against {len(groups)} human series (chance)",
                     f"{purity(lib, groups, lib.families.codes[:, 0]):.3f} ({purity(lib, groups, shuffled):.3f})"))
    if args.queries:
        rows += diversity_rows(lib, args.queries, args.data_dir)
    table = Table(title=f"semantic IDs — {args.catalog}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
