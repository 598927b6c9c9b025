"""Intent and slot accuracy of the request parser on evals/paraphrases, dev and held-out fifths apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from agent.understand.actions import Action, Reading
from agent.understand.catalog_context import CatalogWords
from agent.understand.intent_model import IntentModel
from agent.understand.parser import ASK, RequestParser
from memory.embedder import load_embedder
from memory.user_store import normalise_topic
from tools.catalog.store import load_catalog

PARAPHRASES = Path(__file__).with_name("paraphrases")
GENERIC = {"video", "videos", "stuff", "content", "clip", "clips", "things", "the", "a", "an", "any", "some"}
SLOTS = ("topics", "channel", "items", "max_minutes", "min_minutes", "published_after", "which", "new_name")


@dataclass
class Case:
    say: str
    expected: list[dict]
    today: dt.date
    file: str

    @property
    def held_out(self) -> bool:
        """A fixed fifth of the cases, by a hash of the words: never looked at while tuning."""
        return int(hashlib.sha256(self.say.encode()).hexdigest(), 16) % 5 == 0


def load_cases(folder: Path = PARAPHRASES, files: list[Path] | None = None) -> list[Case]:
    cases = []
    for path in files if files is not None else sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        today = dt.date.fromisoformat(str(data["today"]))
        cases += [Case(c["say"], c["actions"], today, path.stem) for c in data["cases"]]
    return cases


def stems(topic: str) -> frozenset[str]:
    words = [w for w in normalise_topic(topic).replace("-", " ").split() if w not in GENERIC]
    return frozenset(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words)


def slot_matches(name: str, want, got: Action) -> bool:
    value = getattr(got, name)
    if name == "topics":
        return sorted(stems(t) for t in want) == sorted(stems(t) for t in value)
    if name == "items":
        return list(want) == list(value)
    if want == "any":
        return value is not None
    if name == "published_after":
        return value is not None and value.isoformat() == str(want)
    if name in ("max_minutes", "min_minutes"):
        return value is not None and abs(float(value) - float(want)) < 0.01
    if name == "channel":
        return value == want
    return str(value).lower() == str(want).lower()


def intent_of(action: Action) -> str:
    return "block_channel" if action.intent == "block_channel" else action.intent


def score(case: Case, reading: Reading) -> tuple[bool, bool]:
    """(intents right, intents and slots right), order of actions aside."""
    if any(e["intent"] == "bad_date" for e in case.expected):
        ok = reading.problem is not None and "date" in reading.problem
        return ok, ok
    got = [a for a in reading.actions]
    want = sorted(e["intent"] for e in case.expected)
    if sorted(intent_of(a) for a in got) != want:
        return False, False
    remaining = list(got)
    for e in case.expected:
        match = next((a for a in remaining if a.intent == e["intent"]
                      and all(slot_matches(s, e[s], a) for s in SLOTS if s in e)), None)
        if match is None:
            return True, False
        remaining.remove(match)
    return True, True


@dataclass
class Tally:
    n: int = 0
    intent: int = 0
    slots: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, reading: Reading) -> None:
        i, s = score(case, reading)
        self.n, self.intent, self.slots = self.n + 1, self.intent + i, self.slots + s
        if not s:
            self.misses.append(f"{case.file}: {case.say!r} -> {describe(reading)}")


def describe(reading: Reading) -> str:
    if reading.problem:
        return f"problem: {reading.problem[:60]}"
    if reading.alternatives:
        return "ask: " + " | ".join(compact(a[0]) for a in reading.alternatives)
    if not reading.understood:
        return "not understood"
    return "; ".join(compact(a) for a in reading.actions)


def compact(a: Action) -> str:
    slots = {k: v for k in SLOTS if (v := getattr(a, k)) not in (None, (), "")}
    return f"{a.intent}{slots if slots else ''}"


def shown_list(catalog, n: int = 10) -> list[dict]:
    return [{"video_id": v.video_id, "channel": v.channel, "duration_s": v.duration_s}
            for v in list(catalog.videos.values())[:n]]


def run(parser: RequestParser, cases: list[Case]) -> dict[str, Tally]:
    catalog = load_catalog()
    words = CatalogWords.build(catalog)
    shown = shown_list(catalog)
    tallies = {"dev": Tally(), "held-out": Tally()}
    for case in cases:
        reading = parser.parse(case.say, words.context(case.today, shown))
        tallies["held-out" if case.held_out else "dev"].add(case, reading)
    return tallies


def run_paraphrases(files: list[Path], embedder) -> tuple[dict, list[dict]]:
    """For `clipwise eval`: the accuracy table's numbers, and each utterance read wrong as a failed case."""
    parser = RequestParser(IntentModel.fit(embedder))
    tallies = run(parser, load_cases(files=files))
    dev, held = tallies["dev"], tallies["held-out"]
    metrics = {
        "parser": parser.model.mode, "utterances": dev.n + held.n,
        "intent_accuracy": round((dev.intent + held.intent) / max(dev.n + held.n, 1), 3),
        "slot_accuracy": round((dev.slots + held.slots) / max(dev.n + held.n, 1), 3),
        "held_out_intent_accuracy": round(held.intent / max(held.n, 1), 3),
        "held_out_slot_accuracy": round(held.slots / max(held.n, 1), 3),
    }
    cases = [{"name": miss, "passed": False, "failures": [miss]} for t in tallies.values() for miss in t.misses]
    return metrics, cases


def report(console: Console, with_embeddings: bool = True, show_misses: bool = False) -> dict[str, Tally]:
    embedder = load_embedder() if with_embeddings else None
    parser = RequestParser(IntentModel.fit(embedder))
    cases = load_cases()
    start = time.perf_counter()
    tallies = run(parser, cases)
    table = Table(title=f"Request parser on evals/paraphrases ({parser.model.mode})")
    for col in ("split", "utterances", "intent accuracy", "slot accuracy"):
        table.add_column(col)
    for name, t in tallies.items():
        table.add_row(name, str(t.n), f"{t.intent / max(t.n, 1):.3f}", f"{t.slots / max(t.n, 1):.3f}")
    console.print(table)
    console.print(f"{len(cases)} utterances parsed in {time.perf_counter() - start:.1f} s")
    if show_misses:
        for line in tallies["dev"].misses:
            console.print(f"  miss {line}", markup=False)
    return tallies


ACT_GRID = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def tune(console: Console, folds: int = 5) -> None:
    """k-fold choice of the act threshold on the dev cases only: each fold's threshold is picked on the
    other folds, so the printed accuracy is cross-validated, not the best of the grid."""
    model = IntentModel.fit(load_embedder())
    dev = [c for c in load_cases() if not c.held_out]
    by_act = {act: [] for act in ACT_GRID}
    for act in ACT_GRID:
        parser = RequestParser(model, act=act, ask=min(ASK, act))
        catalog = load_catalog()
        words, shown = CatalogWords.build(catalog), shown_list(catalog)
        by_act[act] = [score(c, parser.parse(c.say, words.context(c.today, shown)))[1] for c in dev]
    table = Table(title=f"act threshold by {folds}-fold cross-validation on {len(dev)} dev paraphrases")
    for col in ("fold", "chosen on the other folds", "slot accuracy on this fold"):
        table.add_column(col)
    scores = []
    for k in range(folds):
        test = [i for i in range(len(dev)) if i % folds == k]
        train = [i for i in range(len(dev)) if i % folds != k]
        best = max(ACT_GRID, key=lambda a: (sum(by_act[a][i] for i in train), -abs(a - 0.25)))
        acc = sum(by_act[best][i] for i in test) / len(test)
        scores.append(acc)
        table.add_row(str(k + 1), str(best), f"{acc:.3f}")
    table.add_row("mean", "", f"{sum(scores) / len(scores):.3f}")
    console.print(table)


if __name__ == "__main__":
    import sys

    if "--tune" in sys.argv:
        tune(Console())
    else:
        report(Console(), with_embeddings="--lexical" not in sys.argv, show_misses="--misses" in sys.argv)
