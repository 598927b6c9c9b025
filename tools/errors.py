"""Errors whose message is what the user sees."""


class ClipwiseError(Exception):
    """Base class: the message is written for the user, never a traceback."""


class CatalogError(ClipwiseError):
    """A catalog file could not be read; names the file, line and field."""

    def __init__(self, path: str, problem: str, line: int | None = None, field: str | None = None):
        where = str(path) + (f", line {line}" if line is not None else "")
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{problem}")
        self.path, self.line, self.field = str(path), line, field


class TranscriptError(ClipwiseError):
    """A transcript file is missing or unreadable."""


class UnknownVideoError(ClipwiseError):
    """A video id that the catalog does not hold."""

    def __init__(self, video_id: str):
        super().__init__(f"No video with id '{video_id}' in the catalog.")
        self.video_id = video_id


class ItemOutOfRangeError(ClipwiseError):
    """A '#N' that points past the last list shown."""


class ImportFileError(ClipwiseError):
    """An export file or one of its records could not be read; names the file and the position."""

    def __init__(self, path: str, problem: str, position: str | None = None):
        where = str(path) + (f", {position}" if position else "")
        super().__init__(f"{where}: {problem}")
        self.path, self.position = str(path), position


class YouTubeUsageError(ClipwiseError):
    """The client was called in a way that can never work (a bug, not a network problem)."""
