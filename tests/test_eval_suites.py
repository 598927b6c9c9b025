"""`clipwise eval`: the project's own suites pass, the report keeps its shape, the format is strict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import NEEDS_MODEL
from rich.console import Console

from agent.settings import Settings
from evals import build_real_suites
from evals.runner import run_eval
from tools.errors import ClipwiseError

pytestmark = pytest.mark.slow

EVALS = Path(__file__).resolve().parents[1] / "evals"


def run(paths: list[Path], data_dir: Path, tmp_path: Path, **settings) -> tuple[bool, dict]:
    report = tmp_path / "report.json"
    ok = run_eval(paths, Settings(data_dir=data_dir, **settings), report, Console(file=open(tmp_path / "out.txt", "w")))
    return ok, json.loads(report.read_text())


def suite(report: dict, kind: str, name_part: str = "") -> dict:
    return next(s for s in report["suites"] if s["kind"] == kind and name_part in s["path"])


@NEEDS_MODEL  # the suite's bar is beating the lexical baseline, which words alone cannot
def test_small_suite_passes_with_no_leaks_and_beats_baselines(tmp_path, data_dir):
    ok, report = run([EVALS / "small"], data_dir, tmp_path)
    conv = suite(report, "conversations")
    failed = [c for c in conv["cases"] if not c["passed"]]
    assert ok and not failed, failed
    assert conv["metrics"]["cases_total"] >= 25
    assert conv["metrics"]["steering_leaks"] == 0
    assert conv["metrics"]["grounded_explanations"] == 1.0
    clips = suite(report, "clips")["metrics"]
    assert clips["hit_rate"] > clips["baseline_random_hit_rate"] + 0.2
    assert clips["hit_rate"] > clips["baseline_start_hit_rate"] + 0.2
    retrieval = suite(report, "retrieval")["metrics"]
    assert retrieval["precision_at_10"] > retrieval["baseline_popularity_precision_at_10"]
    assert retrieval["precision_at_10"] >= retrieval["baseline_lexical_precision_at_10"]


def test_report_has_the_documented_shape(tmp_path, data_dir):
    one = tmp_path / "suite"
    one.mkdir()
    shutil.copy(EVALS / "small" / "drop-topic-holds.yaml", one)
    _, report = run([one, EVALS / "small" / "demo.retrieval.jsonl"], data_dir, tmp_path)
    conv = suite(report, "conversations")
    assert set(conv["metrics"]) >= {"cases_total", "cases_passed", "steering_leaks", "grounded_explanations",
                                    "latency_ms_p50", "latency_ms_p95"}
    assert set(conv["cases"][0]) >= {"name", "passed", "failures"}
    assert set(suite(report, "retrieval")["metrics"]) >= {
        "n", "precision_at_10", "recall_at_10", "ndcg_at_10", "hit_at_10",
        "baseline_popularity_precision_at_10", "baseline_lexical_precision_at_10"}


def test_a_failing_case_fails_the_run_and_says_why(tmp_path, data_dir):
    case = tmp_path / "cases" / "impossible.yaml"
    case.parent.mkdir()
    case.write_text("name: impossible\nturns:\n  - say: I want to learn linear algebra\n"
                    "    expect:\n      no_results_with_terms: [linear algebra]\n")
    ok, report = run([case.parent], data_dir, tmp_path)
    conv = suite(report, "conversations")
    assert not ok
    assert conv["metrics"]["steering_leaks"] > 0
    assert "steering leak" in conv["cases"][0]["failures"][0]


def test_an_unknown_expectation_key_is_an_error_not_a_pass(tmp_path, data_dir):
    case = tmp_path / "cases" / "typo.yaml"
    case.parent.mkdir()
    case.write_text("name: typo\nturns:\n  - say: recommend something\n    expect:\n      min_result: 3\n")
    with pytest.raises(ClipwiseError, match="unknown expectation key.*min_result"):
        run([case.parent], data_dir, tmp_path)


@NEEDS_MODEL
def test_real_data_subset(real_data, real_index_dir, tmp_path):
    """The fast real-data subset CI runs: generated series retrieval and the hand-written cases."""
    out = tmp_path / "real-suites"
    assert build_real_suites.main(["--data", str(real_data), "--out", str(out)]) == 0
    conversations = out / "conversations"
    conversations.mkdir()
    for case in (EVALS / "real").glob("*.yaml"):
        shutil.copy(case, conversations)
    ok, report = run([out / "series.retrieval.jsonl", conversations], real_index_dir, tmp_path,
                     catalog=real_data / "catalog.jsonl", transcripts=real_data / "transcripts")
    conv = suite(report, "conversations")
    assert ok, [c for c in conv["cases"] if not c["passed"]]
    assert conv["metrics"]["steering_leaks"] == 0
    series = suite(report, "retrieval", "series")["metrics"]
    assert series["precision_at_10"] >= 0.8
    assert series["precision_at_10"] > series["baseline_popularity_precision_at_10"]
