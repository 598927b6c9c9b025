"""The index on a Chroma server (`chroma run`, from the chromadb package) shared by two app instances
on one memory: the second finds the first's index and the interests it mirrored, and embeds nothing again."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from agent.session import Session
from agent.settings import Settings
from tools.catalog.indexer import stale_videos
from tools.catalog.store import load_catalog
from tools.errors import ClipwiseError
from tools.library import forget_user, open_library

CHROMA = Path(sys.executable).with_name("chroma")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMA.exists(), reason=f"no `chroma` command beside {sys.executable}")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path_factory):
    """A Chroma server on loopback with its own folder, stopped after the test."""
    port, folder = free_port(), tmp_path_factory.mktemp("chroma-server")
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen([str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Chroma server did not start: {(folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_two_instances_share_the_index_and_the_interest_vectors_on_a_chroma_server(chroma_url, tmp_path):
    first = open_library(load_catalog(), tmp_path / "one", chroma_url=chroma_url)
    if first.embedder is None:
        pytest.skip("the embedding model is not on this machine (../shared/scripts/seed-chroma-model)")
    assert not (tmp_path / "one" / "chroma").exists()  # nothing embedded in the data dir
    session = Session(first, tmp_path / "one")
    first_list = session.ask("I want to learn linear algebra", user="ana")
    assert first_list.results

    # A second instance on the same memory (a data dir both reach) and server: the index is there,
    # nothing to embed again, and the interest the first mirrored is found by meaning.
    second = open_library(load_catalog(), tmp_path / "one", chroma_url=chroma_url)
    assert stale_videos(second.catalog, second.vectors) == ([], [])
    assert second.vectors.videos.count() == len(second.catalog)
    held = second.vectors.interests.get(where={"user": "ana"}, include=["documents"])
    assert held["documents"] == ["linear algebra"]
    assert (second.relevance("linear algebra").argmax() == first.relevance("linear algebra").argmax())

    rows, vectors = forget_user(tmp_path / "one", "ana", first.catalog.name, chroma_url)
    assert vectors == 1 and second.vectors.interests.get(where={"user": "ana"})["ids"] == []
    session.close()
    second.users.close()


def test_a_chroma_server_that_is_not_there_is_a_plain_error_naming_the_setting(tmp_path):
    gone = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ClipwiseError, match=rf"Chroma server at {gone} \(CLIPWISE_CHROMA_URL\) could not be reached"):
        open_library(load_catalog(), tmp_path, chroma_url=gone)


@pytest.mark.parametrize("url", ["chroma:8000", "ftp://chroma:8000", "http://chroma:8000/api"])
def test_a_chroma_url_that_is_not_a_server_address_is_refused_at_start(url):
    with pytest.raises(ValueError, match="http\\(s\\)://host:port"):
        Settings(chroma_url=url)


def test_an_instance_with_memory_of_its_own_leaves_the_other_instances_interest_vectors(chroma_url, tmp_path):
    first = open_library(load_catalog(), tmp_path / "one", chroma_url=chroma_url)
    if first.embedder is None:
        pytest.skip("the embedding model is not on this machine (../shared/scripts/seed-chroma-model)")
    session = Session(first, tmp_path / "one")
    session.ask("I want to learn linear algebra", user="ana")

    # Another data dir (its own memory) on the same server: opening it re-syncs its own users only.
    other = open_library(load_catalog(), tmp_path / "two", chroma_url=chroma_url)
    held = other.vectors.interests.get(where={"user": "ana"}, include=["documents"])
    assert held["documents"] == ["linear algebra"]
    assert session.ask("recommend something", user="ana").results
    session.close()
    other.users.close()
