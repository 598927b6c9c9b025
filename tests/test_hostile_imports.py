"""Hostile exports (bombs, lying headers, huge fields, deep JSON, random junk) are refused clearly and store nothing."""

from __future__ import annotations

import io
import json
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.errors import ImportFileError
from tools.imports.detect import read_export
from tools.imports.importer import import_export
from tools.limits import limits


@pytest.fixture(autouse=True)
def small_limits(monkeypatch):
    """Limits small enough that a bomb is a few hundred KB to build."""
    for name, value in {"MAX_UPLOAD_BYTES": 200_000, "MAX_MEMBER_BYTES": 2_000_000,
                        "MAX_UNCOMPRESSED_BYTES": 3_000_000, "MAX_ARCHIVE_MEMBERS": 50,
                        "MAX_IMPORT_ITEMS": 100, "MAX_TITLE_CHARS": 200}.items():
        monkeypatch.setenv(f"CLIPWISE_{name}", str(value))
    limits.cache_clear()
    yield
    limits.cache_clear()


def memory(lib, user) -> str:
    return json.dumps(lib.users.export(user)["interests"], sort_keys=True)


def refused(lib, user, path: Path, *words: str) -> str:
    before = memory(lib, user)
    with pytest.raises(ImportFileError) as err:
        import_export(lib, user, path)
    text = str(err.value)
    for word in words:
        assert word in text, text
    assert "Traceback" not in text and len(text) < 600
    assert memory(lib, user) == before
    return text


def watch(n: int, title: str = "Sourdough bread baking") -> dict:
    return {"title": f"Watched {title} {n}", "titleUrl": f"https://www.youtube.com/watch?v=abcdefghi{n % 100:02d}",
            "time": "2024-03-05T18:22:11Z"}


def test_zip_bomb_is_refused_by_its_ratio(lib, user, tmp_path):
    bomb = tmp_path / "takeout.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Takeout/YouTube/history/watch-history.json", b"[" + b" " * 1_900_000 + b"]")
    refused(lib, user, bomb, "watch-history.json", "max_compression_ratio")


def test_zip_whose_headers_understate_its_size_is_read_by_actual_bytes(lib, user, tmp_path):
    archive = tmp_path / "takeout.zip"
    data = json.dumps([watch(n) for n in range(20)]).encode() + b" " * 2_500_000
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Takeout/YouTube/history/watch-history.json", data)
    raw = bytearray(archive.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, 100)  # the central directory now says 100 bytes
    local = raw.find(b"PK\x03\x04")
    struct.pack_into("<I", raw, local + 22, 100)
    archive.write_bytes(bytes(raw))
    text = refused(lib, user, archive, "watch-history.json")
    assert "max_" in text or "cannot read" in text


def test_tar_bomb_and_one_huge_member(lib, user, tmp_path):
    bomb = tmp_path / "takeout.tgz"
    with tarfile.open(bomb, "w:gz") as tar:
        for n in range(2):
            data = b"[" + b" " * 1_500_000 + b"]"
            info = tarfile.TarInfo(f"Takeout/YouTube/playlists/list{n}.csv")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    refused(lib, user, bomb, "max_")
    huge = tmp_path / "huge.tgz"
    with tarfile.open(huge, "w:gz") as tar:
        data = b" " * 2_100_000
        info = tarfile.TarInfo("Takeout/YouTube/history/watch-history.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    refused(lib, user, huge, "watch-history.json", "max_member_bytes = 2000000")


def test_too_many_members_and_too_large_an_upload(lib, user, tmp_path):
    many = tmp_path / "notes.zip"
    with zipfile.ZipFile(many, "w") as z:
        for n in range(60):
            z.writestr(f"notes/{n}.md", "A note about sourdough bread baking.")
    refused(lib, user, many, "notes.zip", "max_archive_members = 50")
    big = tmp_path / "watch-history.json"
    big.write_text(json.dumps([watch(n) for n in range(3000)]))
    refused(lib, user, big, "watch-history.json", "max_upload_bytes = 200000")


def test_items_over_the_limit(lib, user, tmp_path):
    path = tmp_path / "watch-history.json"
    path.write_text(json.dumps([watch(n) for n in range(150)]))
    refused(lib, user, path, "watch-history.json", "max_import_items = 100")


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '[{"a": ' * 40 + "1" + "}" * 40 + "]"])
def test_deep_json_is_refused(lib, user, tmp_path, body):
    path = tmp_path / "watch-history.json"
    path.write_text(body)
    refused(lib, user, path, "watch-history.json", "max_json_depth = 32")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused(lib, user, tmp_path, number):
    path = tmp_path / "watch-history.json"
    path.write_text(f'[{{"title": "x", "titleUrl": "https://youtu.be/abcdefghijk", "time": {number}}}]')
    refused(lib, user, path, "watch-history.json", "invalid JSON")


def test_a_huge_title_is_cut_to_the_limit(tmp_path):
    path = tmp_path / "data" / "tweets.js"
    path.parent.mkdir()
    huge = "sourdough " * 15_000  # 150 KB
    tweet = {"tweet": {"id_str": "1", "full_text": huge, "created_at": "Wed Mar 06 18:30:00 +0000 2024"}}
    path.write_text("window.YTD.tweets.part0 = " + json.dumps([tweet]))
    history = tmp_path / "watch-history.json"
    history.write_text(json.dumps([watch(1, "sourdough " * 15_000)]))
    [post] = read_export(tmp_path / "data" / "tweets.js").items
    assert len(post.text) <= limits().max_description_chars
    [seen] = read_export(history).items
    assert len(seen.text) <= limits().max_title_chars


def test_path_tricks_are_still_refused_or_harmless(lib, user, tmp_path):
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../etc/evil.md", "A note about sourdough bread baking and more.")
        z.writestr("/abs/evil2.md", "Another note about sourdough bread baking here.")
    batch = read_export(archive)  # read from the archive only; nothing is written anywhere
    assert all(f.startswith(str(archive)) for f in batch.files)
    assert not (tmp_path.parent / "etc").exists()
    outside = tmp_path / "secret.md"
    outside.write_text("Secret text that lives outside the export folder.")
    folder = tmp_path / "vault"
    folder.mkdir()
    (folder / "link.md").symlink_to(outside)
    refused(lib, user, folder, "link.md", "outside the export folder")


# --- fuzz: random exports through the importer fail only with ImportFileError ---

TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
SCALAR = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | TEXT
JSONISH = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.sampled_from(["title", "titleUrl", "time", "subtitles", "details",
                                                         "tweet", "like", "id_str", "full_text", "created_at",
                                                         "entities", "urls", "tweetId", "fullText", "name"]) | TEXT,
                                         inner, max_size=5), max_leaves=20)
RECORD = st.fixed_dictionaries({}, optional={
    "title": TEXT | SCALAR, "titleUrl": st.just("https://www.youtube.com/watch?v=abcdefghijk") | TEXT,
    "time": st.just("2024-03-05T18:22:11Z") | st.just("Mar 5, 2024, 6:22:11 PM GMT") | TEXT | SCALAR,
    "subtitles": JSONISH, "details": JSONISH})
X_RECORD = st.builds(lambda kind, body: {kind: body}, st.sampled_from(["tweet", "like"]),
                     st.fixed_dictionaries({}, optional={
                         "id_str": TEXT | SCALAR, "tweetId": TEXT | SCALAR, "full_text": TEXT | SCALAR,
                         "fullText": TEXT | SCALAR, "created_at": st.just("Wed Mar 06 18:30:00 +0000 2024") | TEXT,
                         "entities": JSONISH}))


@st.composite
def export_file(draw):
    kind = draw(st.sampled_from(["watch-history.json", "watch-history.html", "tweets.js", "like.js",
                                 "note.md", "likes.csv"]))
    if kind == "watch-history.json":
        body = json.dumps(draw(st.lists(RECORD | JSONISH, max_size=5)) if draw(st.booleans()) else draw(JSONISH))
    elif kind in ("tweets.js", "like.js"):
        name = "tweets" if kind == "tweets.js" else "like"
        body = f"window.YTD.{name}.part0 = " + json.dumps(draw(st.lists(X_RECORD | JSONISH, max_size=5)))
    elif kind == "watch-history.html":
        cells = draw(st.lists(st.tuples(TEXT, TEXT, st.sampled_from(["https://www.youtube.com/watch?v=abcdefghijk",
                                                                     "x", ""])), max_size=4))
        body = "".join(f'<div class="outer-cell"><div class="content-cell">Watched <a href="{u}">{t}</a>'
                       f"<br>{d}</div></div>" for t, d, u in cells)
    elif kind == "likes.csv":
        rows = draw(st.lists(st.lists(TEXT, max_size=3), max_size=5))
        body = "Video ID,Playlist Video Creation Timestamp\n" + "\n".join(",".join(r) for r in rows)
    else:
        body = draw(st.text(max_size=300))
    if draw(st.booleans()):
        body = draw(st.sampled_from(["", body[: len(body) // 2], body + "}", body]))
    return kind, body.encode("utf-8", "surrogatepass"), draw(st.booleans())


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(export_file())
def test_fuzzed_exports_fail_only_with_import_errors(tmp_path_factory, case):
    kind, data, zipped = case
    folder = tmp_path_factory.mktemp("fuzz")
    target = {"tweets.js": "data/tweets.js", "like.js": "data/like.js",
              "likes.csv": "Takeout/YouTube/playlists/likes.csv"}.get(kind, kind)
    if zipped:
        path = folder / "export.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(target, data)
    else:
        path = folder / Path(target).name
        path.write_bytes(data)
    try:
        read_export(path)
    except ImportFileError:
        pass


def test_uploads_are_read_without_touching_memory_and_stored_in_one_step(lib, user, tmp_path):
    from agent.web.web_uploads import commit_uploads, prepare_uploads

    upload = tmp_path / "upload-1"
    upload.write_text(json.dumps([watch(n, f"Sourdough bread baking part {n}") for n in range(8)]))
    huge = tmp_path / "upload-2"
    huge.write_bytes(b" " * 300_000)
    before = memory(lib, user)
    prepared = prepare_uploads(lib, [("watch-history.json", upload), ("big.json", huge)])
    assert memory(lib, user) == before  # the slow part wrote nothing: it needs no memory lock
    text = commit_uploads(lib, user, prepared)
    assert "big.json: could not import, nothing was stored" in text and "max_upload_bytes = 200000" in text
    assert "sourdough" in text.lower() and memory(lib, user) != before
