"""Retrieval cases (*.retrieval.jsonl): search and more-like-this against human groupings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from evals.clip_eval import read_jsonl
from tools.errors import ClipwiseError
from tools.library import Library

K = 10
CV_MIN_ROWS = 10
"""'More like this' suites this size or larger are also scored with weights fitted on the other
folds (evals/fit_related.py), so the number printed beside the in-sample one is honest."""


def top_ids(lib: Library, scores: np.ndarray, exclude: str | None = None) -> list[str]:
    order = np.argsort(-scores, kind="stable")
    return [lib.ids[i] for i in order if lib.ids[i] != exclude][:K]


def measures(ranked: list[str], relevant: set[str]) -> dict:
    hits = [vid in relevant for vid in ranked[:K]]
    ideal = min(K, len(relevant))
    dcg = sum(1 / math.log2(r + 2) for r, h in enumerate(hits) if h)
    idcg = sum(1 / math.log2(r + 2) for r in range(ideal))
    return {
        "precision_at_10": sum(hits) / ideal if ideal else 0.0,
        "recall_at_10": sum(hits) / len(relevant) if relevant else 0.0,
        "ndcg_at_10": dcg / idcg if idcg else 0.0,
        "hit_at_10": float(any(hits)),
    }


def run_retrieval(lib: Library, path: Path) -> tuple[dict, list[dict]]:
    views = np.array([math.log1p(lib.catalog.get(v).view_count or 0) for v in lib.ids])
    rows, pop, lex, cases = [], [], [], []
    for case in read_jsonl(path, ("relevant",)):
        seed = case.get("video_id")
        if seed is None and "query" not in case:
            raise ClipwiseError(f"{path}, line {case['_line']}: needs 'query' or 'video_id'")
        if seed is not None and seed not in lib.row:
            raise ClipwiseError(f"{path}, line {case['_line']}: video '{seed}' is not in the catalog")
        relevant = {v for v in case["relevant"] if v != seed and v in lib.row}
        if not relevant:
            continue
        if seed is not None:
            ours = top_ids(lib, lib.similarity_to(seed), seed)
            lexical = top_ids(lib, lib.lexical_scores(lib.catalog.get(seed).title), seed)
        else:
            ours = top_ids(lib, lib.relevance(case["query"]))
            lexical = top_ids(lib, lib.lexical_scores(case["query"]))
        m = measures(ours, relevant)
        rows.append(m)
        pop.append(measures(top_ids(lib, views, seed), relevant)["precision_at_10"])
        lex.append(measures(lexical, relevant)["precision_at_10"])
        name = case.get("query") or f"like {seed}"
        ok = m["hit_at_10"] > 0
        cases.append({"name": name, "passed": ok,
                      "failures": [] if ok else ["no relevant video in the top 10"],
                      "precision_at_10": round(m["precision_at_10"], 3)})
    avg = lambda xs: round(sum(xs) / len(xs), 4) if xs else None
    metrics = {"n": len(rows)}
    for key in ("precision_at_10", "recall_at_10", "ndcg_at_10", "hit_at_10"):
        metrics[key] = avg([r[key] for r in rows])
    metrics["baseline_popularity_precision_at_10"] = avg(pop)
    metrics["baseline_lexical_precision_at_10"] = avg(lex)
    seeded = cases and all(c["name"].startswith("like ") for c in cases)
    if seeded and len(rows) >= CV_MIN_ROWS:
        from evals.fit_related import cases as related_cases, cross_validated, training_rows

        cv = cross_validated(lib, related_cases(lib, path), training_rows(lib, path))
        metrics["cross_validated_hit_at_10"] = cv["hit_at_10"]
        metrics["cross_validated_precision_at_10"] = cv["precision_at_10"]
    return metrics, cases
