"""`clipwise eval`: find suites by file name, run them, print a table, write the JSON report."""

from __future__ import annotations

import json
import shutil
import statistics
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.rules.rules_controller import rules_controller
from agent.settings import Settings
from evals.clip_eval import run_clips
from evals.conversations import load_case, run_case
from evals.paraphrase_eval import run_paraphrases
from evals.retrieval_eval import run_retrieval
from evals.youtube_replay import CASSETTE_FOLDER, REPLAY_DIR, REPLAY_SUFFIX, YouTubeReplay
from tools.catalog.store import load_catalog
from tools.errors import ClipwiseError
from tools.library import Library, open_library


PARAPHRASE_FOLDER = "paraphrases"
"""Files under a folder of this name are utterances with their expected intents and slots, not conversations."""


def is_case_file(f: Path) -> bool:
    return f.name.endswith((".yaml", ".yml")) and not f.name.endswith(REPLAY_SUFFIX) \
        and CASSETTE_FOLDER not in f.parent.parts and PARAPHRASE_FOLDER not in f.parent.parts


def suite_files(paths: list[Path]) -> dict[str, list[Path]]:
    """Conversation suites are folders (or single files) of *.yaml; each jsonl file is a suite.
    Replay settings (*.replay.yaml) and anything under a cassettes/ folder are not cases."""
    found: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        if not path.exists():
            raise ClipwiseError(f"{path}: no such file or folder")
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.name.endswith((".yaml", ".yml")) and PARAPHRASE_FOLDER in f.parent.parts:
                found[f"paraphrases:{f.parent}"].append(f)
            elif is_case_file(f):
                found[f"conversations:{f.parent if path.is_dir() else f}"].append(f)
            elif f.name.endswith(".clips.jsonl"):
                found[f"clips:{f}"].append(f)
            elif f.name.endswith(".retrieval.jsonl"):
                found[f"retrieval:{f}"].append(f)
    if not found:
        raise ClipwiseError("no suites found (*.yaml, *.clips.jsonl, *.retrieval.jsonl)")
    return found


def pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def run_conversations(lib: Library, data_dir: Path, k: int, files: list[Path],
                      controller=rules_controller, replay: YouTubeReplay | None = None,
                      settings: Settings | None = None) -> tuple[dict, list[dict], Library]:
    """Run the cases; with a replay, each on its own library with YouTube on (`settings` then needed)."""
    cases, latencies, grounded, leaks = [], [], [], 0
    root = data_dir / REPLAY_DIR
    if replay is not None:
        shutil.rmtree(root, ignore_errors=True)  # earlier runs' quota ledgers and caches must not count
    for f in files:
        if replay is not None:
            result = replay.run_case(settings, root, f, controller)
        else:
            case = load_case(f)
            if case.get("youtube"):
                raise ClipwiseError(f"{f}: 'youtube' settings need a {REPLAY_SUFFIX} file in the case's folder")
            result, lib = run_case(lib, data_dir, k, f, controller, case)
        latencies += result.latencies
        grounded += result.grounded
        leaks += result.leaks
        cases.append({"name": result.name, "passed": result.passed, "failures": result.failures})
    metrics = {
        "cases_total": len(cases), "cases_passed": sum(c["passed"] for c in cases), "steering_leaks": leaks,
        "grounded_explanations": round(sum(grounded) / len(grounded), 4) if grounded else None,
        "latency_ms_p50": pct(latencies, 50), "latency_ms_p95": pct(latencies, 95),
    }
    return metrics, cases, lib


def print_report(report: dict, console: Console) -> None:
    for suite in report["suites"]:
        replayed = f"YouTube replayed from {suite['youtube_replay']}" if suite.get("youtube_replay") else None
        table = Table(title=f"{suite['kind']}: {suite['path']}", caption=replayed, show_header=True)
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in suite["metrics"].items():
            table.add_row(key, "—" if value is None else str(value))
        console.print(table)
        failed = [c for c in suite["cases"] if not c["passed"]]
        if failed and suite["kind"] == "conversations":
            for c in failed:
                console.print(f"[red]FAIL[/red] {c['name']}: " + "; ".join(c["failures"]), highlight=False)


def run_eval(paths: list[Path], settings: Settings, report_path: Path | None, console: Console,
             controller=rules_controller) -> bool:
    """Run every suite found with `controller` (the rules by default); True when every conversation case passed."""
    suites = suite_files(paths)
    data_dir = settings.data_dir if "data_dir" in settings.model_fields_set else settings.data_dir / "eval"
    lib = open_library(load_catalog(settings.catalog, settings.transcripts), data_dir)
    report = {"catalog": lib.catalog.name, "suites": []}
    ok = True
    for key, files in suites.items():
        kind, where = key.split(":", 1)
        replay = YouTubeReplay.find(files) if kind == "conversations" else None
        if kind == "conversations":
            metrics, cases, lib = run_conversations(lib, data_dir, settings.results, files, controller,
                                                    replay, settings)
            ok &= all(c["passed"] for c in cases)
        elif kind == "paraphrases":
            metrics, cases = run_paraphrases(files, lib.embedder)
        elif kind == "clips":
            metrics, cases = run_clips(lib, files[0])
        else:
            metrics, cases = run_retrieval(lib, files[0])
        entry = {"kind": kind, "path": where, "metrics": metrics, "cases": cases}
        if replay is not None:
            entry["youtube_replay"] = str(replay.cassette)
        report["suites"].append(entry)
    print_report(report, console)
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        console.print(f"report written to {report_path}")
    return ok
