"""Each app instance keeps uploads in a folder of its own, so stopping one leaves the others' files."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import chainlit.config
import chainlit.server


def own_files_directory() -> Path:
    """Point Chainlit's upload folder at `<app root>/.files/instance-<pid>-<id>`.

    Chainlit keeps uploads under one `.files` folder per app root and deletes that whole folder
    when a server stops, which would take the uploads of every other instance started from the
    same folder with it. The server reads the folder from its own module global at shutdown and
    sessions read it from chainlit.config, so both are set.
    """
    shared = Path(chainlit.config.FILES_DIRECTORY)
    if shared.name.startswith("instance-"):  # already ours (module imported twice)
        return shared
    mine = shared / f"instance-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    mine.mkdir(parents=True, exist_ok=True, mode=0o700)
    chainlit.config.FILES_DIRECTORY = mine
    chainlit.server.FILES_DIRECTORY = mine
    return mine
