"""Clip placement cases (*.clips.jsonl) against human-marked segments, with two baselines."""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

from tools.clips import NoMatch, find_clip
from tools.errors import ClipwiseError, UnknownVideoError
from tools.library import Library

RANDOM_DRAWS = 50
CV_MIN_CASES = 50
"""Suites this size or larger are also placed with constants fitted on the other folds'
videos (evals/fit_clips.py), printed beside the in-sample hit rate."""


def read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClipwiseError(f"{path}, line {n}: invalid JSON ({exc.msg})") from None
        missing = [k for k in required if k not in case]
        if missing:
            raise ClipwiseError(f"{path}, line {n}: missing field(s) {', '.join(missing)}")
        case["_line"] = n
        cases.append(case)
    return cases


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def hit(clip: tuple[float, float], truth: tuple[float, float]) -> bool:
    mid = (clip[0] + clip[1]) / 2
    return truth[0] <= mid < truth[1]


def run_clips(lib: Library, path: Path) -> tuple[dict, list[dict]]:
    rng = random.Random(13)
    hits, ious, errors, random_hits, start_hits, cases = [], [], [], [], [], []
    for case in read_jsonl(path, ("video_id", "interest", "start", "end")):
        truth = (float(case["start"]), float(case["end"]))
        name = f"{case['video_id']} '{case['interest']}'"
        try:
            found = find_clip(lib, case["video_id"], case["interest"], embed_missing=True)
        except UnknownVideoError as exc:
            found, problem = None, str(exc)
        else:
            problem = "no transcript"
        if isinstance(found, NoMatch):
            found, problem = None, found.note
        if found is None:
            hits.append(False), ious.append(0.0), random_hits.append(0.0), start_hits.append(False)
            cases.append({"name": name, "passed": False, "failures": [problem]})
            continue
        clip = (found.start, found.end)
        length = clip[1] - clip[0]
        duration = (lib.catalog.transcript(case["video_id"]) or [])[-1].end
        hits.append(hit(clip, truth))
        ious.append(iou(clip, truth))
        errors.append(abs(clip[0] - truth[0]))
        draws = [rng.uniform(0, max(0.0, duration - length)) for _ in range(RANDOM_DRAWS)]
        random_hits.append(sum(hit((s, s + length), truth) for s in draws) / RANDOM_DRAWS)
        start_hits.append(hit((0.0, length), truth))
        fail = [] if hits[-1] else [f"clip {clip[0]:.0f}-{clip[1]:.0f}s, marked {truth[0]:.0f}-{truth[1]:.0f}s"]
        cases.append({"name": name, "passed": hits[-1], "failures": fail})
    n = len(hits)
    mean = lambda xs: round(sum(xs) / len(xs), 4) if xs else None
    metrics = {
        "n": n, "hit_rate": mean(hits), "mean_iou": mean(ious),
        "median_start_error_s": round(statistics.median(errors), 1) if errors else None,
        "baseline_random_hit_rate": mean(random_hits), "baseline_start_hit_rate": mean(start_hits),
    }
    if n >= CV_MIN_CASES:
        from evals.fit_clips import evaluate, load_cases

        fitted = evaluate(load_cases(lib, path))
        metrics.update({k: v for k, v in fitted.items() if k.startswith("cross_validated")})
    return metrics, cases
