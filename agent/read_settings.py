"""Read settings from the environment; a bad value is reported by its variable's name, never a secret."""

from __future__ import annotations

import os
import re
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsError

from tools.errors import ClipwiseError

AnySettings = TypeVar("AnySettings", bound=BaseSettings)
SECRET_ENV = ("YOUTUBE_API_KEY", "OPENAI_API_KEY")
"""Values never to be echoed in an error message, whatever setting they turn up in."""
CHOICES = re.compile(r"^\^\(([^()]+)\)\$$")
"""A pattern that is a plain list of choices, '^(none|moderate|strict)$'."""


def read_settings(cls: type[AnySettings], flags: dict[str, str] | None = None, **given: Any) -> AnySettings:
    """`cls(**given)` (the rest from the environment), a bad value reported as a ClipwiseError that
    names its environment variable (or, for a value in `given`, its flag from `flags`)."""
    try:
        return cls(**given)
    except ValidationError as exc:
        # `from None`: pydantic's own text (and so a chained traceback) shows the raw input values.
        raise ClipwiseError(describe_invalid(cls, exc, set(given), flags or {})) from None
    except SettingsError as exc:  # a JSON-valued setting that is not JSON; the message names no value
        field = re.search(r'field "(\w+)"', str(exc))
        name = env_name(cls, field.group(1)) if field else "a setting"
        raise ClipwiseError(f"Bad setting {name}: it is not valid JSON.") from None


def env_name(cls: type[BaseSettings], field: str) -> str:
    """The environment variable of a field (its alias when it has one, e.g. OPENAI_API_KEY)."""
    info = cls.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, str):
        return info.validation_alias.upper()
    if info is None:  # pydantic reports an aliased field under its alias
        return field.upper()
    return (str(cls.model_config.get("env_prefix") or "") + field).upper()


def describe_invalid(cls: type[BaseSettings], exc: ValidationError, given: set[str], flags: dict[str, str]) -> str:
    problems = []
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else ""
        name = flags.get(field, "--" + field.replace("_", "-")) if field in given else env_name(cls, field)
        value = error.get("input")
        shown = "" if is_secret(cls, field) or not isinstance(value, (str, int, float)) else f"={str(value)!r}"
        problems.append(f"{name}{shown}: {allowed(error)}")
    what = "Bad setting" if len(problems) == 1 else "Bad settings"
    return redact(f"{what} {'; '.join(problems)}.")


def allowed(error: dict) -> str:
    """pydantic's message, a pattern of plain choices spelled out."""
    pattern = (error.get("ctx") or {}).get("pattern", "")
    choices = CHOICES.match(str(pattern)) if error["type"] == "string_pattern_mismatch" else None
    if choices:
        return "should be one of " + ", ".join(f"'{c}'" for c in choices.group(1).split("|"))
    msg = str(error["msg"]).rstrip(".")
    return msg[:1].lower() + msg[1:]


def is_secret(cls: type[BaseSettings], field: str) -> bool:
    field = field.lower()
    info = cls.model_fields.get(field) or next(
        (f for f in cls.model_fields.values() if str(f.validation_alias).lower() == field), None)
    return any(word in field for word in ("key", "secret", "token", "password")) \
        or (info is not None and "SecretStr" in repr(info.annotation))


def redact(text: str) -> str:
    for name in SECRET_ENV:
        secret = os.environ.get(name, "").strip()
        if len(secret) >= 6:
            text = text.replace(secret, "**********")
    return text
