"""Size limits on everything clipwise reads from outside (uploads, archives, catalogs, transcripts, requests)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Limits(BaseSettings):
    """Each limit has a CLIPWISE_<NAME> environment variable; a refusal names the limit and its value."""

    model_config = SettingsConfigDict(env_prefix="CLIPWISE_", extra="ignore")

    max_upload_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """An import file (or archive) larger than this on disk is refused before it is opened."""
    max_uncompressed_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    """The sum of an archive's member sizes, as read (not as declared), may not exceed this."""
    max_member_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    """One file inside an archive (or one export file) may not expand past this."""
    max_compression_ratio: float = Field(default=200.0, ge=2.0)
    """An archive member that expands more than this many times its compressed size is a zip bomb."""
    max_archive_members: int = Field(default=20_000, ge=1)
    """Files in one archive or folder."""
    max_import_items: int = Field(default=200_000, ge=1)
    """Items (watches, posts, links) one import may add."""
    max_title_chars: int = Field(default=500, ge=10)
    """Longer titles (catalog, imports) are cut to this length, with a notice."""
    max_description_chars: int = Field(default=10_000, ge=10)
    """Longer descriptions are cut to this length."""
    max_transcript_line_chars: int = Field(default=2_000, ge=10)
    """Longer transcript lines are cut to this length."""
    max_catalog_line_bytes: int = Field(default=1024 * 1024, ge=1024)
    """A catalog JSONL line (or .info.json file) longer than this is skipped and reported."""
    max_transcript_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    """A transcript file (JSON, json3, WebVTT) larger than this is not read; the video keeps no clips."""
    max_json_depth: int = Field(default=32, ge=2)
    """JSON nested deeper than this (catalog lines, transcripts, exports) is refused."""
    max_request_number: int = Field(default=10_000, ge=10)
    """The largest item number, count or minute figure read from a chat message."""


@lru_cache(maxsize=1)
def limits() -> Limits:
    """The limits, read from the environment once per process."""
    return Limits()
