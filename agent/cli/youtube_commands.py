"""`clipwise index --youtube QUERY`: build and keep a local catalog from live YouTube search."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.progress import Progress

from agent.cli.options import err, warn
from agent.settings import Settings
from agent.sources import youtube_settings
from memory.user_store import Rules
from tools.catalog.jsonl import write_jsonl
from tools.errors import ClipwiseError
from tools.youtube.backend import youtube_search


def index_from_youtube(s: Settings, queries: list[str], out: Path | None, with_transcripts: bool) -> dict:
    """Search YouTube, keep what it found in the data dir (and as a JSONL catalog at `out`)."""
    backend = youtube_search(s.data_dir, youtube_settings())
    if backend is None:
        raise ClipwiseError("--youtube needs a YouTube Data API key in YOUTUBE_API_KEY (see the README, 'Live YouTube').")
    answer = backend.search(queries, Rules())
    for notice in answer.notices:
        warn(f"note: {notice}")
    transcripts: dict[str, Path] = {}
    missing: dict[str, str] = {}
    if with_transcripts and answer.videos:
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("transcripts", total=len(answer.videos))
            for video in answer.videos:
                got = backend.transcript(video.video_id)
                if got.path:
                    transcripts[video.video_id] = got.path
                else:
                    missing[video.video_id] = got.reason or "no transcript"
                bar.advance(task)
    if out is not None and answer.videos:
        write_catalog(out, answer.videos, transcripts)
    return {"queries": queries, "videos": len(answer.videos), "transcripts": len(transcripts),
            "without_transcript": missing, "notices": answer.notices, "catalog": str(out) if out else None}


def write_catalog(out: Path, videos, transcripts: dict[str, Path]) -> None:
    """A JSONL catalog plus a `<name>-transcripts/` folder beside it: `--catalog out --transcripts folder`."""
    write_jsonl(out, videos)
    if transcripts:
        folder = out.with_name(out.stem + "-transcripts")
        folder.mkdir(exist_ok=True)
        for video_id, path in transcripts.items():
            shutil.copyfile(path, folder / f"{video_id}.json")
