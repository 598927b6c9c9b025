"""JSON read from outside: no NaN or Infinity, no number too big to use, no nesting past the limit."""

from __future__ import annotations

import json
import math

from tools.limits import limits

MAX_INT_DIGITS = 18
"""Integers longer than this (beyond 64 bits) are refused rather than carried as bignums."""


class JSONRefused(ValueError):
    """The text is not JSON clipwise accepts; `path` is where in the document (keys and indexes)."""

    def __init__(self, problem: str, path: tuple = ()):
        super().__init__(problem)
        self.problem, self.path = problem, path

    @property
    def field(self) -> str | None:
        return ".".join(str(p) for p in self.path) or None


class _Refused:
    """Left by the parse hooks where a refused number stood, so the walk can say which field held it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _constant(text: str) -> _Refused:
    return _Refused(text)


def _float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused(text[:40])


def _int(text: str) -> int | _Refused:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else _Refused(text[:20] + "...")


def loads(text: str) -> object:
    """Parse `text`; anything clipwise refuses raises JSONRefused naming what and where."""
    depth = limits().max_json_depth
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise JSONRefused(f"nested deeper than {depth} levels (CLIPWISE_MAX_JSON_DEPTH)") from None
    except json.JSONDecodeError as exc:
        raise JSONRefused(f"invalid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    _check(value, depth)
    return value


def _check(value: object, max_depth: int) -> None:
    """Walk the document without recursion: refuse deep nesting and the numbers the hooks marked."""
    stack: list[tuple[object, tuple, int]] = [(value, (), 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, _Refused):
            raise JSONRefused(f"{node.text} is not a number clipwise accepts (no NaN, Infinity or "
                              f"numbers beyond {MAX_INT_DIGITS} digits)", path)
        if isinstance(node, (dict, list)):
            if depth >= max_depth:
                raise JSONRefused(f"nested deeper than {max_depth} levels (CLIPWISE_MAX_JSON_DEPTH)", path)
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((child, path + (key,), depth + 1) for key, child in items)
