"""What the CLI leaves on disk is private, and what it prints cannot drive the terminal."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.cli.terminal_text import printable
from agent.private_files import keep_private

HOSTILE_TITLE = "Sourdough \x1b]0;owned\x07\x1b[2J\x1b[31mbasics\u202e\x9b31m for bakers\rX"


@pytest.fixture(autouse=True)
def shell_umask():
    """A shell's usual umask (group and others may read), given back afterwards."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def hostile_catalog(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"video_id": f"bake{i}", "title": title, "channel": "Crumb \x1b[5mLab", "description": "bread baking",
             "duration_s": 600, "published_at": "2021-05-01"}
            for i, title in enumerate([HOSTILE_TITLE, "Sourdough starter care", "Shaping a sourdough loaf"])]
    path = folder / "catalog.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in (folder, *folder.rglob("*"))
            if not p.is_symlink()}


def test_memory_and_index_are_readable_by_their_owner_only(tmp_path):
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["recommend", "sourdough", "--json", "--data-dir", str(data),
                                      "--catalog", str(hostile_catalog(tmp_path / "cat"))])

    assert result.exit_code == 0, result.stderr
    found = modes(data)
    assert "memory.sqlite" in found and len(found) > 3
    assert {name: mode for name, mode in found.items() if mode & 0o077} == {}


def test_a_data_dir_left_readable_by_an_older_version_is_tightened(tmp_path):
    data = tmp_path / "old"
    (data / "index").mkdir(parents=True)
    (data / "memory.sqlite").write_bytes(b"")
    (data / "index" / "vectors.bin").write_bytes(b"")
    os.chmod(data / "memory.sqlite", 0o644)
    os.chmod(data / "index", 0o755)

    keep_private(data)

    assert modes(data) == {".": 0o700, "memory.sqlite": 0o600, "index": 0o700, "index/vectors.bin": 0o600}


def test_titles_and_channels_print_without_escape_sequences(tmp_path):
    result = CliRunner().invoke(app, ["recommend", "sourdough", "--data-dir", str(tmp_path / "data"),
                                      "--catalog", str(hostile_catalog(tmp_path / "cat"))])

    assert result.exit_code == 0, result.stderr
    assert "Sourdough basics for bakersX" in result.stdout and "Crumb Lab" in result.stdout  # the words stay
    for control in ("\x1b", "\x07", "\x9b", "\u202e", "\r"):
        assert control not in result.stdout, repr(control)


def test_an_error_naming_hostile_input_is_printed_plainly(tmp_path):
    bad = tmp_path / "bad\x1b[31m.jsonl"
    bad.write_text('{"video_id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["recommend", "bread", "--data-dir", str(tmp_path / "d"), "--catalog", str(bad)])

    assert result.exit_code == 1 and "bad.jsonl" in result.stderr and "\x1b" not in result.stderr


def test_printable_keeps_words_tabs_newlines_and_emoji():
    text = "Jazz\tpiano 🎹\nlesson 👩‍🏫 — ünïcödé"
    assert printable(text) == text
    assert printable("a\x1b[31mb\x00c\x7fd\x1b]8;;http://x\x1b\\e") == "abcde"
