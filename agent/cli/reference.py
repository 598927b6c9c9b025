"""README's table of commands and their flags, made from the CLI itself (what `--help` shows).

    uv run python -m agent.cli.reference            # print the table
    uv run python -m agent.cli.reference --write    # put it in README.md between its markers
"""

from __future__ import annotations

import argparse
from pathlib import Path

import typer.main

from agent.cli.main import app

START, END = "<!-- cli-flags:start (made by `python -m agent.cli.reference --write`) -->", "<!-- cli-flags:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def help_line(param, ctx) -> tuple[str, str]:
    """What `--help` prints for a parameter: its flags (or name) and its help."""
    names, text = param.get_help_record(ctx) or (param.name, "")
    return names, " ".join(text.split())


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def table() -> str:
    """One row per command: its arguments, then each flag with its help, as `--help` words them."""
    group = typer.main.get_command(app)
    rows = ["| command | arguments | flags |", "|---|---|---|"]
    for name in sorted(group.commands):
        command = group.commands[name]
        ctx = command.make_context(name, [], resilient_parsing=True)
        lines = [(p.param_type_name, *help_line(p, ctx)) for p in command.params if p.name != "help"]
        args = " ".join(f"`{names.split()[0].upper()}`" for kind, names, _ in lines if kind == "argument")
        # GitHub's tables take a pipe as a cell's end even in a code span, unless it is escaped there too.
        flags = "<br>".join(f"`{names.replace('|', chr(92) + '|')}` {cell(text)}".strip()
                            for kind, names, text in lines if kind != "argument")
        rows.append(f"| `clipwise {name}` | {args} | {flags} |")
    return "\n".join(rows)


def readme_section(text: str) -> str | None:
    """The table README holds between its markers (None when the markers are missing)."""
    if START not in text or END not in text:
        return None
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def write(path: Path = README) -> None:
    text = path.read_text(encoding="utf-8")
    if readme_section(text) is None:
        raise SystemExit(f"{path}: no {START} … {END} markers to put the table between")
    head, rest = text.split(START, 1)
    path.write_text(f"{head}{START}\n{table()}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="Put the table in README.md between its markers.")
    if ap.parse_args().write:
        write()
    else:
        print(table())


if __name__ == "__main__":
    main()
