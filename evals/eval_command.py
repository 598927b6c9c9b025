"""`clipwise eval`: registered with the CLI through the `clipwise.commands` entry point
(pyproject.toml), so the agent's CLI runs it without importing evals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from agent.cli.options import (
    CatalogOpt,
    ControllerName,
    DataDir,
    TranscriptsOpt,
    controller_for,
    fail,
    out,
    settings_from,
)
from tools.errors import ClipwiseError


def eval_command(paths: list[Path], data_dir: DataDir = None, catalog: CatalogOpt = None,
                 transcripts: TranscriptsOpt = None,
                 report: Annotated[Optional[Path], typer.Option("--report", help="Write the JSON report here.")] = None,
                 controller: Annotated[ControllerName, typer.Option("--controller", help="Who plans the tool calls.")]
                 = ControllerName.rules) -> None:
    """Run eval suites (*.yaml, *.clips.jsonl, *.retrieval.jsonl); exits 1 if a case fails."""
    from evals.runner import run_eval  # only when the command runs: the CLI starts without it

    s = settings_from(data_dir, catalog, transcripts, None)
    try:
        ok = run_eval(paths, s, report, out, controller=controller_for(controller))
    except ClipwiseError as exc:
        fail(exc)
    raise typer.Exit(0 if ok else 1)
