"""Fit the "more like this" weights on related-video groupings, with cross-validation by anchor.

    uv run python -m evals.fit_related evals/real/related.retrieval.jsonl \
        --catalog ../shared/data/real/catalog.jsonl --transcripts ../shared/data/real/transcripts \
        --data-dir /tmp/realdata [--write]

Prints hit@10 and P@10 cross-validated (GroupKFold by anchor) and in-sample; --write stores the
weights fitted on every row in tools/related_weights.py. Pairs in related.train.jsonl beside the
suite (written by build_real_suites.py) join every fit but are never scored; in cross-validation
those whose anchor is being scored are left out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.model_selection import GroupKFold

from evals.clip_eval import read_jsonl
from tools.catalog.store import load_catalog
from tools.library import Library, open_library
from tools.related import FEATURES, blend

FOLDS = 5
NEGATIVES_NEAR, NEGATIVES_RANDOM = 200, 200
"""Per anchor: the nearest non-relevant videos (the hard cases) and a random draw of the rest."""
C = 1.0
"""Inverse strength of the L2 penalty on the weights."""
SIGN_FREE = {"both_transcripts"}
"""Every other feature is evidence for relatedness, so its weight may not go below 0: with
collinear features (channel, first tag, title words) an unconstrained fit flipped signs
(a shared playlist counting against a video) and cross-validated worse (P@10 0.280 vs 0.325).
both_transcripts only shifts the scale of the transcript cosines."""
WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "tools" / "related_weights.py"


def cases(lib: Library, path: Path) -> list[tuple[str, set[str]]]:
    out = []
    for row in read_jsonl(path, ("video_id", "relevant")):
        relevant = {v for v in row["relevant"] if v in lib.row and v != row["video_id"]}
        if row["video_id"] in lib.row and relevant:
            out.append((row["video_id"], relevant))
    return out


def training_rows(lib: Library, suite: Path) -> list[tuple[str, set[str]]]:
    extra = suite.with_name("related.train.jsonl")
    return cases(lib, extra) if extra.is_file() else []


def training_pairs(lib: Library, rows: list[tuple[str, set[str]]], rng: np.random.Generator):
    X, y = [], []
    for anchor, relevant in rows:
        cols = lib.related.matrix_for(anchor)
        labels = np.array([v in relevant for v in lib.ids])
        labels_idx = np.flatnonzero(labels)
        others = np.flatnonzero(~labels)
        others = others[others != lib.row[anchor]]
        near = others[np.argsort(-cols[others, FEATURES.index("meta_cosine")])[:NEGATIVES_NEAR]]
        far = rng.choice(others, size=min(NEGATIVES_RANDOM, len(others)), replace=False)
        pick = np.concatenate([labels_idx, near, far])
        X.append(cols[pick]), y.append(labels[pick])
    return np.vstack(X), np.concatenate(y)


def logistic_fit(X: np.ndarray, y: np.ndarray, bounds: list[tuple[float | None, float | None]],
                 c: float = C) -> tuple[np.ndarray, float]:
    """Class-balanced, L2-penalised logistic regression with bounds on each weight (L-BFGS-B)."""
    y = y.astype(float)
    sample = np.where(y > 0, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    d = X.shape[1]

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = p[:d], p[d]
        z = X @ w + b
        value = sample * (y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))
        g = sample * (1 / (1 + np.exp(-z)) - y)
        return value.sum() + 0.5 * (w @ w) / c, np.append(X.T @ g + w / c, g.sum())

    found = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds + [(None, None)])
    return found.x[:d], float(found.x[d])


def fit(lib: Library, rows: list[tuple[str, set[str]]], seed: int = 0) -> tuple[dict[str, float], float]:
    """Weights per feature and the intercept of a logistic regression on related / unrelated pairs."""
    X, y = training_pairs(lib, rows, np.random.default_rng(seed))
    bounds = [(None, None) if name in SIGN_FREE else (0.0, None) for name in FEATURES]
    w, b = logistic_fit(X.astype(np.float64), y, bounds)
    return {name: round(float(v), 4) for name, v in zip(FEATURES, w)}, round(b, 4)


def measure(lib: Library, rows: list[tuple[str, set[str]]], weights: dict[str, float], intercept: float,
            k: int = 10) -> dict:
    hits, precision = [], []
    for anchor, relevant in rows:
        scores = blend(lib.related.matrix_for(anchor), weights, intercept)
        scores[lib.row[anchor]] = -np.inf
        top = [lib.ids[i] for i in np.argsort(-scores, kind="stable")[:k]]
        found = sum(v in relevant for v in top)
        hits.append(found > 0)
        precision.append(found / min(k, len(relevant)))
    return {"n": len(rows), "hit_at_10": round(float(np.mean(hits)), 4),
            "precision_at_10": round(float(np.mean(precision)), 4)}


def cross_validated(lib: Library, rows: list[tuple[str, set[str]]], extra: list[tuple[str, set[str]]] = (),
                    folds: int = FOLDS) -> dict:
    """Each row measured with weights fitted on the other folds only (grouped by anchor)."""
    anchors = [a for a, _ in rows]
    hits, precision = [], []
    for train, test in GroupKFold(n_splits=min(folds, len(set(anchors)))).split(rows, groups=anchors):
        scored = {anchors[i] for i in test}
        weights, intercept = fit(lib, [rows[i] for i in train] + [e for e in extra if e[0] not in scored])
        m = measure(lib, [rows[i] for i in test], weights, intercept)
        hits += [m["hit_at_10"]] * m["n"]
        precision += [m["precision_at_10"]] * m["n"]
    return {"n": len(rows), "hit_at_10": round(float(np.mean(hits)), 4),
            "precision_at_10": round(float(np.mean(precision)), 4)}


def write_weights(weights: dict[str, float], intercept: float, source: str) -> None:
    lines = [f'"""Fitted "more like this" weights (evals/fit_related.py on {source}); do not edit by hand."""', "",
             f"INTERCEPT = {intercept!r}", "WEIGHTS = {"]
    lines += [f"    {name!r}: {w!r}," for name, w in weights.items()]
    lines += ["}", ""]
    WEIGHTS_FILE.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("suite", type=Path)
    ap.add_argument("--catalog", type=Path, required=True)
    ap.add_argument("--transcripts", type=Path)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--write", action="store_true", help="store the weights fitted on all rows")
    args = ap.parse_args(argv)
    lib = open_library(load_catalog(args.catalog, args.transcripts), args.data_dir)
    rows, extra = cases(lib, args.suite), training_rows(lib, args.suite)
    cv = cross_validated(lib, rows, extra)
    weights, intercept = fit(lib, rows + extra)
    ins = measure(lib, rows, weights, intercept)
    print(f"{'':16}{'hit@10':>8}{'P@10':>8}")
    print(f"{'cross-validated':16}{cv['hit_at_10']:>8.3f}{cv['precision_at_10']:>8.3f}")
    print(f"{'in-sample':16}{ins['hit_at_10']:>8.3f}{ins['precision_at_10']:>8.3f}")
    for name, w in weights.items():
        print(f"  {name:20}{w:+.3f}")
    if args.write:
        write_weights(weights, intercept, f"{args.suite.name} and related.train.jsonl")
        print(f"weights written to {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
