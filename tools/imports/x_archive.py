"""Read an X/Twitter archive's posts (data/tweets.js, data/tweet.js, parts) and likes (data/like.js)."""

from __future__ import annotations

import html
import re

from tools.errors import ImportFileError
from tools.imports.common import (MAX_DATE_CHARS, MAX_ID_CHARS, MAX_URL_CHARS, Parsed, cut, json_records,
                                 parse_datetime, youtube_ids)
from tools.imports.imported_item import ImportedItem
from tools.limits import limits

_PREFIX = re.compile(r"^\s*window\.YTD\.[\w]+\.part\d+\s*=\s*")
# Archives from before 2019 (the "Grailbird" HTML viewer) keep posts per month under data/js/tweets/.
_OLD_PREFIX = re.compile(r"^\s*Grailbird\.data\.tweets_\d{4}_\d{2}\s*=\s*")
TWEETS_FILE = re.compile(r"(?:^|/)(?:data/tweets?(?:-part\d+)?|data/js/tweets/\d{4}_\d{2})\.js$")
MAX_ENTITIES = 100
"""Links and pictures read per post (a real post has a handful)."""
LIKES_FILE = re.compile(r"(?:^|/)data/like(?:-part\d+)?\.js$")


def is_tweets_file(name: str) -> bool:
    return bool(TWEETS_FILE.search(name))


def is_likes_file(name: str) -> bool:
    return bool(LIKES_FILE.search(name))


def _records(text: str, path: str):
    """(number, record) of the JSON array after the 'window.YTD.<name>.partN = ' assignment, read one
    record at a time; lines and columns in errors are the file's."""
    if not text.strip():
        raise ImportFileError(path, "empty file")
    m = _PREFIX.match(text) or _OLD_PREFIX.match(text)
    if not m:
        start = cut(text.lstrip()[:40].splitlines()[0], 40)
        raise ImportFileError(
            path, f"not an X archive data file: expected it to start with "
            f"'window.YTD.<name>.part0 = [', found '{start}'", "line 1")
    return json_records(text, path, m.end(), expected="expected a JSON array after the '= '")


def _id(value: object, what: str, path: str, number: int) -> str:
    """A post id as text ('' when missing); ids that are not short strings or integers are refused."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or len(str(value)) > MAX_ID_CHARS:
        raise ImportFileError(path, f"'{what}' is not a post id", f"record {number}")
    return str(value)


def _object(record: object, key: str, path: str, number: int) -> dict:
    if isinstance(record, dict) and isinstance(record.get(key), dict):
        return record[key]
    if isinstance(record, dict) and key not in record:
        return record
    raise ImportFileError(path, f"expected an object with a '{key}' object", f"record {number}")


def _expand(text: str, tweet: dict) -> tuple[str, list[str]]:
    """Text with t.co links replaced by the URLs the entities give (picture links dropped), and
    HTML entities unescaped; also the expanded URLs."""
    expanded: list[str] = []
    for group in ("entities", "extended_entities"):
        entities = tweet.get(group) if isinstance(tweet.get(group), dict) else {}
        for kind in ("urls", "media"):
            listed = entities.get(kind)
            for entity in (listed or [])[:MAX_ENTITIES]:  # a number here is a TypeError, as before
                if not isinstance(entity, dict):
                    continue
                short, full = entity.get("url"), entity.get("expanded_url")
                if not isinstance(short, str) or not short:
                    continue
                short, full = cut(short, MAX_URL_CHARS), cut(full, MAX_URL_CHARS) if isinstance(full, str) else full
                if kind == "media":
                    text = text.replace(short, "")
                elif isinstance(full, str) and full:
                    expanded.append(full)
                    text = text.replace(short, full)
    return cut(html.unescape(text).strip(), limits().max_description_chars), expanded


def parse_tweets_js(text: str, name: str, path: str) -> Parsed:
    """Posts (retweets included) of a tweets.js / tweet.js / tweets-partN.js file."""
    parsed = Parsed()
    for number, record in _records(text, path):
        tweet = _object(record, "tweet", path, number)
        tweet_id = _id(tweet.get("id_str"), "id_str", path, number) or _id(tweet.get("id"), "id", path, number)
        body = tweet.get("full_text", tweet.get("text"))
        if not tweet_id or not isinstance(body, str):
            missing = "id_str" if not tweet_id else "full_text"
            raise ImportFileError(path, f"post without '{missing}'", f"record {number}")
        created = tweet.get("created_at")
        at = parse_datetime(cut(created, MAX_DATE_CHARS)) if isinstance(created, str) else None
        if at is None:
            shown = cut(created, MAX_DATE_CHARS) if isinstance(created, str) else type(created).__name__
            raise ImportFileError(path, f"cannot read created_at {shown!r}", f"record {number}")
        # Cut before the entity links are put in: the expanded text is cut again to the same limit.
        words, urls = _expand(cut(body, limits().max_description_chars), tweet)
        ids = youtube_ids(" ".join(urls)) or youtube_ids(words)
        parsed.items.append(ImportedItem(
            source="x_post", item_id=tweet_id, text=words, at=at, location=f"{name}, record {number}",
            video_id=ids[0] if ids else None, url=f"https://x.com/i/web/status/{tweet_id}"))
    return parsed


def parse_likes_js(text: str, name: str, path: str) -> Parsed:
    """Liked posts of a like.js file; a like whose post was deleted has no text and is skipped."""
    parsed = Parsed()
    for number, record in _records(text, path):
        like = _object(record, "like", path, number)
        tweet_id = _id(like.get("tweetId"), "tweetId", path, number)
        if not tweet_id:
            raise ImportFileError(path, "like without 'tweetId'", f"record {number}")
        body = like.get("fullText")
        if not isinstance(body, str) or not body.strip():
            parsed.skipped["liked post deleted or hidden (no text)"] += 1
            continue
        words = cut(html.unescape(cut(body, limits().max_description_chars)), limits().max_description_chars)
        ids = youtube_ids(words)
        url = like.get("expandedUrl")
        url = cut(url, MAX_URL_CHARS) if isinstance(url, str) else None
        parsed.items.append(ImportedItem(
            source="x_like", item_id=tweet_id, text=words, at=None, location=f"{name}, record {number}",
            video_id=ids[0] if ids else None,
            url=url if isinstance(url, str) and url else f"https://x.com/i/web/status/{tweet_id}"))
    return parsed
