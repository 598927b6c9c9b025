"""Peak memory of loading each hostile catalog or transcript file, one fresh process per case; prints a table.

Run: uv run python evals/hostile_data_rss.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

GOOD = '{"video_id": "good-1", "title": "Eigenvalues, visually"}\n'


def write_case(case: str, folder: Path) -> Path:
    if case == "60 MB title":
        path = folder / "c.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(GOOD + '{"video_id": "huge", "title": "')
            chunk = "x" * (1 << 20)
            for _ in range(60):
                handle.write(chunk)
            handle.write('"}\n')
        return path
    if case == "deep JSON (100k levels) line":
        path = folder / "c.jsonl"
        path.write_text(GOOD + '{"video_id": "b", "title": "t", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
        return path
    if case == "NaN line":
        path = folder / "c.jsonl"
        path.write_text(GOOD + '{"video_id": "b", "title": "t", "duration_s": NaN}\n')
        return path
    if case == "deep JSON (100k levels) transcript":
        path = folder / "t.json"
        path.write_text("[" * 100_000 + "]" * 100_000)
        return path
    if case == "1e308 start transcript":
        path = folder / "t.json"
        path.write_text(json.dumps([{"start": 1.0, "text": "a"}, {"start": 1e308, "text": "b"}]))
        return path
    if case == "overlapping transcript":
        path = folder / "t.json"
        path.write_text(json.dumps([{"start": i, "duration": 500.0, "text": f"line {i}"} for i in range(10_000)]))
        return path
    raise ValueError(case)


CASES = ["60 MB title", "deep JSON (100k levels) line", "NaN line", "deep JSON (100k levels) transcript",
         "1e308 start transcript", "overlapping transcript"]


def run_case(case: str) -> None:
    """In the child: write the file, load it, print 'peak MB<TAB>outcome'."""
    from tools.catalog.store import load_catalog
    from tools.catalog.transcript_files import read_transcript
    from tools.errors import ClipwiseError

    with tempfile.TemporaryDirectory() as tmp:
        path = write_case(case, Path(tmp))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            if path.suffix == ".jsonl":
                catalog = load_catalog(path)
                outcome = f"{len(catalog)} loaded, {len(catalog.load_report.skipped)} skipped: " + \
                          (catalog.load_report.skipped or [""])[0].split(": ", 1)[-1][:60]
            else:
                segments = read_transcript(path)
                longest = max(s.duration for s in segments)
                outcome = f"{len(segments)} lines, longest {longest:.0f} s"
        except ClipwiseError as exc:
            outcome = f"{type(exc).__name__}: {str(exc).split(': ', 1)[-1][:60]}"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{peak / 1024:.0f}\t{(peak - before) / 1024:.0f}\t{outcome}")


def main() -> None:
    print(f"| case | peak RSS MB | growth MB | outcome |\n| --- | ---: | ---: | --- |")
    for case in CASES:
        done = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True)
        if done.returncode:
            print(f"| {case} | - | - | CRASHED: {done.stderr.strip().splitlines()[-1]} |")
            continue
        peak, growth, outcome = done.stdout.strip().splitlines()[-1].split("\t")
        print(f"| {case} | {peak} | {growth} | {outcome} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        run_case(sys.argv[2])
    else:
        main()
