"""evals/natural on the real catalog: conversations in the words people really use.

The cases say what SHOULD happen when someone talks naturally ("I'm done with Vox", "quick ones
only", "how come you suggested the top one?"). The whole suite runs once on the real index (built
once per session by the `real_index_dir` fixture); it is skipped, with the reason, when
../shared/data/real is absent. Nearly every case must pass, and nothing may leak: a case that
fails a channel, term, video, length or date check means a refused thing was shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import NEEDS_MODEL
from rich.console import Console

from agent.settings import Settings
from evals.runner import run_eval

pytestmark = pytest.mark.slow

NATURAL = Path(__file__).resolve().parents[1] / "evals" / "natural"
MIN_PASS_RATE = 0.95
# How the judge words a failed steering check (evals/judge.py): no_results_in / _from_channels /
# _with_terms, max/min_duration_s, published_after.
LEAK_MARKS = ("steering leak", " lasts ", " published ")


def is_leak(failure: str) -> bool:
    return any(mark in failure for mark in LEAK_MARKS)


@NEEDS_MODEL  # people's own words for a topic ('late-night shows') rarely are the titles' words
def test_natural_conversations_on_the_real_catalog(real_data, real_index_dir, tmp_path):
    report_file = tmp_path / "natural-report.json"
    with open(tmp_path / "eval-output.txt", "w") as out:
        run_eval([NATURAL], Settings(data_dir=real_index_dir, catalog=real_data / "catalog.jsonl",
                                     transcripts=real_data / "transcripts"), report_file, Console(file=out))
    report = json.loads(report_file.read_text())
    conv = next(s for s in report["suites"] if s["kind"] == "conversations")
    cases = conv["cases"]
    failed = [c for c in cases if not c["passed"]]
    leaking = [c for c in failed if any(is_leak(f) for f in c["failures"])]

    print(f"\nevals/natural: {len(cases) - len(failed)}/{len(cases)} cases passed, "
          f"steering leaks: {conv['metrics']['steering_leaks']}, cases with a leak: {len(leaking)}")
    for c in failed:
        print(f"FAIL {c['name']}{' (LEAK)' if c in leaking else ''}")
        for f in c["failures"]:
            print(f"    {f}")

    assert len(cases) >= 44
    assert not leaking, [c["name"] for c in leaking]
    assert conv["metrics"]["steering_leaks"] == 0
    pass_rate = (len(cases) - len(failed)) / len(cases)
    assert pass_rate >= MIN_PASS_RATE, f"{pass_rate:.0%} of cases passed, wanted {MIN_PASS_RATE:.0%}: " \
                                       + ", ".join(c["name"] for c in failed)
