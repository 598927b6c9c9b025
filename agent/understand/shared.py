"""One fitted request parser per process, and the catalog's words per library."""

from __future__ import annotations

import threading

from agent.understand.catalog_context import CatalogWords
from agent.understand.intent_model import IntentModel
from agent.understand.parser import RequestParser
from tools.library import Library

_lock = threading.Lock()
_fitted: dict[bool, RequestParser] = {}


def parser_for(lib: Library) -> RequestParser:
    """The parser, fitted on first use (a few seconds); the MiniLM weights are the same for every library,
    so one fit serves them all (one more without the model, for the degraded mode)."""
    semantic = lib.embedder is not None
    with _lock:
        if semantic not in _fitted:
            _fitted[semantic] = RequestParser(IntentModel.fit(lib.embedder))
        return _fitted[semantic]


def catalog_words(lib: Library) -> CatalogWords:
    """Channel names and vocabulary of the library's catalog, rebuilt when the catalog grows."""
    words = lib.memo.get("catalog_words")
    if words is None:
        words = lib.memo["catalog_words"] = CatalogWords.build(lib.catalog)
    return words


def warm_parser(lib: Library) -> None:
    """Fit the parser and read the catalog's words before the first message needs them (a few seconds)."""
    parser_for(lib)
    catalog_words(lib)
