"""The request parser on evals/paraphrases: intents and slots of 400 utterances written in everyday words."""

from __future__ import annotations

import pytest
from rich.console import Console

from evals.paraphrase_eval import load_cases, report

pytestmark = pytest.mark.slow


def test_paraphrase_set_is_big_and_covers_every_intent():
    cases = load_cases()
    intents = {a["intent"] for c in cases for a in c.expected}

    assert len(cases) >= 300
    assert {"less", "seen", "block_channel", "clear_limits", "why", "greeting", "out_of_scope", "bad_date"} <= intents
    assert 0.15 <= sum(c.held_out for c in cases) / len(cases) <= 0.25


@pytest.mark.parametrize("embeddings", [True, False], ids=["minilm", "lexical-fallback"])
def test_parser_reads_held_out_paraphrases(embeddings, capsys):
    tallies = report(Console(), with_embeddings=embeddings)
    held = tallies["held-out"]

    floor = (0.90, 0.85) if embeddings else (0.80, 0.75)
    assert held.intent / held.n >= floor[0], held.misses
    assert held.slots / held.n >= floor[1], held.misses
