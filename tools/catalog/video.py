"""The catalog's data model: a video and its transcript segments."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

DEMO_SOURCE = "clipwise-demo"
MAX_MEDIA_S = 7 * 24 * 3600
"""No video or transcript time may lie past a week; larger figures are corrupt data, not long videos."""


class Video(BaseModel):
    """One video as the recommender sees it; unknown values stay None."""

    model_config = ConfigDict(frozen=True)

    video_id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1)
    channel: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    duration_s: int | None = Field(default=None, ge=0, le=MAX_MEDIA_S)
    published_at: dt.date | None = None
    view_count: int | None = Field(default=None, ge=0)
    thumbnail_url: str | None = Field(default=None, max_length=4096)
    language: str | None = Field(default=None, max_length=64)
    source: str = ""

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

    @property
    def url(self) -> str | None:
        """Watch link; demo items have none."""
        return None if self.is_demo else f"https://www.youtube.com/watch?v={self.video_id}"

    def url_at(self, seconds: float) -> str | None:
        return None if self.is_demo else f"{self.url}&t={int(seconds)}s"

    def search_text(self) -> str:
        """What lexical search and the topic filters look at."""
        return " ".join([self.title, " ".join(self.tags), self.channel, self.description])

    def embedding_text(self) -> str:
        """What the semantic index embeds: the title, three tags and the description's opening.

        Kept short on purpose: cost grows with length, and uploaders' tag lists run to hundreds of
        tokens. The whole description and all tags are still searched lexically (BM25).
        """
        tags = ", ".join(self.tags[:3])
        return f"{self.title}. {tags}. {self.description[:40]}".strip()


class Segment(BaseModel):
    """One timed line of a transcript (youtube-transcript-api shape)."""

    model_config = ConfigDict(frozen=True)

    start: float = Field(ge=0, le=MAX_MEDIA_S, allow_inf_nan=False)
    duration: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    text: str

    @property
    def end(self) -> float:
        return self.start + self.duration
