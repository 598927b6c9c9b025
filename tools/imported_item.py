"""One item read from an export (a post, a like, a watched video, a note) before it becomes evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SOURCES = ("x_post", "x_like", "youtube_watch", "youtube_like", "youtube_playlist", "note")


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
