"""Read transcripts: youtube-transcript-api JSON, WebVTT and YouTube json3 subtitle files."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import webvtt
from pydantic import ValidationError

from tools.catalog.video import Segment
from tools.errors import TranscriptError

TAG = re.compile(r"<[^>]+>")


def read_transcript(path: Path) -> list[Segment]:
    """Segments of one transcript file, by its suffix; unreadable files raise TranscriptError."""
    try:
        if path.suffix == ".vtt":
            return _read_vtt(path)
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, webvtt.errors.MalformedFileError) as exc:
        raise TranscriptError(f"Transcript {path} is unreadable: {exc}") from None
    if path.suffix == ".json3":
        return _from_json3(data, path)
    return _from_segments(data, path)


def _from_segments(data: object, path: Path) -> list[Segment]:
    if not isinstance(data, list):
        raise TranscriptError(f"Transcript {path}: expected a list of {{start, duration, text}}")
    try:
        segments = [Segment(**item) for item in data]
    except (TypeError, ValidationError) as exc:
        raise TranscriptError(f"Transcript {path}: bad segment ({exc})") from None
    return sorted((s for s in segments if s.text.strip()), key=lambda s: s.start)


def _from_json3(data: object, path: Path) -> list[Segment]:
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise TranscriptError(f"Transcript {path}: json3 file without 'events'")
    segments = []
    for event in data["events"]:
        text = "".join(seg.get("utf8", "") for seg in event.get("segs") or []).strip()
        if text and "tStartMs" in event:
            segments.append(
                Segment(start=event["tStartMs"] / 1000, duration=event.get("dDurationMs", 0) / 1000, text=text)
            )
    return segments


def _read_vtt(path: Path) -> list[Segment]:
    segments: list[Segment] = []
    for cue in webvtt.read(str(path)):
        # Auto-generated captions repeat the previous line at the top of each cue.
        lines = [html.unescape(TAG.sub("", line)).strip() for line in cue.text.splitlines()]
        lines = [line for line in lines if line and (not segments or line != segments[-1].text)]
        if not lines:
            continue
        text = " ".join(lines)
        start = cue.start_time.in_milliseconds() / 1000
        end = cue.end_time.in_milliseconds() / 1000
        segments.append(Segment(start=start, duration=max(0.0, end - start), text=text))
    return segments
