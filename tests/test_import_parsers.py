"""Export parsers: X archives, Google Takeout YouTube, notes folders; detection, zips and bad files."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from tools.errors import ImportFileError
from tools.imports.common import parse_datetime, youtube_ids
from tools.imports.detect import read_export

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TAKEOUT_YT = "Takeout/YouTube and YouTube Music"
UTC = dt.timezone.utc


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def by_id(batch) -> dict:
    return {item.item_id: item for item in batch.items}


def by_paragraph(batch) -> dict:
    """Note items by 'file#paragraph number', read from their location ('ideas.md, paragraph 3, line 12')."""
    found = {}
    for item in batch.items:
        m = re.fullmatch(r"(.+), paragraph (\d+), line \d+", item.location)
        assert m, item.location
        found[f"{m[1]}#{m[2]}"] = item
    return found


def zip_folder(folder: Path, target: Path, top: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, top + file.relative_to(folder).as_posix())
    return target


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- X archive ---------------------------------------------------------------------------------


def check_x_archive(batch) -> None:
    assert batch.kind == "x"
    posts = [i for i in batch.items if i.source == "x_post"]
    likes = [i for i in batch.items if i.source == "x_like"]
    assert len(posts) == 5 and len(likes) == 2
    assert batch.skipped == {"liked post deleted or hidden (no text)": 1}
    items = by_id(batch)
    first = items["1765432100000000001"]
    assert first.text == "Best explanation of eigenvectors & eigenvalues I have seen https://youtu.be/Qm7Tz2Lp9Xa"
    assert first.at == utc(2024, 3, 6, 18, 30) and first.at.tzinfo is not None
    assert first.video_id == "Qm7Tz2Lp9Xa"
    assert first.location.endswith("data/tweets.js, record 1")
    retweet = items["1760000000000000002"]
    assert retweet.text.startswith("RT @gardenlab: ") and retweet.video_id == "Kr3_Wd8-Nq1"
    assert items["1750000000000000003"].text == "Less doomscrolling, more long lectures on <anything> this year"
    assert items["1750000000000000003"].video_id is None
    short = items["1740000000000000004"]
    assert short.video_id == "Sh0rtVid_01" and "t.co" not in short.text and "photo" not in short.text
    assert items["1700000000000000005"].location.endswith("data/tweets-part1.js, record 1")
    liked = items["1766000000000000011"]
    assert liked.at is None and liked.video_id == "Sd9Bread-77"
    assert liked.url == "https://twitter.com/i/web/status/1766000000000000011"
    assert items["1766000000000000012"].text.endswith("paper & ink https://t.co/Zz9Yy8Xx7W")
    assert "1766000000000000013" not in items


def test_x_archive_folder():
    batch = read_export(FIXTURES / "x_archive")
    check_x_archive(batch)
    names = sorted(Path(f).name for f in batch.files)
    assert names == ["like.js", "tweets-part1.js", "tweets.js"]  # not tweet-headers.js nor manifest.js


def test_x_archive_zip_is_read_like_the_folder(tmp_path: Path):
    archive = zip_folder(FIXTURES / "x_archive", tmp_path / "twitter-2024-03-10.zip")
    batch = read_export(archive)
    check_x_archive(batch)
    assert any(f.endswith("twitter-2024-03-10.zip/data/tweets.js") for f in batch.files)


def test_x_archive_zip_with_a_top_folder_and_mac_junk(tmp_path: Path):
    archive = zip_folder(FIXTURES / "x_archive", tmp_path / "archive.zip", top="twitter-archive/")
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("__MACOSX/twitter-archive/data/._tweets.js", b"\x00\x05\x16\x07junk")
    check_x_archive(read_export(archive))


def test_old_x_archive_tweet_js_without_wrapper():
    batch = read_export(FIXTURES / "x_archive_old")
    assert batch.kind == "x" and batch.skipped == {}
    items = by_id(batch)
    assert set(items) == {"990000000000000021", "980000000000000022"}
    old = items["990000000000000021"]
    assert old.video_id == "OldTalk_042" and old.at == utc(2018, 5, 15, 8, 15, 42)
    assert "youtube.com/watch?feature=youtu.be&v=OldTalk_042" in old.text


def test_single_tweets_file_and_grailbird_month_file(tmp_path: Path):
    batch = read_export(FIXTURES / "x_archive" / "data" / "tweets.js")
    assert batch.kind == "x" and len(batch.items) == 4
    grail = write(tmp_path / "old" / "data" / "js" / "tweets" / "2013_01.js",
                  'Grailbird.data.tweets_2013_01 = \n [ {\n  "source" : "web",\n'
                  '  "entities" : { "urls" : [ ] },\n  "id_str" : "296000000000000001",\n'
                  '  "text" : "First ever post about chess openings",\n'
                  '  "created_at" : "2013-01-31 22:15:00 +0000"\n} ]')
    old = read_export(grail.parents[3])
    assert [(i.item_id, i.at) for i in old.items] == [("296000000000000001", utc(2013, 1, 31, 22, 15))]


def test_x_since_keeps_later_posts_and_undated_likes():
    batch = read_export(FIXTURES / "x_archive", since=dt.datetime(2024, 1, 1))
    assert sorted(i.item_id for i in batch.items if i.source == "x_post") == [
        "1750000000000000003", "1760000000000000002", "1765432100000000001"]
    assert len([i for i in batch.items if i.source == "x_like"]) == 2
    assert batch.skipped["before the since date"] == 2
    later = read_export(FIXTURES / "x_archive", since=utc(2024, 3, 6, 18, 30))
    assert [i.item_id for i in later.items if i.source == "x_post"] == ["1765432100000000001"]


# --- Google Takeout ------------------------------------------------------------------------------


def check_takeout(batch) -> None:
    assert batch.kind == "takeout"
    assert batch.skipped == {"removed or private video": 1, "ad": 1}
    sources = [i.source for i in batch.items]
    assert sources.count("youtube_watch") == 4
    assert sources.count("youtube_like") == 2
    assert sources.count("youtube_playlist") == 4
    items = by_id(batch)
    watch = items["Qm7Tz2Lp9Xa@2024-03-05T18:22:11.123Z"]
    assert watch.text == "Eigenvectors without the tears" and watch.channel == "Plain Maths"
    assert watch.at == utc(2024, 3, 5, 18, 22, 11, 123000) and watch.video_id == "Qm7Tz2Lp9Xa"
    assert watch.location.endswith("history/watch-history.json, record 1")
    assert "Qm7Tz2Lp9Xa@2024-02-28T12:00:00Z" in items  # the same video watched twice: two items
    music = items["Mus1c_Live9@2024-03-04T21:10:00Z"]
    assert music.text == "Slow Rain (Live at the Harbour)" and music.at == utc(2024, 3, 4, 21, 10)
    untitled = items["UnTitled_77@2024-03-03T08:00:00.250Z"]
    assert untitled.text == "" and untitled.channel is None
    like = items["Lk1_Garden0"]
    assert like.source == "youtube_like" and like.text == "" and like.at == utc(2024, 3, 5, 18, 22, 11)
    assert items["Lk2-Bread00"].at == utc(2024, 1, 2, 9, 30, 0, 456789)
    road = items["Road trip:Rt1Driving1"]
    assert road.source == "youtube_playlist" and road.video_id == "Rt1Driving1" and road.at == utc(2023, 7, 1, 10)
    old = items["Morning workout:Wk2Stretch2"]
    assert old.at == utc(2019, 6, 1, 12, 1, 30) and old.location.endswith("Workout.csv, line 6")


def test_takeout_folder_from_its_root():
    batch = read_export(FIXTURES / "takeout")
    check_takeout(batch)
    names = sorted(Path(f).name for f in batch.files)
    assert names == ["Liked videos.csv", "Road trip-videos.csv", "Workout.csv", "watch-history.json"]


def test_takeout_zip(tmp_path: Path):
    check_takeout(read_export(zip_folder(FIXTURES / "takeout", tmp_path / "takeout-20240310T100000Z-001.zip")))


def test_takeout_tgz(tmp_path: Path):
    archive = tmp_path / "takeout-20240310T100000Z-001.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(FIXTURES / "takeout", arcname=".")
    check_takeout(read_export(archive))


def test_takeout_html_watch_history_both_date_styles():
    batch = read_export(FIXTURES / "takeout_html" / "watch-history.html")
    assert batch.kind == "takeout"
    assert batch.skipped == {"removed or private video": 1, "ad": 1}
    items = by_id(batch)
    assert set(items) == {"Qm7Tz2Lp9Xa@2024-03-05T18:22:11Z", "Kr3_Wd8-Nq1@2024-03-05T17:22:11Z",
                          "Mus1c_Live9@2024-03-02T21:10:00Z", "Sh0rtVid_01@2024-02-29T09:05:00Z"}
    us = items["Qm7Tz2Lp9Xa@2024-03-05T18:22:11Z"]
    assert us.text == "Eigenvectors & friends" and us.channel == "Plain Maths"
    assert us.at == utc(2024, 3, 5, 18, 22, 11) and us.location == "watch-history.html, record 1"
    assert items["Kr3_Wd8-Nq1@2024-03-05T17:22:11Z"].channel == "Garden Lab"  # 18:22 CET
    assert items["Sh0rtVid_01@2024-02-29T09:05:00Z"].at == utc(2024, 2, 29, 9, 5)
    assert items["Mus1c_Live9@2024-03-02T21:10:00Z"].url == "https://music.youtube.com/watch?v=Mus1c_Live9"


def test_takeout_html_in_an_unsupported_language_names_the_record(tmp_path: Path):
    text = (FIXTURES / "takeout_html" / "watch-history.html").read_text(encoding="utf-8")
    bad = write(tmp_path / "watch-history.html", text.replace("5 Mar 2024, 18:22:11 CET", "05.03.2024, 18:22:11 MEZ"))
    with pytest.raises(ImportFileError) as err:
        read_export(bad)
    assert err.value.path == str(bad) and err.value.position == "record 2"
    assert "05.03.2024" in str(err.value) and "JSON" in str(err.value)


def test_single_playlist_csvs_old_and_new(tmp_path: Path):
    liked = read_export(FIXTURES / "takeout" / TAKEOUT_YT / "playlists" / "Liked videos.csv")
    assert liked.kind == "takeout" and [i.item_id for i in liked.items] == ["Lk1_Garden0", "Lk2-Bread00"]
    old_likes = write(tmp_path / "likes.csv",
                      "Playlist Id,Channel Id,Time Created,Time Updated,Title,Description,Visibility\n"
                      "LLinventedLikes,UCinventedOwner,2018-01-01 00:00:00 UTC,2019-06-01 12:00:00 UTC,Liked videos,,Private\n"
                      "\nVideo Id,Time Added\nOldLike_001,2018-03-04 05:06:07 UTC\n")
    batch = read_export(old_likes)
    assert [(i.source, i.item_id, i.at) for i in batch.items] == [
        ("youtube_like", "OldLike_001", utc(2018, 3, 4, 5, 6, 7))]


def test_bad_playlist_csvs(tmp_path: Path):
    bad_id = write(tmp_path / "Mix-videos.csv", "Video ID,Playlist Video Creation Timestamp\nGoodVideo01,2024-01-01T00:00:00+00:00\nnot an id,2024-01-01T00:00:00+00:00\n")
    with pytest.raises(ImportFileError) as err:
        read_export(bad_id)
    assert err.value.position == "line 3" and "not an id" in str(err.value)
    no_header = write(tmp_path / "notes.csv", "name,score\nalice,3\n")
    with pytest.raises(ImportFileError, match="not a YouTube playlist CSV"):
        read_export(no_header)
    bad_time = write(tmp_path / "Other-videos.csv", "Video ID,Playlist Video Creation Timestamp\nGoodVideo01,yesterday\n")
    with pytest.raises(ImportFileError) as err:
        read_export(bad_time)
    assert err.value.position == "line 2" and "yesterday" in str(err.value)


def test_takeout_since_filters_watches_and_likes():
    batch = read_export(FIXTURES / "takeout", since=utc(2024, 3, 4))
    assert sorted(i.item_id for i in batch.items) == [
        "Lk1_Garden0", "Mus1c_Live9@2024-03-04T21:10:00Z", "Qm7Tz2Lp9Xa@2024-03-05T18:22:11.123Z"]
    assert batch.skipped["before the since date"] == 7


def test_watch_history_with_only_ads_is_nothing_to_import(tmp_path: Path):
    write(tmp_path / "Takeout" / "YouTube and YouTube Music" / "history" / "watch-history.json",
          '[{"header": "YouTube", "title": "Watched An ad", "titleUrl": "https://www.youtube.com/watch?v=AdAdAdAd_01",'
          ' "time": "2024-03-05T17:00:30.000Z", "details": [{"name": "From Google Ads"}]}]')
    with pytest.raises(ImportFileError, match=r"nothing to import: .*1 ad"):
        read_export(tmp_path)


# --- notes ---------------------------------------------------------------------------------------


def test_notes_folder(tmp_path: Path):
    notes = shutil.copytree(FIXTURES / "notes", tmp_path / "notes")
    stamp = dt.datetime(2024, 1, 20, 10, 0, tzinfo=UTC).timestamp()
    os.utime(notes / "reading" / "log.txt", (stamp, stamp))
    batch = read_export(notes)
    assert batch.kind == "notes"
    assert batch.skipped == {"empty note": 1, "short paragraph": 2}
    assert not any(".obsidian" in f for f in batch.files)
    items = by_paragraph(batch)
    assert set(items) == {"ideas.md#1", "ideas.md#2", "ideas.md#3", "ideas.md#5", "ideas.md#6",
                          "reading/fonts.markdown#1", "reading/log.txt#1", "reading/log.txt#2"}
    assert all(re.fullmatch(r"note:[0-9a-f]{16}", i.item_id) for i in batch.items)
    assert len({i.item_id for i in batch.items}) == len(batch.items)
    assert items["ideas.md#1"].text == "Things to learn this spring"
    assert items["ideas.md#2"].text.startswith("I want to finally understand linear algebra properly, starting")
    assert all(items[k].at == utc(2024, 2, 10) for k in items if k.startswith("ideas.md"))
    link = items["ideas.md#3"]
    assert link.text == "Watch the eigenvector talk again Try the exercises in my algebra notes"
    assert link.video_id == "Qm7Tz2Lp9Xa" and link.location == "ideas.md, paragraph 3, line 12"
    assert items["ideas.md#5"].text == "Composting at home seems doable even in a small flat."
    assert items["ideas.md#6"].video_id == "Kr3_Wd8-Nq1"  # a bare link is kept though under 3 words
    assert not any("print" in i.text for i in batch.items)  # code blocks are not notes
    assert items["reading/log.txt#2"].at == utc(2024, 1, 20, 10)
    assert items["reading/log.txt#2"].location == "reading/log.txt, paragraph 2, line 3"


def test_note_ids_do_not_depend_on_how_the_folder_is_given(tmp_path: Path):
    vault = shutil.copytree(FIXTURES / "notes", tmp_path / "vault")
    folder = read_export(vault)
    zipped = read_export(zip_folder(vault, tmp_path / "vault.zip", top="vault/"))  # one path level more
    assert any(i.location.startswith("vault/ideas.md") for i in zipped.items)
    assert [i.item_id for i in zipped.items] == [i.item_id for i in folder.items]
    single = read_export(vault / "ideas.md")
    assert {i.item_id for i in single.items} <= {i.item_id for i in folder.items}
    moved = write(tmp_path / "elsewhere" / "sub" / "renamed.md", (vault / "ideas.md").read_text(encoding="utf-8"))
    assert [i.item_id for i in read_export(moved.parent).items] == [i.item_id for i in single.items]


def test_note_ids_survive_a_paragraph_added_at_the_top(tmp_path: Path):
    note = write(tmp_path / "n" / "baking.md", "Sourdough starter needs feeding twice a day.\n\n"
                 "Rye flour makes the crumb denser and darker.\n\nhttps://youtu.be/Sd9Bread-77\n")
    before = {i.text: i.item_id for i in read_export(note.parent).items}
    assert len(set(before.values())) == 3
    note.write_text("Tried a focaccia with rosemary and olive oil.\n\n" + note.read_text(encoding="utf-8"),
                    encoding="utf-8")
    after = {i.text: i.item_id for i in read_export(note.parent).items}
    assert {t: after[t] for t in before} == before  # no old paragraph changes its id
    new = after["Tried a focaccia with rosemary and olive oil."]
    assert new not in before.values()
    # whitespace, case and Markdown emphasis do not make a paragraph new
    note.write_text("Tried a  FOCACCIA with\nrosemary and **olive oil**.\n", encoding="utf-8")
    assert [i.item_id for i in read_export(note.parent).items] == [new]


def test_the_same_paragraph_twice_is_one_item(tmp_path: Path):
    write(tmp_path / "n" / "2024-03-01.md", "Things to read this week\n\nA long thread on fermenting hot sauce.\n")
    write(tmp_path / "n" / "2024-03-08.md", "Things to read this week\n\nThe eigenvector talk, again.\n")
    batch = read_export(tmp_path / "n")
    assert sorted(i.text for i in batch.items) == [
        "A long thread on fermenting hot sauce.", "The eigenvector talk, again.", "Things to read this week"]
    assert batch.skipped == {"repeated paragraph": 1}
    # the same words linking to another video are another paragraph
    write(tmp_path / "m" / "a.md", "Watch [this talk](https://youtu.be/Qm7Tz2Lp9Xa) soon\n\n"
          "Watch [this talk](https://youtu.be/Kr3_Wd8-Nq1) soon\n")
    assert len({i.item_id for i in read_export(tmp_path / "m").items}) == 2


def test_notes_since_and_single_file(tmp_path: Path):
    batch = read_export(FIXTURES / "notes" / "ideas.md", since=utc(2024, 3, 1))
    assert batch.items == [] and batch.skipped["before the since date"] == 5
    single = read_export(FIXTURES / "notes" / "ideas.md")
    assert single.kind == "notes" and single.items[0].location == "ideas.md, paragraph 1, line 7"
    assert single.items[0].item_id == by_paragraph(read_export(FIXTURES / "notes"))["ideas.md#1"].item_id


def test_note_with_unreadable_front_matter_date(tmp_path: Path):
    note = write(tmp_path / "n" / "a.md", "---\ntitle: x\ndate: sometime soon\n---\nSome words in a paragraph.\n")
    with pytest.raises(ImportFileError) as err:
        read_export(note.parent)
    assert err.value.path.endswith("a.md") and err.value.position == "line 3"


def test_binary_and_non_utf8_notes_name_the_file(tmp_path: Path):
    write(tmp_path / "n" / "ok.md", "A perfectly good note with words.\n")
    binary = write(tmp_path / "n" / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x8f\x02")
    with pytest.raises(ImportFileError, match="not a text file") as err:
        read_export(tmp_path / "n")
    assert err.value.path == str(binary) and err.value.position == "byte 8"
    binary.unlink()
    latin = write(tmp_path / "n" / "latin.txt", "Caf\u00e9 notes about espresso".encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8") as err:
        read_export(tmp_path / "n")
    assert err.value.path == str(latin) and err.value.position == "byte 3"
    latin.unlink()
    write(tmp_path / "n" / "windows.txt", "Notes saved by Notepad as UTF-16 text".encode("utf-16"))
    assert sorted(i.location for i in read_export(tmp_path / "n").items) == [
        "ok.md, paragraph 1, line 1", "windows.txt, paragraph 1, line 1"]


# --- bad files, detection, progress --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "position"),
    [
        ('window.YTD.tweets.part0 = [\n  {\n    "tweet" : {\n      "id_str" : "1",\n', "invalid JSON", "line 5, column 1"),
        ("window.YTD.foo = garbage", "not an X archive data file", "line 1"),
        ('[ { "tweet" : { "id_str" : "1" } } ]', "window.YTD", "line 1"),
        ("", "empty file", None),
        ('window.YTD.tweets.part0 = {"tweet": {}}', "expected a JSON array", "line 1"),
        ('window.YTD.tweets.part0 = [ 3 ]', "expected an object", "record 1"),
        ('window.YTD.tweets.part0 = [ {"tweet": {"id_str": "7", "full_text": "hi"}} ]', "created_at", "record 1"),
    ],
)
def test_bad_tweets_js(tmp_path: Path, content: str, message: str, position: str | None):
    bad = write(tmp_path / "archive" / "data" / "tweets.js", content)
    with pytest.raises(ImportFileError, match=message) as err:
        read_export(tmp_path / "archive")
    assert err.value.path == str(bad) and err.value.position == position
    assert "tweets.js" in str(err.value)


def test_tweet_of_an_unexpected_shape_names_the_file(tmp_path: Path):
    bad = write(tmp_path / "archive" / "data" / "tweets.js",
                'window.YTD.tweets.part0 = [ {"tweet": {"id_str": "7", "full_text": "hi https://t.co/x",'
                ' "created_at": "Wed Mar 06 18:30:00 +0000 2024", "entities": {"urls": 5}}} ]')
    with pytest.raises(ImportFileError) as err:
        read_export(tmp_path / "archive")
    assert err.value.path == str(bad)
    assert str(err.value).startswith(f"{bad}: could not be read: TypeError")
    assert "Traceback" not in str(err.value)


def test_deeply_nested_json_names_the_file(tmp_path: Path):
    depth = 100_000
    bad = write(tmp_path / "archive" / "data" / "like.js", "window.YTD.like.part0 = " + "[" * depth + "]" * depth)
    with pytest.raises(ImportFileError, match="nested deeper than 32 levels .limit max_json_depth = 32") as err:
        read_export(tmp_path / "archive")
    assert err.value.path == str(bad) and str(bad) in str(err.value)
    single = write(tmp_path / "watch-history.json", '{"a": ' * depth + "1" + "}" * depth)
    with pytest.raises(ImportFileError, match="max_json_depth") as err:
        read_export(single)
    assert err.value.path == str(single) and len(str(err.value)) < 400


def test_other_unexpected_errors_name_the_file_but_interrupts_pass(tmp_path: Path, monkeypatch):
    import tools.imports.detect as detect

    bad = write(tmp_path / "archive" / "data" / "tweets.js", "window.YTD.tweets.part0 = []")

    def boom(exc):
        def parse(text, name, path):
            raise exc
        return parse

    monkeypatch.setitem(detect._PARSERS, "tweets", boom(KeyError("entities")))
    with pytest.raises(ImportFileError, match=r"could not be read: KeyError: 'entities'") as err:
        read_export(tmp_path / "archive")
    assert err.value.path == str(bad)
    monkeypatch.setitem(detect._PARSERS, "tweets", boom(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        read_export(tmp_path / "archive")


def test_binary_like_js(tmp_path: Path):
    bad = write(tmp_path / "archive" / "data" / "like.js", os.urandom(64) + b"\x00" + os.urandom(64))
    with pytest.raises(ImportFileError) as err:
        read_export(tmp_path / "archive")
    assert err.value.path == str(bad) and err.value.position.startswith("byte ")


def test_truncated_watch_history_json_in_a_zip(tmp_path: Path):
    archive = tmp_path / "takeout.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"{TAKEOUT_YT}/history/watch-history.json", '[{\n  "header": "YouTube",\n  "title": "Watched')
    with pytest.raises(ImportFileError, match="invalid JSON") as err:
        read_export(archive)
    assert err.value.path == f"{archive}/{TAKEOUT_YT}/history/watch-history.json"
    assert err.value.position.startswith("line 3, column")


def test_watch_history_record_that_is_not_an_entry(tmp_path: Path):
    bad = write(tmp_path / "watch-history.json", '[{"header": "YouTube", "title": "Watched x", "titleUrl": '
                '"https://www.youtube.com/watch?v=GoodVideo01", "time": "2024-01-01T00:00:00Z"}, ["oops"]]')
    with pytest.raises(ImportFileError, match="record 2"):
        read_export(bad)


def test_corrupt_zip_and_unknown_paths(tmp_path: Path):
    corrupt = write(tmp_path / "twitter.zip", b"PK\x03\x04" + os.urandom(100))
    with pytest.raises(ImportFileError, match="not a readable zip archive") as err:
        read_export(corrupt)
    assert err.value.path == str(corrupt)
    pdf = write(tmp_path / "report.pdf", b"%PDF-1.4")
    with pytest.raises(ImportFileError, match="expected an X archive"):
        read_export(pdf)
    with pytest.raises(ImportFileError, match="no such file or folder"):
        read_export(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFileError, match="nothing to import"):
        read_export(tmp_path / "empty")
    junk = write(tmp_path / "junk" / "data.bin", b"\x00\x01")
    with pytest.raises(ImportFileError, match="nothing to import") as err:
        read_export(junk.parent)


def test_zip_without_known_files_and_zip_member_crc_error(tmp_path: Path):
    odd = tmp_path / "odd.zip"
    with zipfile.ZipFile(odd, "w") as z:
        z.writestr("pictures/cat.jpg", b"\xff\xd8\xff")
    with pytest.raises(ImportFileError, match="nothing to import"):
        read_export(odd)
    broken = zip_folder(FIXTURES / "x_archive", tmp_path / "broken.zip")
    data = bytearray(broken.read_bytes())
    at = data.find(b"Best explanation")
    data[at] ^= 0x20  # one flipped bit in the stored tweets.js: its CRC no longer matches
    broken.write_bytes(bytes(data))
    with pytest.raises(ImportFileError, match="cannot read") as err:
        read_export(broken)
    assert err.value.path.endswith("broken.zip/data/tweets.js")


def test_progress_is_reported_per_file():
    calls: list[tuple[int, int, str]] = []
    read_export(FIXTURES / "x_archive", progress=lambda done, total, name: calls.append((done, total, name)))
    assert calls == [(0, 3, "data/like.js"), (1, 3, "data/tweets-part1.js"), (2, 3, "data/tweets.js"), (3, 3, "")]


# --- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mar 5, 2024, 6:22:11\u202fPM GMT", utc(2024, 3, 5, 18, 22, 11)),
        ("Mar 5, 2024, 12:05:00 AM EST", utc(2024, 3, 5, 5, 5)),
        ("5 Mar 2024, 18:22:11 CET", utc(2024, 3, 5, 17, 22, 11)),
        ("5 Sept 2024, 18:22:11 UTC", utc(2024, 9, 5, 18, 22, 11)),
        ("5 Mar 2024, 18:22:11 GMT+05:30", utc(2024, 3, 5, 12, 52, 11)),
        ("Wed Mar 06 18:30:00 +0000 2024", utc(2024, 3, 6, 18, 30)),
        ("2024-03-05T18:22:11Z", utc(2024, 3, 5, 18, 22, 11)),
        ("2024-03-05T18:22:11.123456+00:00", utc(2024, 3, 5, 18, 22, 11, 123456)),
        ("2019-06-01 12:00:00 UTC", utc(2019, 6, 1, 12)),
        ("2024-02-10", utc(2024, 2, 10)),
        ("05.03.2024, 18:22:11 MEZ", None),
        ("Mar 5, 2024, 6:22:11 PM XYZ", None),
    ],
)
def test_parse_datetime(text: str, expected: dt.datetime | None):
    assert parse_datetime(text) == expected


def test_youtube_ids():
    text = ("a https://youtu.be/Qm7Tz2Lp9Xa?t=3, www.youtube.com/watch?feature=share&v=Kr3_Wd8-Nq1) "
            "youtube.com/shorts/Sh0rtVid_01 https://www.youtube.com/embed/Emb3dded_00 "
            "notyoutube.com/watch?v=NotAVideo01 https://music.youtube.com/watch?v=Mus1c_Live9&list=RD "
            "https://www.youtube.com/watch?v=TooLongId12345 https://www.youtube.com/channel/UCxyz")
    assert youtube_ids(text) == ["Qm7Tz2Lp9Xa", "Kr3_Wd8-Nq1", "Sh0rtVid_01", "Emb3dded_00", "Mus1c_Live9"]
