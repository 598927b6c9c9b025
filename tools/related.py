"""What makes two videos related, as features of every catalog video against one anchor video."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from memory.lexical import STEM, words
from tools.errors import ClipwiseError
from tools.related_weights import INTERCEPT, WEIGHTS

PART = re.compile(
    r"(?:\b(?:part|chapter|ch\.?|episode|ep\.?|lesson|session|day|no\.?)\s*#?\s*|#\s*)(\d{1,3})\b"
    r"|\b(?:part\s+)?(ii|iii|iv|vi{0,3}|ix|x)\s*$",
    re.IGNORECASE,
)
ROMAN = {"ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
TRAILING_NUMBER = re.compile(r"^(.*?\D)\s+(\d{1,3})\s*$")
"""'Optics puzzles 5' after a '|': the series name and the episode number."""
NAME_WORDS = (2, 9)
"""A title names another video in a text when 2-9 of its words occur there in order."""
DESCRIPTION_QUERY_CHARS = 300

FEATURES = (
    "meta_cosine", "transcript_cosine", "both_transcripts", "title_bm25", "description_bm25",
    "same_channel", "same_tag", "same_series", "next_part", "previous_part",
    "named_by_anchor", "linked_by_anchor", "names_anchor", "cited_by_others",
    "title_covered", "spoken_cosine", "best_window_cosine",
    "core_named_by_anchor",
)


@dataclass(frozen=True)
class SeriesMark:
    key: str
    number: int


def norm(text: str) -> str:
    return " ".join(words(text))


def series_mark(title: str) -> SeriesMark | None:
    """'Frogger - Part 2' -> ('frogger', 2); 'Eigenvectors | Chapter 14, Essence of linear algebra'
    -> ('essence of linear algebra', 14); 'Coding Challenge #12: Lorenz' -> ('coding challenge', 12)."""
    pieces = title.split("|")
    for i, piece in enumerate(pieces):
        m = PART.search(piece)
        if m:
            number = int(m.group(1)) if m.group(1) else ROMAN[m.group(2).lower()]
            left, right = piece[: m.start()], piece[m.end():]
            key = norm(left) if re.match(r"\s*[:\-–—]", right) and norm(left) else norm(left + " " + right)
            if not key and i > 0:
                key = norm(pieces[0])
            return SeriesMark(key, number) if key else None
        if i > 0:
            t = TRAILING_NUMBER.match(piece.strip())
            if t and norm(t.group(1)):
                return SeriesMark(norm(t.group(1)), int(t.group(2)))
    return None


def name_of(title: str) -> tuple[str, ...]:
    """The words a text would use to mention a video: its title's first piece, part marker removed."""
    first = PART.sub(" ", title.split("|")[0])
    return tuple(STEM(w) for w in words(first))


LEADING = re.compile(r"^\s*(?:the|an?|introduction to|intro to|what (?:is|are)(?: an?| the)?|how to|more on)\s+", re.I)
TRAILING = re.compile(r"\s+(?:in|with|using|for|on|from|via|and|-)\s.*$", re.I)
RARE_WORD = (5, 5)
"""A one-word core name ('Closures', 'Metaballs') counts when it has 5+ letters and at most 5 titles use it."""


def core_name(title: str) -> tuple[str, ...]:
    """The shortest way a talk refers to a video: 'The Modulo Operator with Golan Levin' -> 'modulo
    operator'; 'ml5.js: Train Your Own Neural Network' -> 'train your own neural network'."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", PART.sub(" ", title.split("|")[0]))
    head, colon, tail = text.partition(":")
    if colon and len(words(head)) <= 2 and words(tail):
        text = tail
    text = TRAILING.sub("", LEADING.sub("", text.strip()))
    return tuple(STEM(w) for w in words(text))


stem = lru_cache(maxsize=65536)(STEM)


def found_names(text: str, names: dict[tuple[str, ...], list[int]], lengths_by_first: dict[str, set[int]]) -> set[int]:
    """Videos whose name occurs in the text, word for word (stemmed): one look-up per word that
    starts some name, not one per n-gram of the text."""
    tokens = [stem(w) for w in words(text)]
    found: set[int] = set()
    for i, token in enumerate(tokens):
        for n in lengths_by_first.get(token, ()):
            found.update(names.get(tuple(tokens[i : i + n]), ()))
    return found


def by_first_word(names: dict[tuple[str, ...], list[int]]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for name in names:
        out.setdefault(name[0], set()).add(len(name))
    return out


class RelatedFeatures:
    """Feature columns (FEATURES) of every catalog video against an anchor, built from one library."""

    def __init__(self, lib):
        self.lib = lib
        self._lock = threading.Lock()
        self._built_for: tuple[int, bool] | None = None
        self.features = lru_cache(maxsize=256)(self._features)

    def _build(self) -> None:
        """Per-catalog tables, rebuilt when the catalog grows."""
        lib = self.lib
        self.mentions.cache_clear()
        videos = [lib.catalog.get(v) for v in lib.ids]
        self.channels = np.array([v.channel.casefold() for v in videos])
        self.tags = np.array([(v.tags[0].casefold() if v.tags else "") for v in videos])
        marks = [series_mark(v.title) for v in videos]
        self.series = np.array([m.key if m else "" for m in marks])
        self.numbers = np.array([m.number if m else -10 for m in marks])
        self.names: dict[tuple[str, ...], list[int]] = {}
        for i, v in enumerate(videos):
            name = name_of(v.title)
            if NAME_WORDS[0] <= len(name) <= NAME_WORDS[1]:
                self.names.setdefault(name, []).append(i)
        self.cores: dict[tuple[str, ...], list[int]] = {}
        title_freq: dict[str, int] = {}
        for v in videos:
            for w in set(name_of(v.title)):
                title_freq[w] = title_freq.get(w, 0) + 1
        for i, v in enumerate(videos):
            core = core_name(v.title)
            one_rare = len(core) == 1 and len(core[0]) >= RARE_WORD[0] and title_freq.get(core[0], 0) <= RARE_WORD[1]
            if (NAME_WORDS[0] <= len(core) <= NAME_WORDS[1] or one_rare) and core[0] not in ENGLISH_STOP_WORDS:
                self.cores.setdefault(core, []).append(i)
        self.name_starts, self.core_starts = by_first_word(self.names), by_first_word(self.cores)
        self.named_by = [self._named_in(v.description) for v in videos]
        for vid in lib.catalog.transcript_paths:
            if vid in lib.row:
                self.named_by[lib.row[vid]] = self.mentions(vid)[1]
        cited = np.zeros(len(videos))
        for named in self.named_by:
            cited[list(named)] += 1
        self.cited = np.log1p(cited)
        self.centroids, self.has_transcript = self._centroids()
        self.title_words, self.vocab = self._title_words(videos)
        self._built_for = self._shape()
        self.features.cache_clear()

    def _centroids(self) -> tuple[np.ndarray | None, np.ndarray]:
        lib = self.lib
        has = np.zeros(len(lib.ids), dtype=bool)
        if not lib.semantic:
            return None, has
        out = np.zeros_like(lib.matrix)
        for vid in lib.catalog.transcript_paths:
            stored = lib.vectors.windows_of(vid, lib.catalog.transcript_fingerprint(vid))
            if stored is None or not len(stored[1]) or vid not in lib.row:
                continue
            mean = np.asarray(stored[1]).mean(axis=0)
            out[lib.row[vid]] = mean / (np.linalg.norm(mean) or 1.0)
            has[lib.row[vid]] = True
        return out, has

    @staticmethod
    def _title_words(videos) -> tuple[sparse.csr_matrix, dict[str, int]]:
        """Each title's content words, weighted by rarity (idf) and scaled to sum to 1 per title."""
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, v in enumerate(videos):
            for w in {STEM(w) for w in name_of(v.title) if w not in ENGLISH_STOP_WORDS}:
                rows.append(i), cols.append(vocab.setdefault(w, len(vocab)))
        m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(videos), len(vocab)))
        idf = np.log((1 + len(videos)) / (1 + np.asarray((m > 0).sum(axis=0)).ravel())) + 1
        m = m @ sparse.diags(idf)
        total = np.asarray(m.sum(axis=1)).ravel()
        return sparse.diags(1 / np.where(total > 0, total, 1)) @ m, vocab

    def _named_in(self, text: str, core: bool = False) -> set[int]:
        """Videos the text names by full title, or (core=True) by the short name a talk would use."""
        if not text:
            return set()
        if core:
            return found_names(text, self.cores, self.core_starts)
        return found_names(text, self.names, self.name_starts)

    @lru_cache(maxsize=4096)
    def mentions(self, video_id: str) -> tuple[set[int], set[int], str]:
        """Videos a video names by full title and by core name (description and transcript), and
        the transcript's text."""
        video = self.lib.catalog.get(video_id)
        try:
            spoken = " ".join(s.text for s in self.lib.catalog.transcript(video_id) or [])
        except ClipwiseError:  # an unreadable transcript names nothing; clips report the file
            spoken = ""
        text = video.description + " " + spoken
        return self._named_in(text), self._named_in(text, core=True), spoken

    def _shape(self) -> tuple[int, bool]:
        """What the tables depend on: the catalog's size, and whether its vectors are loaded yet."""
        return len(self.lib.ids), self.lib.semantic

    def ready(self) -> None:
        with self._lock:
            if self._built_for != self._shape():
                self._build()

    def _features(self, video_id: str) -> np.ndarray:
        lib = self.lib
        a = lib.row[video_id]
        video = lib.catalog.get(video_id)
        n = len(lib.ids)
        cols = np.zeros((n, len(FEATURES)), dtype=np.float32)
        f = {name: j for j, name in enumerate(FEATURES)}
        if lib.semantic:
            cols[:, f["meta_cosine"]] = lib.matrix @ lib.matrix[a]
            if self.has_transcript[a]:
                cols[:, f["transcript_cosine"]] = (self.centroids @ self.centroids[a]) * self.has_transcript
                cols[:, f["both_transcripts"]] = self.has_transcript
        cols[:, f["title_bm25"]] = lib.lexical_scores(video.title)
        if video.description:
            cols[:, f["description_bm25"]] = lib.lexical_scores(video.description[:DESCRIPTION_QUERY_CHARS])
        cols[:, f["same_channel"]] = self.channels == self.channels[a]
        if self.tags[a]:
            cols[:, f["same_tag"]] = self.tags == self.tags[a]
        if self.series[a]:
            same = self.series == self.series[a]
            cols[:, f["same_series"]] = same
            cols[:, f["next_part"]] = same & (self.numbers == self.numbers[a] + 1)
            cols[:, f["previous_part"]] = same & (self.numbers == self.numbers[a] - 1)
        named, core_named, spoken = self.mentions(video_id)
        cols[list(named), f["named_by_anchor"]] = 1.0
        cols[list(core_named), f["core_named_by_anchor"]] = 1.0
        linked = [lib.row[v] for v in re.findall(r"[A-Za-z0-9_-]{11}", video.description) if v in lib.row]
        cols[linked, f["linked_by_anchor"]] = 1.0
        names_anchor = [i for i, named_set in enumerate(self.named_by) if a in named_set]
        cols[names_anchor, f["names_anchor"]] = 1.0
        cols[:, f["cited_by_others"]] = self.cited
        said = np.zeros(len(self.vocab))
        said[[self.vocab[w] for w in {STEM(w) for w in words(video.description + " " + spoken)} if w in self.vocab]] = 1
        cols[:, f["title_covered"]] = self.title_words @ said
        if lib.semantic and self.has_transcript[a]:
            cols[:, f["spoken_cosine"]] = lib.matrix @ self.centroids[a]
            stored = lib.vectors.windows_of(video_id, lib.catalog.transcript_fingerprint(video_id))
            if stored is not None and len(stored[1]):
                cols[:, f["best_window_cosine"]] = (np.asarray(stored[1]) @ lib.matrix.T).max(axis=0)
        cols[a, :] = 0.0
        return cols

    def matrix_for(self, video_id: str) -> np.ndarray:
        self.ready()
        return self.features(video_id)


NEXT_PART = FEATURES.index("next_part")
NEXT_PART_FIRST = 1.0
"""The next part of the anchor's series ranks above everything else, whatever the fitted blend says."""


def blend(cols: np.ndarray, weights: dict[str, float], intercept: float = 0.0) -> np.ndarray:
    """How related each video is, in [0, 1] (a fitted logistic blend), plus 1 for the next part."""
    w = np.array([weights.get(name, 0.0) for name in FEATURES], dtype=np.float32)
    fitted = 1.0 / (1.0 + np.exp(-(cols @ w + intercept)))
    return fitted + NEXT_PART_FIRST * cols[:, NEXT_PART]


def similarity(lib, video_id: str) -> np.ndarray:
    return blend(lib.related.matrix_for(video_id), WEIGHTS, INTERCEPT)


EVIDENCE = {
    "next_part": "the next part", "previous_part": "the part before", "same_series": "same series",
    "linked_by_anchor": "linked from its description", "named_by_anchor": "named in it",
    "core_named_by_anchor": "named in it", "names_anchor": "it names this one",
    "title_bm25": "similar title", "description_bm25": "similar description", "meta_cosine": "similar title and description",
    "transcript_cosine": "similar talk", "spoken_cosine": "similar talk", "best_window_cosine": "a part of its talk is about this",
    "same_channel": "same channel", "title_covered": "its talk uses this title's words",
    "same_tag": "same playlist",
}
"""Each feature in a person's words, for 'why' of a 'more like this' pick."""


def evidence(lib, seed: str, video_id: str, top: int = 2) -> list[str]:
    """What decided this video's place in 'more like <seed>': the largest fitted contributions."""
    row = lib.related.matrix_for(seed)[lib.row[video_id]]
    parts = sorted(((float(row[j]) * WEIGHTS.get(name, 0.0), name) for j, name in enumerate(FEATURES)), reverse=True)
    if row[NEXT_PART]:
        parts.insert(0, (1.0, "next_part"))
    said: list[str] = []
    for value, name in parts:
        words_ = EVIDENCE.get(name)
        if value > 0 and words_ and words_ not in said:
            said.append(words_)
        if len(said) == top:
            break
    return said
