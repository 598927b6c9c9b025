"""One item read from an export (a post, a like, a watched video, a note) before it becomes evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SOURCE_NAMES = {
    "x_post": ("post of yours", "posts of yours"), "x_like": ("post you liked", "posts you liked"),
    "youtube_watch": ("video you watched", "videos you watched"),
    "youtube_like": ("video you liked", "videos you liked"),
    "youtube_playlist": ("video in your playlists", "videos in your playlists"),
    "note": ("note of yours", "notes of yours"),
}
"""Each source of imported items, and how one item and many of them are named to the user."""
SOURCES = tuple(SOURCE_NAMES)


@dataclass(frozen=True)
class ImportedItem:
    """What the user did or wrote, exactly as the export holds it. Its text is untrusted data."""

    source: str
    """One of SOURCES."""
    item_id: str
    """Stable within its source (tweet id, video id and watch time, a hash of a note paragraph's
    normalised text), so a second import of the same export is recognised and adds nothing."""
    text: str
    """The words the item carries: the post, the video title, the note paragraph."""
    at: dt.datetime | None
    """When it was posted, liked, watched or written (UTC); None when the export does not say."""
    location: str
    """Where in the export it was read, e.g. 'data/like.js, record 12', for messages and evidence."""
    video_id: str | None = None
    url: str | None = None
    channel: str | None = None
