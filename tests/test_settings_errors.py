"""A bad setting ends a command with one line naming the variable and what it may be, not a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from agent.cli.main import app
from agent.read_settings import read_settings
from agent.settings import Settings
from tools.errors import ClipwiseError
from tools.youtube.youtube_config import YouTubeSettings

KEY = "AIzaSyTESTKEY-never-printed-0123456789"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def failed_with(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "validation error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())  # the terminal's line wrapping undone
    for word in words:
        assert word in text, result.output
    return text


@pytest.mark.parametrize("name, value, words", [
    ("CLIPWISE_SOURCES", "yt", ["CLIPWISE_SOURCES", "'yt'", "'local+youtube'"]),
    ("CLIPWISE_RESULTS", "0", ["CLIPWISE_RESULTS", "'0'", "greater than or equal to 1"]),
    ("CLIPWISE_RESULTS", "ten", ["CLIPWISE_RESULTS", "'ten'", "valid integer"]),
])
def test_a_bad_clipwise_setting_names_its_variable(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    failed_with(run("recommend", "chess", "--k", "2"), *words)


def test_every_memory_command_reports_it_too(monkeypatch, tmp_path):
    monkeypatch.setenv("CLIPWISE_RESULTS", "99")
    for args in (["export"], ["forget", "--all"], ["import", str(tmp_path / "x.json")]):
        failed_with(run(*args), "CLIPWISE_RESULTS", "less than or equal to 50")


def test_a_bad_youtube_setting_names_it_and_never_the_key(monkeypatch):
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
    monkeypatch.setenv("YOUTUBE_SAFE_SEARCH", "off")
    out = failed_with(run("recommend", "chess", "--k", "2"), "YOUTUBE_SAFE_SEARCH", "'off'", "'moderate'")
    assert KEY not in out and "AIzaSy" not in out


def test_several_bad_youtube_settings_are_named_together(monkeypatch):
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
    monkeypatch.setenv("YOUTUBE_DAILY_BUDGET", "-5")
    monkeypatch.setenv("YOUTUBE_PER_QUERY", "500")
    out = failed_with(run("similar", "demo-linal1"), "YOUTUBE_DAILY_BUDGET", "YOUTUBE_PER_QUERY")
    assert KEY not in out


@pytest.mark.slow
def test_youtube_settings_are_not_read_for_the_local_catalog_only(monkeypatch):
    monkeypatch.setenv("CLIPWISE_SOURCES", "local")
    monkeypatch.setenv("YOUTUBE_SAFE_SEARCH", "off")
    result = run("recommend", "chess", "--k", "2", "--json")
    assert result.exit_code == 0, result.output


def test_a_bad_llm_setting_on_import_names_it_and_never_the_key(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-never-printed-987654321")
    monkeypatch.setenv("CLIPWISE_LLM_TIMEOUT_S", "0")
    out = failed_with(run("import", str(tmp_path / "watch-history.json")), "CLIPWISE_LLM_TIMEOUT_S", "greater than 0")
    assert "sk-test-never-printed" not in out


def test_a_secret_value_is_never_echoed_even_where_it_does_not_belong(monkeypatch):
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
    monkeypatch.setenv("YOUTUBE_PER_QUERY", KEY)  # pasted into the wrong variable
    with pytest.raises(ClipwiseError) as caught:
        read_settings(YouTubeSettings)
    assert "YOUTUBE_PER_QUERY" in str(caught.value) and KEY not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_bad_flag_value_names_the_flag():
    with pytest.raises(ClipwiseError, match=r"--results='lots'.*valid integer"):
        read_settings(Settings, {"data_dir": "--data-dir"}, results="lots")
