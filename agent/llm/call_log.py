"""Optional JSONL log of LLM requests and responses, redacted, as a dataset for a cheaper model."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from pathlib import Path

from langchain_core.messages import BaseMessage, convert_to_openai_messages

KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9_\-.]{8,})")
DEFAULT_USER = "local"
"""The default user name is an ordinary word, so it is left alone."""


class LLMLog:
    """One line per call: {"at", "model", "messages" (request + response, OpenAI format), "tools", "usage",
    "acted"}.

    Secrets (the configured key, anything shaped like a key) and the user's name become
    <redacted> / <user>. Lines follow OpenAI's chat fine-tuning format plus a few fields.
    """

    def __init__(self, path: Path, secrets: list[str] = ()):
        self.path = path
        self.secrets = [s for s in secrets if s]
        self.lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def redact(self, text: str, user: str | None) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        text = KEY_PATTERN.sub("<redacted>", text)
        if user and user != DEFAULT_USER:
            text = re.sub(rf"(?<!\w){re.escape(user)}(?!\w)", "<user>", text)
        return text

    def write(self, sent: list[BaseMessage], response: BaseMessage, tools: list[dict], usage: dict,
              user: str | None, acted: str = "model") -> None:
        """`acted`: who carried out the turn after this call, 'model' or 'parser' (the model answered
        without doing what the request parser read)."""
        record = {
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "model": usage.get("model"),
            "messages": convert_to_openai_messages([*sent, response]),
            "tools": tools,
            "usage": usage,
            "acted": acted,
        }
        line = self.redact(json.dumps(record, ensure_ascii=False, default=str), user)
        with self.lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
