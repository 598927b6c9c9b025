"""LLM settings, read from the environment once: OpenAI or any OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PRICES_USD_PER_MTOK = {
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
}
"""USD per million tokens (input, output), OpenAI's list prices when written; override with
CLIPWISE_LLM_PRICES='{"model": [in, out]}'. A model not listed (a local one) has no cost shown."""


class LLMSettings(BaseSettings):
    """OPENAI_API_KEY and OPENAI_BASE_URL as the OpenAI client names them; the rest CLIPWISE_LLM_*."""

    model_config = SettingsConfigDict(env_prefix="CLIPWISE_LLM_", extra="ignore", populate_by_name=True)

    api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    """The API key; a SecretStr, so it never shows in logs, reprs or tracebacks."""
    base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    """An OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama); OpenAI when unset."""
    model: str = "gpt-4.1-mini"
    """The chat model's name as the server knows it (CLIPWISE_LLM_MODEL)."""
    timeout_s: float = Field(default=20.0, gt=0)
    """Per request; past it the rules controller answers the turn (CLIPWISE_LLM_TIMEOUT_S)."""
    max_retries: int = Field(default=1, ge=0)
    """Retries of a failed request before falling back (CLIPWISE_LLM_MAX_RETRIES)."""
    temperature: float | None = None
    """Sent only when set; some models accept only their default."""
    max_tokens: int | None = Field(default=None, gt=0)
    """A cap on each reply's tokens, sent only when set (CLIPWISE_LLM_MAX_TOKENS): keeps a small local model
    that rambles from holding a turn until the timeout."""
    prices: dict[str, tuple[float, float]] = Field(default_factory=lambda: dict(PRICES_USD_PER_MTOK))
    """USD per million tokens (input, output) by model name (CLIPWISE_LLM_PRICES, JSON)."""
    log: Path | None = None
    """Off by default: a JSONL file of requests and responses, keys and user names redacted (CLIPWISE_LLM_LOG)."""

    @property
    def configured(self) -> bool:
        """A key or a server is set, so the LLM controller can run."""
        return self.api_key is not None or self.base_url is not None

    def price(self) -> tuple[float, float] | None:
        return self.prices.get(self.model)

    def secrets(self) -> list[str]:
        """Strings the LLM log must never contain."""
        return [self.api_key.get_secret_value()] if self.api_key else []
