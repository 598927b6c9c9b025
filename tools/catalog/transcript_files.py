"""Read transcripts: youtube-transcript-api JSON, WebVTT and YouTube json3 subtitle files."""

from __future__ import annotations

import html
import re
from pathlib import Path

import webvtt
from pydantic import ValidationError

from tools.catalog.strict_json import JSONRefused, loads
from tools.catalog.timeline import tidy
from tools.catalog.video import Segment
from tools.errors import TranscriptError
from tools.limits import limits

TAG = re.compile(r"<[^>]+>")


def read_transcript(path: Path) -> list[Segment]:
    """Segments of one transcript file, by its suffix, in order and without overlaps; an unreadable
    or refused file raises TranscriptError naming the file (and the line and field where it can)."""
    text = _read_text(path)
    if path.suffix == ".vtt":
        return tidy(_from_vtt(text, path))
    try:
        data = loads(text)
    except JSONRefused as exc:
        raise TranscriptError(f"Transcript {path}{_where(exc.path)}: {exc.problem}") from None
    if path.suffix == ".json3":
        return tidy(_from_json3(data, path))
    return tidy(_from_segments(data, path))


def _read_text(path: Path) -> str:
    max_bytes = limits().max_transcript_bytes
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise TranscriptError(f"Transcript {path} is unreadable: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise TranscriptError(f"Transcript {path} is larger than {max_bytes:,} bytes (CLIPWISE_MAX_TRANSCRIPT_BYTES)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"Transcript {path} is unreadable: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _where(path: tuple) -> str:
    """', line 12, field 'start'' for a place in the document (a line is an item of its list)."""
    if not path:
        return ""
    index = next((p for p in path if isinstance(p, int)), None)
    line = f", line {index + 1}" if index is not None else ""
    keys = [str(p) for p in path if not isinstance(p, int)]
    return line + (f", field '{'.'.join(keys)}'" if keys else "")


def _segment(path: Path, position: tuple, **fields) -> Segment:
    try:
        return Segment(**fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise TranscriptError(f"Transcript {path}{_where(position + tuple(err['loc']))}: {err['msg']}") from None


def _from_segments(data: object, path: Path) -> list[Segment]:
    if not isinstance(data, list):
        raise TranscriptError(f"Transcript {path}: expected a list of {{start, duration, text}}")
    segments = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise TranscriptError(f"Transcript {path}{_where((i,))}: expected an object with start, duration, text")
        known = {k: item[k] for k in ("start", "duration", "text") if k in item}
        segment = _segment(path, (i,), **known)
        if segment.text.strip():
            segments.append(segment)
    return segments


def _milliseconds(event: dict, key: str, path: Path, position: tuple) -> float:
    value = event.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TranscriptError(f"Transcript {path}{_where(position + (key,))}: expected a number of milliseconds")
    return value / 1000


def _from_json3(data: object, path: Path) -> list[Segment]:
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise TranscriptError(f"Transcript {path}: json3 file without 'events'")
    segments = []
    for i, event in enumerate(data["events"]):
        position = ("events", i)
        if not isinstance(event, dict):
            raise TranscriptError(f"Transcript {path}{_where(position)}: expected an event object")
        segs = event.get("segs") or []
        if not isinstance(segs, list) or not all(isinstance(s, dict) and isinstance(s.get("utf8", ""), str) for s in segs):
            raise TranscriptError(f"Transcript {path}{_where(position + ('segs',))}: expected a list of {{utf8: text}}")
        text = "".join(seg.get("utf8", "") for seg in segs).strip()
        if text and "tStartMs" in event:
            start = _milliseconds(event, "tStartMs", path, position)
            duration = _milliseconds(event, "dDurationMs", path, position)
            segments.append(_segment(path, position, start=start, duration=duration, text=text))
    return segments


def _from_vtt(text: str, path: Path) -> list[Segment]:
    try:
        cues = webvtt.from_string(text)
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as exc:
        raise TranscriptError(f"Transcript {path} is unreadable: {exc}") from None
    segments: list[Segment] = []
    for number, cue in enumerate(cues, start=1):
        # Auto-generated captions repeat the previous line at the top of each cue.
        lines = [html.unescape(TAG.sub("", line)).strip() for line in cue.text.splitlines()]
        lines = [line for line in lines if line and (not segments or line != segments[-1].text)]
        if not lines:
            continue
        start = cue.start_time.in_milliseconds() / 1000
        end = cue.end_time.in_milliseconds() / 1000
        try:
            segments.append(Segment(start=start, duration=max(0.0, end - start), text=" ".join(lines)))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise TranscriptError(f"Transcript {path}, cue {number}, field '{err['loc'][0]}': {err['msg']}") from None
    return segments
