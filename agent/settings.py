"""Settings, read from the environment (CLIPWISE_*) once, at start-up, with types cast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting has a CLIPWISE_<NAME> environment variable; CLI flags override them."""

    model_config = SettingsConfigDict(env_prefix="CLIPWISE_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("clipwise")))
    """Where memory, the index and conversation threads are kept."""
    catalog: Path | None = None
    """A JSONL catalog or a folder of yt-dlp .info.json files; the demo catalog when unset."""
    transcripts: Path | None = None
    """A folder of <video_id>.json transcripts (youtube-transcript-api shape)."""
    user: str = "local"
    """Whose memory a command reads and changes."""
    results: int = Field(default=10, ge=1, le=50)
    """How many recommendations a turn shows."""
    max_message_chars: int = Field(default=4000, ge=100)
    """Longer chat messages are refused with a plain answer (and nothing is changed)."""
    checkpoints_kept: int = Field(default=30, ge=1)
    """Conversation checkpoints kept per thread (a turn writes about five); older ones are deleted."""
    undo_kept: int = Field(default=50, ge=20)
    """Changes per user that 'undo' can take back; older journal entries are deleted."""
    import_worker_bytes: int = Field(default=2_000_000, ge=0)
    """Attached exports of at least this many bytes (all files of one message) are read in a worker
    process at low priority; smaller ones in a thread of the server."""
    chroma_url: str | None = None
    """A Chroma server (`chroma run`) that holds the index, as http(s)://host:port, shared by every
    app instance given it; unset: Chroma embedded in the data dir."""
    fetch_model: bool = True
    """Where the embedding model is not on disk, fetch it through Chroma's own download (offline, that
    fails at once and clipwise runs on lexical matching, saying so)."""
    sources: Literal["auto", "local", "youtube", "local+youtube"] = "auto"
    """Where videos come from. 'auto': the local catalog, plus YouTube to fill up when
    YOUTUBE_API_KEY is set. 'youtube': only what YouTube search finds (and found before)."""
    allowed_origins: Annotated[list[str], NoDecode] = []
    """Other web origins (scheme://host[:port]) whose pages may call the web UI's API with the
    user's cookie, comma-separated; none by default (same origin only). '*' is refused."""
    login_max_failures: int = Field(default=5, ge=1)
    """Wrong passwords in a row for one account before its sign-in is held back (HTTP 429)."""
    login_max_failures_per_address: int = Field(default=20, ge=1)
    """Wrong passwords in a row from one client address, any account, before it is held back."""
    login_window_s: float = Field(default=900, gt=0)
    """Seconds without a wrong password after which the failures in a row are forgotten."""
    login_backoff_s: float = Field(default=30, gt=0)
    """The first hold-back; it doubles with each further wrong password."""
    login_backoff_max_s: float = Field(default=3600, gt=0)
    """The longest hold-back."""

    @field_validator("chroma_url")
    @classmethod
    def _check_chroma_url(cls, url: str | None) -> str | None:
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError("the Chroma server is http(s)://host:port, with no path")
        return url.rstrip("/")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin == "*":
                raise ValueError("'*' is not allowed (the UI sends credentials): list the origins")
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
                raise ValueError("each origin is scheme://host[:port], with no path")
        return [o.rstrip("/") for o in origins]
