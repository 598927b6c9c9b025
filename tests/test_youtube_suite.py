"""The youtube suite: conversations with the YouTube backend on, every request replayed from a cassette."""

from __future__ import annotations

import importlib.util
import json
import socket
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from helpers import NEEDS_MODEL
import yaml
from rich.console import Console

from agent.settings import Settings
from evals.runner import run_eval
from evals.youtube_replay import REPLAY_KEY
from tools.errors import ClipwiseError

pytestmark = pytest.mark.slow

EVALS = Path(__file__).resolve().parents[1] / "evals"
SUITE = EVALS / "youtube"
CASSETTE = SUITE / "cassettes" / "youtube.yaml"
ENV_KEY = "env-key-that-a-replay-must-not-use"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay must never reach the network; a connection attempt fails the test, loudly."""

    def refuse(self, address):
        raise AssertionError(f"a replayed suite tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def run(paths: list[Path], data_dir: Path, tmp_path: Path) -> tuple[bool, dict, str]:
    report, out = tmp_path / "report.json", tmp_path / "out.txt"
    with open(out, "w") as console_file:
        ok = run_eval(paths, Settings(data_dir=data_dir), report, Console(file=console_file, width=120))
    return ok, json.loads(report.read_text()), out.read_text()


def files_containing(folder: Path, secret: str) -> list[str]:
    needle = secret.encode()
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def make_cassette_module():
    spec = importlib.util.spec_from_file_location("make_cassette", SUITE / "make_cassette.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_case_suite(tmp_path: Path, case: str, cassette: Path = CASSETTE, name: str = "suite") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "youtube.replay.yaml").write_text(f"cassette: {cassette}\n")
    (folder / "case.yaml").write_text(case)
    return folder


@NEEDS_MODEL  # the suite's lists are judged by meaning: 'honey bees' finds 'beekeeping'
def test_youtube_suite_passes_and_leaves_no_trace_of_the_key(tmp_path, data_dir, monkeypatch):
    # Settings from the environment must not leak into a replay: not the key, not the page size
    # (which would change the requests and miss the cassette).
    monkeypatch.setenv("YOUTUBE_API_KEY", ENV_KEY)
    monkeypatch.setenv("YOUTUBE_PER_QUERY", "7")
    ok, report, printed = run([SUITE], data_dir, tmp_path)
    conv = next(s for s in report["suites"] if s["kind"] == "conversations")
    failed = [c for c in conv["cases"] if not c["passed"]]
    assert ok and not failed, failed
    assert conv["metrics"]["cases_total"] == len(list(SUITE.glob("youtube-*.yaml"))) >= 5
    assert conv["metrics"]["steering_leaks"] == 0
    assert conv["metrics"]["grounded_explanations"] == 1.0
    assert conv["youtube_replay"].endswith("cassettes/youtube.yaml")
    assert "YouTube replayed from" in printed
    # The cassette and the replay file are not cases.
    assert {c["name"] for c in conv["cases"]} == {p.stem for p in SUITE.glob("youtube-*.yaml")}
    # Each case ran on its own data dir with YouTube's own files in it: transcripts were fetched.
    cases = list((data_dir / "youtube-replay").iterdir())
    assert len(cases) == conv["metrics"]["cases_total"]
    assert all((c / "youtube-videos.jsonl").exists() and any((c / "youtube-transcripts").glob("*.json"))
               for c in cases)
    for secret in (REPLAY_KEY, ENV_KEY):
        assert files_containing(data_dir, secret) == []
        assert secret not in (tmp_path / "report.json").read_text()
        assert secret not in printed


def test_the_cassette_holds_no_key_and_is_what_the_script_writes(tmp_path):
    text = CASSETTE.read_text(encoding="utf-8")
    assert text.startswith("# vcrpy cassette") and "WRITTEN, NOT RECORDED" in text
    assert REPLAY_KEY not in text and "key=" not in text
    for interaction in yaml.safe_load(text)["interactions"]:
        assert "key" not in dict(parse_qsl(urlsplit(interaction["request"]["uri"]).query))
    out = tmp_path / "youtube.yaml"
    assert make_cassette_module().main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == text, "run: uv run python evals/youtube/make_cassette.py"


def test_a_search_missing_from_the_cassette_fails_loudly(tmp_path, data_dir):
    # Nothing local is about knitting, so YouTube is asked, and the cassette has no such search.
    suite = one_case_suite(tmp_path, "name: knitting\nturns:\n  - say: videos about knitting\n"
                                     "    expect:\n      min_results: 1\n")
    with pytest.raises(ClipwiseError, match="YouTube request not in the cassette") as caught:
        run([suite], data_dir, tmp_path)
    message = str(caught.value)
    assert "turn 1 ('videos about knitting')" in message
    assert "GET https://youtube.googleapis.com/youtube/v3/search?" in message and "q=knitting" in message
    assert REPLAY_KEY not in message


def test_a_transcript_request_missing_from_the_cassette_fails_loudly(tmp_path, data_dir):
    # Without the caption tracks' XML the transcripts cannot be replayed: an error, not a list
    # that silently says "no transcript".
    data = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    data["interactions"] = [i for i in data["interactions"] if "/api/timedtext" not in i["request"]["uri"]]
    cassette = tmp_path / "no-captions.yaml"
    cassette.write_text(yaml.safe_dump(data))
    suite = one_case_suite(tmp_path, "name: bees\nturns:\n  - say: videos about beekeeping\n", cassette)
    with pytest.raises(ClipwiseError, match=r"not in the cassette .*GET https://www\.youtube\.com/api/timedtext"):
        run([suite], data_dir, tmp_path)


def test_youtube_settings_in_a_case_need_a_replay_file(tmp_path, data_dir):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "case.yaml").write_text("name: budget\nyoutube:\n  daily_budget: 150\nturns:\n  - say: help\n")
    with pytest.raises(ClipwiseError, match="'youtube' settings need a .replay.yaml file"):
        run([folder], data_dir, tmp_path)


def test_a_replay_file_is_strict(tmp_path, data_dir):
    suite = one_case_suite(tmp_path, "name: help\nturns:\n  - say: help\n")
    (suite / "youtube.replay.yaml").write_text(f"cassette: {CASSETTE}\nyoutube:\n  api_key: secret\n")
    with pytest.raises(ClipwiseError, match="not allowed YouTube setting.*api_key"):
        run([suite], data_dir, tmp_path)
    (suite / "youtube.replay.yaml").write_text("cassette: nowhere.yaml\n")
    with pytest.raises(ClipwiseError, match="cassette .*nowhere.yaml not found"):
        run([suite], data_dir, tmp_path)
