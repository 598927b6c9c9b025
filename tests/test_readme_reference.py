"""README's flag table is the CLI's own: it says what `--help` says, command by command."""

from __future__ import annotations

from agent.cli.reference import README, readme_section, table


def test_readme_flag_table_matches_the_cli():
    section = readme_section(README.read_text(encoding="utf-8"))
    assert section is not None, "README.md has lost its cli-flags markers"
    assert section == table(), "README's flag table is out of date: run `uv run python -m agent.cli.reference --write`"


def test_the_table_has_every_command_and_flag_the_cli_takes():
    from typer.testing import CliRunner

    from agent.cli.main import app

    made = table()
    for command in ("index", "recommend", "similar", "clip", "chat", "bench", "eval", "import", "export", "forget"):
        assert f"| `clipwise {command}` |" in made
    runner = CliRunner()
    help_text = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"}).output
    assert "--since" in help_text and "`--since <str>`" in made
    assert "--catalog" not in help_text and "| `clipwise import` | `PATH` | `--user <str>`" in made
