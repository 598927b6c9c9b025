"""A missing embedding model is fetched through Chroma's own download; where it cannot be, one plain warning."""

from __future__ import annotations

import functools
import hashlib
import logging
import tarfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from memory.embedder import FETCH_COMMAND, MiniLMEmbedder, load_embedder

SEEDED = Path(ONNXMiniLM_L6_V2.DOWNLOAD_PATH) / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The seeded model packed the way Chroma's download serves it (onnx/ inside onnx.tar.gz)."""
    if not (SEEDED / "model.onnx").exists():
        pytest.skip(f"no embedding model at {SEEDED} to serve (run ../shared/scripts/seed-chroma-model)")
    out = tmp_path_factory.mktemp("served") / "onnx.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=1) as tar:
        tar.add(SEEDED, arcname="onnx")
    return out


@pytest.fixture
def server(archive):
    """Serves the archive's folder on 127.0.0.1; stopped after the test."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(archive.parent))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def empty_home(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models" / "all-MiniLM-L6-v2"
    monkeypatch.setattr(MiniLMEmbedder, "DOWNLOAD_PATH", str(folder))
    return folder


@pytest.mark.slow
def test_a_missing_model_is_fetched_checked_and_used(server, archive, empty_home, monkeypatch, caplog):
    monkeypatch.setattr(MiniLMEmbedder, "MODEL_DOWNLOAD_URL", f"{server}/onnx.tar.gz")
    monkeypatch.setattr(MiniLMEmbedder, "_MODEL_SHA256", hashlib.sha256(archive.read_bytes()).hexdigest())

    with caplog.at_level(logging.INFO):
        fetched = load_embedder(fetch=True)

    assert fetched is not None and (empty_home / "onnx" / "model.onnx").exists()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    seeded = MiniLMEmbedder()
    monkeypatch.setattr(MiniLMEmbedder, "DOWNLOAD_PATH", str(SEEDED.parent))
    texts = ["linear algebra, chapter one", "sourdough starter"]
    assert np.allclose(fetched.embed(texts), seeded.embed(texts), atol=1e-5)


@pytest.mark.slow
def test_a_corrupted_download_is_refused_with_one_warning(server, empty_home, monkeypatch, caplog):
    monkeypatch.setattr(MiniLMEmbedder, "MODEL_DOWNLOAD_URL", f"{server}/onnx.tar.gz")
    monkeypatch.setattr(MiniLMEmbedder, "_MODEL_SHA256", "0" * 64)  # not what the server sends

    with caplog.at_level(logging.INFO):
        assert load_embedder(fetch=True) is None

    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "could not be fetched" in warning.getMessage() and FETCH_COMMAND in warning.getMessage()
    assert not (empty_home / "onnx").exists() and not (empty_home / "onnx.tar.gz").exists()


def test_no_network_means_lexical_mode_and_the_command_that_fixes_it(empty_home, monkeypatch, caplog):
    with ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler) as closed:
        port = closed.server_port  # bound, then closed: nothing listens there
    monkeypatch.setattr(MiniLMEmbedder, "MODEL_DOWNLOAD_URL", f"http://127.0.0.1:{port}/onnx.tar.gz")

    with caplog.at_level(logging.INFO):
        assert load_embedder(fetch=True) is None

    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    message = warning.getMessage()
    assert "lexical" in message and "could not be fetched" in message and FETCH_COMMAND in message


def test_without_fetch_nothing_is_downloaded(empty_home, monkeypatch, caplog):
    monkeypatch.setattr(MiniLMEmbedder, "MODEL_DOWNLOAD_URL", "http://127.0.0.1:9/never-asked")

    with caplog.at_level(logging.INFO):
        assert load_embedder() is None

    assert not empty_home.exists()
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "could not be fetched" not in warning.getMessage()
