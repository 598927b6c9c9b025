"""The code's layers: memory < tools < agent < evals, imports only go down; chainlit_app.py is glue
on top. Every import counts, those inside functions too. Module names are unique across folders."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("memory", "tools", "agent", "evals")
"""Lowest first: a package may import its own layer and the ones before it."""
TOP = len(LAYERS)
"""chainlit_app.py's rank: above everything."""


def project_modules() -> list[Path]:
    files = [p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))]
    return files + [ROOT / "chainlit_app.py"]


def rank_of(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the tree, wherever it stands."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_no_module_imports_a_higher_layer():
    upward = []
    for path in project_modules():
        rel = path.relative_to(ROOT)
        own = TOP if rel.name == "chainlit_app.py" and len(rel.parts) == 1 else LAYERS.index(rel.parts[0])
        for line, module in imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            rank = rank_of(module)
            if rank is not None and rank > own:
                upward.append(f"{rel}:{line} imports {module}")
    assert not upward, "imports going up a layer:\n" + "\n".join(upward)


def test_nothing_imports_chainlit_app():
    importers = [str(p.relative_to(ROOT)) for p in project_modules()[:-1]
                 if any(m == "chainlit_app" for _, m in imported_modules(ast.parse(p.read_text(encoding="utf-8"))))]
    assert not importers


def test_module_names_are_unique_across_folders():
    where = defaultdict(list)
    for path in project_modules():
        if path.name != "__init__.py":
            where[path.name].append(str(path.relative_to(ROOT)))
    shared = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not shared, f"modules sharing a name: {shared}"


def test_every_tool_has_its_traits_and_only_tools_do():
    from agent.toolset import TOOL_TRAITS, TOOLS

    assert set(TOOL_TRAITS) == {t.name for t in TOOLS}


DOOR = ROOT / "tools" / "library.py"


def test_memory_is_written_only_through_the_library():
    """Outside tools/library.py, code opens `lib.change(...)` and writes with the connection it yields;
    it never calls the user store's own change/undo/seen methods, which would skip the journal or leave
    the interest vectors stale."""
    bypass = []
    for path in project_modules():
        if path == DOOR:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "change", "undo", "mark_seen", "clear_seen", "forget_user"):
                owner = node.func.value
                if isinstance(owner, ast.Attribute) and owner.attr == "users":
                    bypass.append(f"{path.relative_to(ROOT)}:{node.lineno} users.{node.func.attr}(...)")
    assert not bypass, bypass
