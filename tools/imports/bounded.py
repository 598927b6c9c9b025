"""Reading export files and archive members within the size limits, counting the bytes actually read."""

from __future__ import annotations

from typing import BinaryIO

from tools.errors import ImportFileError
from tools.limits import limits

CHUNK = 1024 * 1024
RATIO_FLOOR = 1024 * 1024
"""The compression ratio is judged only past this many expanded bytes: a small, very repetitive
file (a JSON array of alike records) may compress 500 times and still be harmless."""


def refused(label: str, what: str, limit: str, value: object) -> ImportFileError:
    """The error of a file over a limit: names the file, what was over, and the limit with its value."""
    return ImportFileError(label, f"refused: {what} (limit {limit} = {value}); nothing was stored")


class ReadBudget:
    """The bytes one export may expand to in all; each member read draws on it."""

    def __init__(self, compressed_bytes: int | None = None):
        self.used = 0
        self.compressed_bytes = compressed_bytes
        """The whole archive's size on disk, for the ratio of archives that compress as one stream (.tgz)."""

    def draw(self, label: str, count: int) -> None:
        self.used += count
        cap = limits().max_uncompressed_bytes
        if self.used > cap:
            raise refused(label, f"the export expands past {cap} bytes in all", "max_uncompressed_bytes", cap)
        whole = self.compressed_bytes
        ratio = limits().max_compression_ratio
        if whole and self.used > RATIO_FLOOR and self.used > whole * ratio:
            raise refused(label, f"the archive expands more than {ratio:g} times its size (an archive bomb)",
                          "max_compression_ratio", f"{ratio:g}")


def read_capped(stream: BinaryIO, label: str, budget: ReadBudget, compressed_size: int | None = None) -> bytes:
    """All of a stream's bytes, read a chunk at a time; refused as soon as the member passes
    max_member_bytes, the export passes max_uncompressed_bytes, or the member expands more than
    max_compression_ratio times its compressed size. Sizes are counted as read, not as declared."""
    cap, ratio = limits().max_member_bytes, limits().max_compression_ratio
    chunks, size = [], 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > cap:
            raise refused(label, f"the file expands past {cap} bytes", "max_member_bytes", cap)
        if compressed_size is not None and size > RATIO_FLOOR and size > max(compressed_size, 1) * ratio:
            raise refused(label, f"the file expands more than {ratio:g} times its compressed size "
                          "(an archive bomb)", "max_compression_ratio", f"{ratio:g}")
        budget.draw(label, len(chunk))
        chunks.append(chunk)
    return b"".join(chunks)


def check_upload_size(label: str, size: int) -> None:
    """An upload (or an export file given on its own) over max_upload_bytes is refused unopened."""
    cap = limits().max_upload_bytes
    if size > cap:
        raise refused(label, f"the file is {size} bytes", "max_upload_bytes", cap)


def check_member_count(label: str, count: int) -> None:
    cap = limits().max_archive_members
    if count > cap:
        raise refused(label, f"more than {cap} files in the archive or folder", "max_archive_members", cap)
