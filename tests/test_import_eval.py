"""A CI-sized run of the import eval on the real data: learned interests beat popularity."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.import_eval import open_eval_library, run_import_eval

pytestmark = pytest.mark.slow


def test_interests_learned_from_a_watch_history_beat_popularity(real_data: Path, real_index_dir: Path,
                                                                 tmp_path: Path):
    lib = open_eval_library(real_data, real_index_dir, tmp_path / "memory.sqlite")
    try:
        report = run_import_eval(lib, real_data, histories=4, seed=0)
    finally:
        lib.users.close()
    m = report["metrics"]
    assert report["histories"] == 4
    assert m["import"]["hit_at_10"] > m["popularity"]["hit_at_10"], report
    assert m["import"]["hit_at_10"] > m["no_import"]["hit_at_10"], report
    assert m["import"]["hit_at_10"] >= 0.5, report["rows"]
