"""Scripted conversation cases (*.yaml): run each for a fresh user and judge every turn."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agent.rules.rules_controller import rules_controller
from agent.session import Session
from evals.judge import judge_turn
from tools.errors import ClipwiseError
from tools.library import Library, open_library

TURN_KEYS = {"say", "expect", "restart"}
CASE_KEYS = {"name", "user", "turns", "youtube"}
"""`youtube`: YOUTUBE_* settings for this case (daily_budget...); only in a suite with a replay file."""


@dataclass
class CaseResult:
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    leaks: int = 0
    grounded: list[bool] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def load_case(path: Path) -> dict:
    try:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ClipwiseError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(case, dict) or not isinstance(case.get("turns"), list) or not case["turns"]:
        raise ClipwiseError(f"{path}: a case needs 'name' and a non-empty list of 'turns'")
    extra = set(case) - CASE_KEYS
    if extra:
        raise ClipwiseError(f"{path}: unknown key(s) {', '.join(sorted(extra))}")
    if not isinstance(case.get("youtube", {}), dict):
        raise ClipwiseError(f"{path}: 'youtube' must map setting names to values (daily_budget: 150)")
    for n, turn in enumerate(case["turns"], start=1):
        if not isinstance(turn, dict) or "say" not in turn or set(turn) - TURN_KEYS:
            raise ClipwiseError(f"{path}: turn {n} needs 'say' and only {sorted(TURN_KEYS)}")
    case.setdefault("name", path.stem)
    return case


def run_case(lib: Library, data_dir: Path, k: int, path: Path,
             controller=rules_controller, case: dict | None = None) -> tuple[CaseResult, Library]:
    """Run one case with `controller`; returns the library too, since a restart turn opens a new one.
    `case` is the loaded file when the caller has read it already."""
    case = case if case is not None else load_case(path)
    user = case.get("user") or f"eval-{path.stem}-{uuid.uuid4().hex[:8]}"
    thread = uuid.uuid4().hex[:8]
    session = Session(lib, data_dir, controller=controller, k=k)
    result = CaseResult(case["name"], passed=True)
    shown: set[str] = set()
    for n, turn in enumerate(case["turns"], start=1):
        if turn.get("restart"):
            session.close()
            # The same sources as before (YouTube, when on): a restart must not switch a backend off.
            lib = open_library(lib.catalog, data_dir, sources=tuple(lib.sources[1:]))
            session = Session(lib, data_dir, controller=controller, k=k)
        try:
            answer = session.ask(str(turn["say"]), user=user, thread=thread)
            if answer.error is not None:
                raise answer.error
        except BaseException as exc:  # a replay's MissingFromCassette is a BaseException: name the turn too
            exc.add_note(f"{path}: turn {n} ({turn['say']!r})")
            raise
        result.latencies.append(answer.latency_ms)
        try:
            verdict = judge_turn(lib, user, answer, turn.get("expect") or {}, shown)
        except ValueError as exc:
            raise ClipwiseError(f"{path}: turn {n}: {exc}") from None
        shown.update(r["video_id"] for r in answer.results)
        result.leaks += verdict.leaks
        if verdict.grounded is not None:
            result.grounded.append(verdict.grounded)
        result.failures += [f"turn {n} ({turn['say']!r}): {f}" for f in verdict.failures]
    result.passed = not result.failures
    session.conn.close()
    return result, lib
