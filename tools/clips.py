"""Find the clip of a video that addresses an interest: 30 s to 3 min, starting where it starts."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from memory.lexical import STEM, LexicalIndex, words
from tools.catalog.chapters import Chapter, description_chapters
from tools.catalog.indexer import transcript_windows
from tools.catalog.video import Segment
from tools.catalog.windows import Window
from tools.errors import ClipwiseError
from tools.clip_fit import FITTED
from tools.library import SEMANTIC_WEIGHT, Library

log = logging.getLogger(__name__)
MIN_S, MAX_S = 30.0, 180.0
QUOTE_CHARS = 220
SIGN_OFF = re.compile(r"\b(subscribe|thanks? (?:so much )?for watching|see you (?:next|in the next)|patreon|sponsor)", re.I)
SIGN_OFF_PENALTY = 0.5
"""Sign-offs and plugs mention every topic of the video and are never the clip worth watching."""
EDGE_SHARE = 0.05
"""Openings and endings preview or recap every topic of a video; the first and last 5% are damped."""


@dataclass(frozen=True)
class ClipParams:
    """How a clip is placed; the values in use are fitted (evals/fit_clips.py -> tools/clip_fit.py)."""

    semantic_weight: float = SEMANTIC_WEIGHT
    """Share of a window's score from cosine to the interest; the rest is BM25."""
    block: int = 3
    """TextTiling: windows on each side of a gap compared to find where the topic changes."""
    depth_cut: float = 0.0
    """A gap is a section boundary when its depth exceeds mean + depth_cut x std of all depths."""
    section_by: str = "max"
    """A section scores by its best window ('max') or its windows' mean ('mean')."""
    open_at: str = "section"
    """The clip opens where the best section starts ('section'), at its best window ('peak'), or
    where the score first comes near its best, growing while it stays there ('grow')."""
    edge_penalty: float = 0.7
    lead_windows: int = 0
    """With open_at='peak': open this many windows before the best one (the lead-in to the answer)."""
    span_s: float = MAX_S
    """Longest clip: a long section is trimmed to this (30 s-3 min)."""
    min_cosine: float = 0.0
    """Below this best cosine no part of the transcript is about the interest: no clip."""
    near_peak: float = 0.95
    """open_at='grow': open at the first window this close to the best (where the topic starts,
    not a later recap)..."""
    keep_going: float = 0.9
    """...and go on while windows score this close to where it opened."""
    smooth: int = 1
    """Windows on each side a score is averaged over (a topic runs over several windows; a lone
    mention scores lower)."""
    chapter_title_weight: float = 1.0
    """Where the uploader marked chapters: how much a chapter's title matching the interest adds to
    the chapter's score (its transcript windows give the rest)."""


PARAMS = ClipParams(**FITTED)


@dataclass(frozen=True)
class Clip:
    start: float
    end: float
    quote: str
    quote_start: float
    method: str
    """'semantic+lexical', 'lexical' (no window vectors) or 'lexical+title' (no word of the
    interest is spoken; placed where the talk uses the title's words)."""
    quote_names_topic: bool = True
    """The quote shares a word with the interest; otherwise the part matched by meaning only."""
    chapter: str | None = None
    """The uploader's chapter the clip opens at, when the description marks chapters."""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NoMatch:
    """The video has a transcript but no part of it is about the interest."""

    topic: str

    @property
    def note(self) -> str:
        return f"no part of the transcript is specifically about '{self.topic}'"


@dataclass(frozen=True)
class Evidence:
    """How each window of one transcript relates to one interest, before any fitted constant."""

    cosine: np.ndarray | None
    lexical: np.ndarray
    """BM25 scaled so the best window is 1; all zeros when no word of the interest is spoken."""
    sign_off: np.ndarray
    position: np.ndarray
    """Where each window sits in the video, 0 (start) to 1 (end)."""
    chapters: ChapterEvidence | None = None
    """The uploader's chapters, when the description marks them."""


@dataclass(frozen=True)
class ChapterEvidence:
    """The uploader's chapters as window ranges, and how well each title matches the interest."""

    chapters: tuple[Chapter, ...]
    ranges: tuple[tuple[int, int], ...]
    """[lo, hi) windows of each chapter; a chapter shorter than a window may be empty."""
    title_cosine: np.ndarray | None
    title_lexical: np.ndarray
    """Share of the interest's words its title uses."""

    def title_match(self, semantic_weight: float) -> np.ndarray:
        if self.title_cosine is None:
            return self.title_lexical
        return semantic_weight * self.title_cosine + (1 - semantic_weight) * self.title_lexical


_window_indexes: dict[tuple[str, int], LexicalIndex] = {}
_sections: dict[tuple[str, int, int, float], list[tuple[int, int]]] = {}


def lexical_windows(video_id: str, windows: list[Window]) -> LexicalIndex:
    """BM25 over one transcript's windows, built once per video and process."""
    key = (video_id, len(windows))
    if key not in _window_indexes:
        _window_indexes[key] = LexicalIndex([w.text for w in windows])
    return _window_indexes[key]


_sign_offs: dict[tuple[str, int], np.ndarray] = {}


def sign_offs(video_id: str, windows: list[Window]) -> np.ndarray:
    """Which windows are sign-offs or plugs, found once per video and process."""
    key = (video_id, len(windows))
    if key not in _sign_offs:
        _sign_offs[key] = np.array([bool(SIGN_OFF.search(w.text)) for w in windows])
    return _sign_offs[key]


_title_vectors: dict[tuple[str, ...], np.ndarray] = {}


def title_vectors(lib: Library, chapters: tuple[Chapter, ...]) -> np.ndarray:
    """The chapter titles' vectors, embedded in one batch once per process."""
    key = tuple(c.title for c in chapters)
    if key not in _title_vectors:
        _title_vectors[key] = np.asarray(lib.embedder.embed(list(key)))
    return _title_vectors[key]


def chapter_ranges(windows: list[Window], chapters: tuple[Chapter, ...]) -> tuple[tuple[int, int], ...]:
    """Each chapter's windows: those whose middle lies between its start and the next one's."""
    mids = np.array([(w.start + w.end) / 2 for w in windows])
    starts = [c.start for c in chapters] + [float("inf")]
    return tuple((int(np.searchsorted(mids, a)), int(np.searchsorted(mids, b))) for a, b in zip(starts, starts[1:]))


def content_stems(text: str) -> set[str]:
    return {STEM(w) for w in words(text) if w not in ENGLISH_STOP_WORDS}


def chapter_evidence(lib: Library, video_id: str, windows: list[Window], query: np.ndarray | None,
                     interest: str) -> ChapterEvidence | None:
    # A mark past the end of the talk (a wrong time, another cut of the video) has nothing to clip.
    chapters = tuple(c for c in description_chapters(lib.catalog.get(video_id).description)
                     if windows and c.start < windows[-1].end)
    if not chapters:
        return None
    wanted = content_stems(interest) or {STEM(w) for w in words(interest)}
    lexical = np.array([len(wanted & content_stems(c.title)) / max(len(wanted), 1) for c in chapters])
    cosine = title_vectors(lib, chapters) @ query if query is not None else None
    return ChapterEvidence(chapters, chapter_ranges(windows, chapters), cosine, lexical)


def window_evidence(lib: Library, video_id: str, windows: list[Window], vectors: np.ndarray | None,
                    interest: str) -> Evidence:
    lexical = lexical_windows(video_id, windows).scores(interest)
    if lexical.max() > 0:
        lexical = lexical / lexical.max()
    query = lib.embed_text(interest) if vectors is not None else None
    cosine = vectors @ query if query is not None else None
    sign_off = sign_offs(video_id, windows)
    position = np.arange(len(windows)) / max(len(windows) - 1, 1)
    return Evidence(cosine, lexical, sign_off, position, chapter_evidence(lib, video_id, windows, query, interest))


def window_scores(ev: Evidence, p: ClipParams) -> np.ndarray:
    scores = ev.lexical if ev.cosine is None else p.semantic_weight * ev.cosine + (1 - p.semantic_weight) * ev.lexical
    scores = scores * np.where(ev.sign_off, SIGN_OFF_PENALTY, 1.0)
    if p.smooth and len(scores) >= 2 * p.smooth + 1:
        kernel = np.concatenate([np.arange(1, p.smooth + 2), np.arange(p.smooth, 0, -1)]).astype(float)
        scores = np.convolve(np.pad(scores, p.smooth, mode="edge"), kernel / kernel.sum(), mode="valid")
    edge = (ev.position < EDGE_SHARE) | (ev.position > 1 - EDGE_SHARE)
    return scores * np.where(edge, p.edge_penalty, 1.0)


def text_vectors(windows: list[Window]) -> np.ndarray:
    """TF-IDF rows of the windows, for finding sections without the embedding model."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(stop_words="english").fit_transform([w.text for w in windows]).toarray()
    except ValueError:  # nothing but stop words
        return np.zeros((len(windows), 1))


def tiles(vectors: np.ndarray, block: int, depth_cut: float) -> list[tuple[int, int]]:
    """TextTiling (Hearst 1997) over window vectors: [lo, hi) window ranges of one topic each."""
    n = len(vectors)
    if n < 2 * block + 1:
        return [(0, n)]
    sims = np.empty(n - 1)
    for g in range(1, n):
        left = vectors[max(0, g - block):g].mean(axis=0)
        right = vectors[g:g + block].mean(axis=0)
        denom = np.linalg.norm(left) * np.linalg.norm(right)
        sims[g - 1] = float(left @ right / denom) if denom > 0 else 0.0
    depth = np.zeros_like(sims)
    for i in range(len(sims)):
        lo = i
        while lo > 0 and sims[lo - 1] >= sims[lo]:
            lo -= 1
        hi = i
        while hi < len(sims) - 1 and sims[hi + 1] >= sims[hi]:
            hi += 1
        depth[i] = (sims[lo] - sims[i]) + (sims[hi] - sims[i])
    cut = depth.mean() + depth_cut * depth.std()
    bounds = [0]
    for i in np.argsort(-depth):
        gap = int(i) + 1
        if depth[i] <= cut:
            break
        if all(abs(gap - b) >= 2 for b in bounds) and n - gap >= 2:
            bounds.append(gap)
    bounds = sorted(bounds) + [n]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def sections(video_id: str, windows: list[Window], vectors: np.ndarray | None, p: ClipParams) -> list[tuple[int, int]]:
    """The transcript's topical sections, found once per video, process and setting."""
    key = (video_id, len(windows), p.block, p.depth_cut, vectors is None)
    if key not in _sections:
        _sections[key] = tiles(vectors if vectors is not None else text_vectors(windows), p.block, p.depth_cut)
    return _sections[key]


def section_starts(lib: Library, video_id: str, params: ClipParams = PARAMS) -> list[float]:
    """Where each of the transcript's topical sections after the first starts (s); [] without a
    transcript. The uploader's chapters where the description marks them; else read from stored
    window vectors only (words alone where they are not in yet): never embeds."""
    if not lib.catalog.transcript(video_id):
        return []
    if chapters := description_chapters(lib.catalog.get(video_id).description):
        return [round(c.start, 1) for c in chapters[1:]]
    windows, vectors = transcript_windows(lib.catalog, lib.vectors, lib.embedder, video_id, embed_missing=False)
    if not windows:
        return []
    return [round(windows[lo].start, 1) for lo, _ in sections(video_id, windows, vectors, params)[1:]]


def grow_span(windows: list[Window], scores: np.ndarray, p: ClipParams) -> tuple[int, int]:
    a = b = int(np.flatnonzero(scores >= p.near_peak * scores.max())[0])
    floor = scores[a] * p.keep_going
    while b + 1 < len(windows) and windows[b + 1].end - windows[a].start <= p.span_s:
        if windows[b].end - windows[a].start >= MIN_S and scores[b + 1] < floor:
            break
        b += 1
    return a, b


class Span(NamedTuple):
    """The clip's first and last windows, and the uploader's chapter it opens at (an index)."""

    a: int
    b: int
    chapter: int | None = None


def matches_somewhere(ev: Evidence, p: ClipParams) -> bool:
    """Whether any part is about the interest: a window close enough in meaning (or, without
    vectors, one using its words), or a chapter whose title uses every word of it."""
    if ev.chapters is not None and float(ev.chapters.title_lexical.max()) >= 1.0:
        return True
    if ev.cosine is not None:
        return float(ev.cosine.max()) >= p.min_cosine
    return ev.lexical.max() > 0


def place_in_chapter(windows: list[Window], scores: np.ndarray, chapters: ChapterEvidence, p: ClipParams) -> Span:
    """The uploader's chapter that best matches (its title and its talk), opened at its start."""
    title = chapters.title_match(p.semantic_weight)
    value = np.array([(scores[lo:hi].max() if hi > lo else 0.0) + p.chapter_title_weight * title[i]
                      for i, (lo, hi) in enumerate(chapters.ranges)])
    i = int(np.argmax(value))
    lo, hi = chapters.ranges[i]
    a = min(lo, len(windows) - 1)
    b = a
    while b + 1 < len(windows) and windows[b + 1].end - windows[a].start <= p.span_s and \
            (b + 1 < hi or windows[b].end - windows[a].start < MIN_S):
        b += 1
    return Span(a, b, i)


def place(windows: list[Window], ev: Evidence, find_sections, p: ClipParams) -> Span | None:
    """The windows [a, b] of the clip: the uploader's best chapter where the description marks
    chapters, else the best section (find_sections() gives them, computed only when the setting
    uses them), trimmed to 30 s-3 min from where it opens; None when no part matches well enough."""
    if not matches_somewhere(ev, p):
        return None
    scores = window_scores(ev, p)
    if ev.chapters is not None:
        return place_in_chapter(windows, scores, ev.chapters, p)
    if p.open_at == "grow":
        return Span(*grow_span(windows, scores, p))
    secs = find_sections()
    value = [scores[lo:hi].max() if p.section_by == "max" else scores[lo:hi].mean() for lo, hi in secs]
    lo, hi = secs[int(np.argmax(value))]
    peak = lo + int(np.argmax(scores[lo:hi]))
    a = lo if p.open_at == "section" else max(lo, peak - p.lead_windows)
    b = a
    while b + 1 < len(windows) and windows[b + 1].end - windows[a].start <= p.span_s and \
            (b + 1 < hi or windows[b].end - windows[a].start < MIN_S):
        b += 1
    return Span(a, b)


def relevant_start(segments: list[Segment], window: Window, interest: str) -> int:
    """First segment of the window that names the interest; the window's first otherwise."""
    stems = {STEM(w) for w in words(interest)}
    for i in range(window.first_segment, window.last_segment + 1):
        if stems & {STEM(w) for w in words(segments[i].text)}:
            return i
    return window.first_segment


def pick_quote(segments: list[Segment], first: int, last: int, interest: str) -> Segment:
    stems = {STEM(w) for w in words(interest)}

    def overlap(seg: Segment) -> int:
        return len(stems & {STEM(w) for w in words(seg.text)})

    return max(segments[first : last + 1], key=lambda s: (overlap(s), len(s.text) >= 40))


def short_quote(text: str) -> str:
    """At most QUOTE_CHARS, cut at a word boundary; always a verbatim piece of the segment."""
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0]


def warm_clips(lib: Library) -> int:
    """Read every transcript and build its windows and their BM25 index ahead of the first turn,
    what relates videos to each other (for the first 'more like this') and their semantic IDs."""
    done = 0
    for video_id in list(lib.catalog.transcript_paths):
        try:
            lexical_windows(video_id, lib.catalog.windows(video_id))
            done += 1
        except ClipwiseError as exc:
            log.debug("warm-up skipped %s: %s", video_id, exc)
            continue
        if lib.embedder is not None and (marks := description_chapters(lib.catalog.get(video_id).description)):
            title_vectors(lib, marks)  # so a chat clip never embeds them on the fly
    lib.related.ready()
    lib.families.ready()
    return done


def listed_for(lib: Library, video_id: str, interest: str) -> bool:
    """Whether the video matches the interest as strongly as a list item must (title, tags,
    description), so its title may stand in for the interest inside its transcript."""
    from tools.ranking import MATCH_FLOOR  # ranking places clips: imported here, not at the top

    return float(lib.relevance(interest)[lib.row[video_id]]) >= MATCH_FLOOR


def clip_times(segments: list[Segment], windows: list[Window], span: Span, interest: str,
               params: ClipParams, chapters: ChapterEvidence | None = None) -> tuple[int, float, float]:
    """The first segment, start and end (s) of the clip over windows span.a..span.b; at the
    chapter's own start (up to its end) when it opens at an uploader's chapter."""
    a, b = span.a, span.b
    if chapters is not None and span.chapter is not None:
        at = chapters.chapters[span.chapter].start
        first = next((i for i, s in enumerate(segments) if s.end > at), len(segments) - 1)
        start = max(at, segments[first].start)
        nxt = chapters.chapters[span.chapter + 1].start if span.chapter + 1 < len(chapters.chapters) else segments[-1].end
        end = min(max(nxt, start + MIN_S), start + params.span_s, max(segments[-1].end, start + MIN_S))
        return first, round(start, 1), end
    first = relevant_start(segments, windows[a], interest) if params.open_at != "section" else windows[a].first_segment
    start = segments[first].start
    end = max(windows[b].end, min(start + MIN_S, segments[-1].end))
    if end - start < MIN_S:  # near the end of the video: open the clip earlier instead
        first = next((i for i in range(first, -1, -1) if end - segments[i].start >= MIN_S), 0)
        start = segments[first].start
    return first, start, end


def find_clip(lib: Library, video_id: str, interest: str, embed_missing: bool = True,
              params: ClipParams = PARAMS) -> Clip | NoMatch | None:
    """The best clip for the interest; NoMatch when no part is about it; None without a transcript."""
    segments = lib.catalog.transcript(video_id)
    if not segments:
        return None
    windows, vectors = transcript_windows(
        lib.catalog, lib.vectors, lib.embedder, video_id, embed_missing=embed_missing
    )
    ev = window_evidence(lib, video_id, windows, vectors, interest)
    looked_for = interest
    if vectors is None and ev.lexical.max() <= 0 and listed_for(lib, video_id, interest):
        # No window vectors yet and no word of the interest is spoken, but the video itself
        # matches it (as a list item would): look for where the talk uses its title's words.
        looked_for = f"{interest} {lib.catalog.get(video_id).title}"
        ev = window_evidence(lib, video_id, windows, vectors, looked_for)
    span = place(windows, ev, lambda: sections(video_id, windows, vectors, params), params)
    if span is None:
        return NoMatch(interest)
    first, start, end = clip_times(segments, windows, span, looked_for, params, ev.chapters)
    last = max(first, next((i for i in range(len(segments) - 1, -1, -1) if segments[i].start < end), first))
    quote = pick_quote(segments, first, last, looked_for)
    stems = {STEM(w) for w in words(interest)}
    names_topic = bool(stems & {STEM(w) for w in words(quote.text)})
    method = "semantic+lexical" if vectors is not None else "lexical" if looked_for == interest else "lexical+title"
    chapter = ev.chapters.chapters[span.chapter].title if ev.chapters is not None and span.chapter is not None else None
    return Clip(round(start, 1), round(end, 1), short_quote(quote.text), round(quote.start, 2), method, names_topic,
                chapter)
