"""Imports from the chat: files the user attaches are read as exports and their interests stored."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from agent.controllers import naming_model
from agent.llm.interest_naming import namer_for
from tools.errors import ClipwiseError
from tools.imports.bounded import check_upload_size
from tools.imports.importer import PreparedImport, commit_import, prepare_import
from tools.library import Library

Prepared = list[tuple[str, PreparedImport | str]]
"""Per attached file: its safe name, and its prepared import or the line saying why it was refused."""


def prepare_uploads(lib: Library, files: list[tuple[str, Path]]) -> Prepared:
    """Read each attached file under its own name (the upload's temp path has no extension, and the
    name is how an export is recognised) and find its interests. Slow; touches no memory, so it runs
    in a worker thread without the memory lock."""
    out: Prepared = []
    for name, path in files:
        safe = Path(name).name or "upload"
        try:
            check_upload_size(safe, Path(path).stat().st_size)  # before it is copied
            with tempfile.TemporaryDirectory(prefix="clipwise-upload-") as tmp:
                named = Path(tmp) / safe
                shutil.copyfile(path, named)
                try:
                    out.append((safe, prepare_import(lib, named, namer=namer_for(naming_model()))))
                except ClipwiseError as exc:
                    raise ClipwiseError(str(exc).replace(str(tmp) + "/", "")) from None
        except ClipwiseError as exc:
            out.append((safe, f"{safe}: could not import, nothing was stored. {exc}"))
        except OSError as exc:  # the upload went missing or unreadable before it was read
            out.append((safe, f"{safe}: could not import, nothing was stored. The upload could not be read "
                              f"({exc.strerror or type(exc).__name__}); please attach it again."))
    return out


def commit_uploads(lib: Library, user: str, prepared: Prepared) -> str:
    """Store each prepared import (one all-or-nothing change each); the report of them all."""
    lines = []
    for safe, ready in prepared:
        if isinstance(ready, str):
            lines.append(ready)
            continue
        try:
            lines.append(f"{safe}:\n" + commit_import(lib, user, ready).text())
        except ClipwiseError as exc:
            lines.append(f"{safe}: could not import, nothing was stored. {exc}")
    return "\n\n".join(lines)


def import_uploads(lib: Library, user: str, files: list[tuple[str, Path]]) -> str:
    """Prepare and store in one go (for callers that hold no lock of their own)."""
    return commit_uploads(lib, user, prepare_uploads(lib, files))
