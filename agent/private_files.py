"""Memory and the index are the user's alone: files 0600 and folders 0700, whatever the shell's umask."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("clipwise.private_files")

PRIVATE_UMASK = 0o077


def keep_private(data_dir: Path) -> None:
    """Make everything this process creates private, and tighten what an older version left readable.

    The umask covers files that SQLite, Chroma and Chainlit create later; walking the data dir fixes the
    ones made before (a data dir from a version that wrote 0644). Called once per process, at start."""
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (data_dir, *data_dir.rglob("*")):
        try:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue  # a link's own mode means nothing; its target may not be ours
            wanted = 0o700 if stat.S_ISDIR(mode) else stat.S_IMODE(mode) & 0o700
            if stat.S_IMODE(mode) != wanted:
                path.chmod(wanted)
        except OSError as exc:  # a file another process just removed, or one we do not own
            log.warning("could not make %s private: %s", path, exc)
