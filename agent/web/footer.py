"""The line under the chat box says what clipwise is, in every language Chainlit offers."""

from __future__ import annotations

import copy

FOOTER = "clipwise recommends from your catalog and your words; ask \u201cwhy #N\u201d for the evidence behind any pick."
"""Replaces Chainlit's default ('LLMs can make mistakes...'): by default no language model picks
anything here, and every pick can show its evidence."""


def own_footer(config) -> None:
    """Wrap Chainlit's translation loader so the chat watermark is ours whatever the language."""
    load = type(config).load_translation

    def load_translation(self, language: str) -> dict:
        translation = copy.deepcopy(load(self, language))
        translation.setdefault("chat", {})["watermark"] = FOOTER
        return translation

    if getattr(type(config), "_clipwise_footer", False):
        return
    type(config).load_translation = load_translation
    type(config)._clipwise_footer = True
