"""Settings, read from the environment (CLIPWISE_*) once, at start-up, with types cast."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    sources: Literal["auto", "local", "youtube", "local+youtube"] = "auto"
    """Where videos come from. 'auto': the local catalog, plus YouTube to fill up when
    YOUTUBE_API_KEY is set. 'youtube': only what YouTube search finds (and found before)."""
