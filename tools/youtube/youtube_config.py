"""YouTube settings, from YOUTUBE_* environment variables; the key is a secret and prints as '**********'."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class YouTubeSettings(BaseSettings):
    """Every setting has a YOUTUBE_<NAME> environment variable."""

    model_config = SettingsConfigDict(env_prefix="YOUTUBE_", extra="ignore")

    api_key: SecretStr | None = None
    """A YouTube Data API v3 key; without it clipwise uses the local catalog only."""
    daily_budget: int = Field(default=10_000, ge=0)
    """Quota units clipwise may spend a day (YouTube's default allowance is 10,000)."""
    languages: str = "en"
    """Preferred transcript languages, best first, comma-separated ('en,de')."""
    relevance_language: str | None = None
    """Ask search for videos in this language (ISO 639-1), e.g. 'en'."""
    safe_search: str = Field(default="moderate", pattern="^(none|moderate|strict)$")
    per_query: int = Field(default=25, ge=1, le=50)
    """Search results asked for per query (one search costs 100 units whatever this is)."""
    http_proxy: str | None = None
    """Proxy for transcript requests (YouTube often blocks cloud IPs); passed to youtube-transcript-api."""
    https_proxy: str | None = None

    @property
    def language_list(self) -> tuple[str, ...]:
        return tuple(code.strip() for code in self.languages.split(",") if code.strip()) or ("en",)
