"""Options and output helpers shared by the `clipwise` commands."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from agent.cli.terminal_text import printable
from agent.private_files import keep_private
from agent.settings import Settings
from tools.errors import ClipwiseError

out = Console()
err = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Where memory and the index live [env CLIPWISE_DATA_DIR].")]
CatalogOpt = Annotated[Optional[Path], typer.Option("--catalog", help="JSONL file or yt-dlp folder [env CLIPWISE_CATALOG].")]
TranscriptsOpt = Annotated[Optional[Path], typer.Option("--transcripts", help="Folder of <id>.json transcripts [env CLIPWISE_TRANSCRIPTS].")]
UserOpt = Annotated[Optional[str], typer.Option("--user", help="Whose memory [env CLIPWISE_USER].")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
K = Annotated[int, typer.Option("--k", min=1, max=50, help="How many results.")]


FLAGS = {"data_dir": "--data-dir", "catalog": "--catalog", "transcripts": "--transcripts", "user": "--user"}
"""The settings a command's flags give (they override the CLIPWISE_* variables)."""


def settings_from(data_dir, catalog, transcripts, user) -> Settings:
    """Settings from the flags given and the environment; a bad value ends the command with a
    message naming its variable or flag (not a pydantic traceback)."""
    from agent.read_settings import read_settings

    given = {"data_dir": data_dir, "catalog": catalog, "transcripts": transcripts, "user": user}
    try:
        settings = read_settings(Settings, FLAGS, **{k: v for k, v in given.items() if v is not None})
    except ClipwiseError as exc:
        fail(exc)
    keep_private(settings.data_dir)
    return settings


def fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {escape(printable(str(exc)))}", highlight=False)
    raise typer.Exit(1)


def warn(text: str) -> None:
    """A line on stderr (a note, an error that does not end the command), printed as plain text."""
    err.print(printable(text), highlight=False, markup=False)


def emit(as_json: bool, data, text: str) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        out.print(printable(text), highlight=False, markup=False)


class ControllerName(str, Enum):
    rules = "rules"
    llm = "llm"


ControllerOpt = Annotated[Optional[ControllerName], typer.Option(
    "--controller", help="Who plans the tool calls (default: llm when OPENAI_API_KEY or OPENAI_BASE_URL is set, else rules).")]


def controller_for(name: ControllerName | None):
    """The controller node; an unset or failing LLM falls back to the rules (and says so once)."""
    from agent.controllers import controller_named

    return controller_named(name.value if name else None)
