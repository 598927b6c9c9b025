"""Imports from the chat: files the user attaches are read as exports and their interests stored."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from agent.controllers import naming_model
from agent.llm.interest_naming import namer_for
from tools.errors import ClipwiseError
from tools.imports.importer import import_export
from tools.library import Library


def import_uploads(lib: Library, user: str, files: list[tuple[str, Path]]) -> str:
    """Import each attached file under its own name (the upload's temp path has no extension,
    and the name is how an export is recognised). Each file is one all-or-nothing import."""
    lines = []
    for name, path in files:
        safe = Path(name).name or "upload"
        with tempfile.TemporaryDirectory(prefix="clipwise-upload-") as tmp:
            named = Path(tmp) / safe
            shutil.copyfile(path, named)
            try:
                lines.append(f"{safe}:\n" + import_export(lib, user, named, namer=namer_for(naming_model())).text())
            except ClipwiseError as exc:
                lines.append(f"{safe}: could not import, nothing was stored. {str(exc).replace(str(tmp) + '/', '')}")
    return "\n\n".join(lines)
