"""Per-run context handed to every node and tool: the library and whose memory it is."""

from __future__ import annotations

from dataclasses import dataclass

from tools.library import Library


@dataclass
class Context:
    lib: Library
    """Catalog, indexes and user memory."""
    user: str = "local"
    """Whose interests and rules are read and changed."""
    k: int = 10
    """How many recommendations to show."""
    clip_embed_missing: bool = False
    """Embed transcripts not yet indexed while clipping (slower first turn, better clips)."""
