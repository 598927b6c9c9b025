"""Conversation suites with YouTube on, every request answered from a vcrpy cassette."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import yaml

from agent.settings import Settings
from evals.conversations import CaseResult, load_case, run_case
from tools.errors import ClipwiseError
from tools.library import Library

REPLAY_SUFFIX = ".replay.yaml"
"""A file `<name>.replay.yaml` in a folder of cases runs them with YouTube on, replaying a cassette."""
CASSETTE_FOLDER = "cassettes"
"""vcrpy cassettes (YAML too) live here and are never read as cases."""
REPLAY_KEYS = {"cassette", "youtube"}
REPLAY_KEY = "clipwise-replay-key"
"""The YOUTUBE_API_KEY a replay runs with: the client needs one, the cassette never sees it."""
REPLAY_DIR = "youtube-replay"
"""Under the eval data dir: one fresh data dir per replayed case (its own cache, quota ledger...)."""
PLAYER_PATH = "/youtubei/v1/player"



def innertube_video_id(r1, r2) -> None:
    """vcrpy matcher: two POSTs to YouTube's innertube `player` endpoint match when they ask for the same
    video. Its URL is the same for every video once the `key` parameter is filtered, and the rest of
    the JSON body (client name and version) changes with youtube-transcript-api releases, so the body
    as a whole is never compared; other requests always pass."""
    if r1.path != PLAYER_PATH and r2.path != PLAYER_PATH:
        return
    ids = []
    for r in (r1, r2):
        try:
            ids.append(json.loads(r.body or b"{}").get("videoId"))
        except (ValueError, AttributeError):
            ids.append(None)
    if ids[0] != ids[1]:
        raise AssertionError(f"videoId {ids[0]!r} != {ids[1]!r}")


class OneAtATimeSession(requests.Session):
    """The requests session youtube-transcript-api gets in a replay: it sends one request at a time.

    The library fetches transcripts four at a time, but vcrpy's connection stubs are not thread-safe:
    building one puts the real connection classes back, globally, for a moment
    (vcr.patch.force_reset), and a request another thread starts just then goes to the real network.
    So in a replay the requests wait for each other; the code path is otherwise the library's own."""

    sending = threading.RLock()  # re-entrant: a redirect calls send() again from inside send()

    def send(self, request, **kwargs):
        from vcr.errors import CannotOverwriteExistingCassetteException

        with self.sending:
            try:
                return super().send(request, **kwargs)
            except (CannotOverwriteExistingCassetteException, MissingFromCassette) as exc:
                raise MissingFromCassette(exc.failed_request) from None


class MissingFromCassette(BaseException):
    """A transcript request the cassette lacks. clipwise reads any transcript failure as 'no clip'
    (an Exception), so this one is a BaseException: the replay must fail, not quietly lose a clip."""

    def __init__(self, failed_request):
        super().__init__(f"{failed_request.method} {without_key(failed_request.uri)}")
        self.failed_request = failed_request


def without_key(uri: str) -> str:
    """A URI without its `key` parameter, for messages."""
    parts = urlsplit(uri)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "key"])
    return urlunsplit(parts._replace(query=query))


@dataclass
class YouTubeReplay:
    """A folder's `*.replay.yaml`: its cases run with CLIPWISE_SOURCES=local+youtube and a dummy key,
    every YouTube request answered from a vcrpy cassette (record_mode none: a request the cassette
    lacks is an error, never a silent empty answer)."""

    path: Path
    cassette: Path
    youtube: dict = field(default_factory=dict)

    @classmethod
    def find(cls, files: list[Path]) -> YouTubeReplay | None:
        folders = sorted({f.parent for f in files})
        found = sorted(p for folder in folders for p in folder.glob(f"*{REPLAY_SUFFIX}"))
        if len(found) > 1:
            raise ClipwiseError(f"more than one replay file for one suite: {', '.join(map(str, found))}")
        return cls.load(found[0]) if found else None

    @classmethod
    def load(cls, path: Path) -> YouTubeReplay:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ClipwiseError(f"{path}: not valid YAML ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("cassette"), str):
            raise ClipwiseError(f"{path}: a replay file needs 'cassette: <path to a vcrpy cassette>'")
        if set(data) - REPLAY_KEYS:
            raise ClipwiseError(f"{path}: unknown key(s) {', '.join(sorted(set(data) - REPLAY_KEYS))}")
        cassette = path.parent / data["cassette"]
        if not cassette.is_file():
            raise ClipwiseError(f"{path}: cassette {cassette} not found (write it with the suite's make_cassette.py)")
        replay = cls(path, cassette, data.get("youtube") or {})
        replay.youtube_settings({}, where=path)
        return replay

    def youtube_settings(self, overrides: dict, where: Path):
        """YOUTUBE_* settings from the replay file and the case only, never from the environment
        (a YOUTUBE_PER_QUERY there would change the requests and miss the cassette)."""
        from pydantic import ValidationError

        from tools.youtube.youtube_config import YouTubeSettings

        fields = YouTubeSettings.model_fields
        given = {**self.youtube, **overrides}
        unknown = set(given) - set(fields) | ({"api_key"} & set(given))
        if unknown:
            raise ClipwiseError(f"{where}: unknown or not allowed YouTube setting(s) {', '.join(sorted(unknown))}")
        values = {name: f.get_default(call_default_factory=True) for name, f in fields.items()}
        try:
            return YouTubeSettings(**{**values, **given, "api_key": REPLAY_KEY})
        except ValidationError as exc:
            raise ClipwiseError(f"{where}: bad YouTube setting: {exc.errors()[0]['msg']}") from None

    def playing(self) -> AbstractContextManager:
        import vcr

        recorder = vcr.VCR(
            record_mode="none", filter_query_parameters=["key"],
            match_on=["method", "scheme", "host", "path", "query", "innertube_video_id"],
        )
        recorder.register_matcher("innertube_video_id", innertube_video_id)
        return recorder.use_cassette(str(self.cassette), allow_playback_repeats=True)

    def open(self, settings: Settings, case_dir: Path, youtube) -> Library:
        """The library as `CLIPWISE_SOURCES=local+youtube` opens it: Google's client on its own httplib2
        (patched by vcrpy), youtube-transcript-api on a requests session that sends one at a time."""
        from youtube_transcript_api import YouTubeTranscriptApi

        from agent.sources import open_from_settings

        s = Settings(data_dir=case_dir, catalog=settings.catalog, transcripts=settings.transcripts,
                     results=settings.results, sources="local+youtube")
        return open_from_settings(s, youtube, transcript_api=YouTubeTranscriptApi(http_client=OneAtATimeSession()))

    def run_case(self, settings: Settings, root: Path, path: Path, controller) -> CaseResult:
        """One case on a fresh data dir, every request inside the cassette."""
        from vcr.errors import CannotOverwriteExistingCassetteException

        case = load_case(path)
        youtube = self.youtube_settings(case.get("youtube") or {}, where=path)
        case_dir = root / f"{path.stem}-{uuid.uuid4().hex[:8]}"
        lib = None
        try:
            with self.playing():
                lib = self.open(settings, case_dir, youtube)
                result, lib = run_case(lib, case_dir, settings.results, path, controller, case)
        except (CannotOverwriteExistingCassetteException, MissingFromCassette) as exc:
            request = exc.failed_request
            where = next((n for n in getattr(exc, "__notes__", []) if n.startswith(f"{path}: turn")), str(path))
            raise ClipwiseError(
                f"{where}: YouTube request not in the cassette {self.cassette}: {request.method} "
                f"{without_key(request.uri)} (the replay answers only what the cassette holds: add the "
                "request to the script that writes it and run that again)"
            ) from None
        finally:
            if lib is not None:
                lib.users.close()
        return result
