"""Turn imported items into a few named, weighted interests, offline: embed, cluster, name, weigh."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from tools.imported_item import ImportedItem

DISTANCE = {"embedding": 0.6, "tfidf": 0.95}
"""Average-linkage cosine distance at which clusters stop merging (tuned on evals/import_eval.py).
MiniLM titles of one series sit ~0.4-0.6 apart and unrelated ones ~0.8-0.9; TF-IDF vectors of
short titles are orthogonal unless they share a word, so that mode needs a looser cut."""
MAX_CLUSTERED = 3000
"""Texts clustered directly; the rest join the nearest cluster. Average linkage needs the full
distance matrix (n² floats: 72 MB at 3000), so a 20k-item history is clustered on a sample."""
CHANNEL_AFFINITY = 0.2
"""Added to the cosine of two items from the same channel (both must name one): series titles are
often no closer than random ones ('Setup', 'Fetch', 'JSON'), the channel is what ties them. Kept
small so two series of one channel stay apart (0.25+ with a 0.65+ cut merged them in the eval)."""
MAX_INTERESTS = 12
HALF_LIFE_DAYS = 180.0
UNDATED_RECENCY = 0.5
"""An item without a date counts as if it were one half-life old."""
MIN_SHARE = 0.25
"""A name must occur in at least this share of its cluster's distinct texts."""
NEARLY = 0.8
"""A multi-word phrase wins over the best single word when it scores at least this share of it."""
MAX_PHRASE = 4

NOISE = frozenset("""
watched watch watching video videos official episode episodes ep part pt chapter lesson lecture
homework assignment assignments session sessions class course week weeks season
full new hd 4k live stream livestream http https www com youtube youtu tweet retweet rt amp via
ft feat vs intro introduction tutorial trailer teaser vlog shorts short clip clips update liked
like likes post posts thread today day year just really got get gets going make makes
""".split())
"""Words exports and titles are full of that name no topic (besides English stop words)."""
STOP = ENGLISH_STOP_WORDS | NOISE
TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*(?:\+\+|#)?|[^\w\s]")
URL = re.compile(r"https?://\S+|www\.\S+", re.I)
PREFIX = re.compile(r"^(?:watched|liked|viewed)\s+", re.I)


@dataclass(frozen=True)
class FoundInterest:
    """A topic the items keep coming back to, with every item that supports it."""

    name: str
    """Lower-case, 1-4 words, a phrase that occurs in the items."""
    weight: float
    """In (0, 1]: recency and amount, relative to the strongest interest found."""
    items: tuple[ImportedItem, ...]
    """All supporting items, most representative first."""
    score: float = 0.0
    """Un-normalised weight; higher first."""

    @property
    def examples(self) -> tuple[ImportedItem, ...]:
        return self.items[:3]


def clean(text: str) -> str:
    return " ".join(PREFIX.sub("", URL.sub(" ", text or "")).split())


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def is_word(tok: str) -> bool:
    return bool(re.match(r"\w", tok)) and not tok.isdigit()


def is_content(tok: str) -> bool:
    return is_word(tok) and len(tok) > 1 and tok not in STOP and any(c.isalpha() for c in tok)


def phrases(text: str) -> list[str]:
    """Runs of up to MAX_PHRASE words that start and end on a content word; punctuation and numbers
    break a run, stop words may sit inside one ('nature of code')."""
    toks = tokens(text)
    out = []
    for i, first in enumerate(toks):
        if not is_content(first):
            continue
        for j in range(i, min(i + MAX_PHRASE, len(toks))):
            if not is_word(toks[j]):
                break
            if is_content(toks[j]):
                out.append(" ".join(toks[i : j + 1]))
    return out


def vectors(texts: list[str], embedder) -> tuple[np.ndarray | None, str]:
    """Unit rows from the embedder, or TF-IDF rows when there is none (or no usable word)."""
    if embedder is not None:
        return np.asarray(embedder.embed(texts), dtype=np.float32), "embedding"
    try:
        tfidf = TfidfVectorizer(analyzer=lambda t: [w for w in tokens(t) if is_content(w)], sublinear_tf=True)
        return normalize(tfidf.fit_transform(texts)).toarray().astype(np.float32), "tfidf"
    except ValueError:  # no content word at all
        return None, "tfidf"


def sample_rows(n: int, cap: int = MAX_CLUSTERED) -> np.ndarray:
    """Texts are newest first: keep the newest half of the cap and an even spread of the rest,
    so old interests still form clusters and recent ones are clustered in full."""
    if n <= cap:
        return np.arange(n)
    recent = cap // 2
    spread = np.linspace(recent, n - 1, cap - recent).round().astype(int)
    return np.unique(np.concatenate([np.arange(recent), spread]))


def cluster(vecs: np.ndarray, threshold: float, channels: list[str | None]) -> np.ndarray:
    """A cluster label per row (-1: joined no cluster)."""
    n = len(vecs)
    rows = sample_rows(n)
    sample = vecs[rows]
    # Precomputed cosine distances: the same as metric="cosine", and also right for TF-IDF rows.
    sim = sample @ sample.T
    ch = np.array([channels[r] or "" for r in rows], dtype=object)
    same = (ch[:, None] == ch[None, :]) & (ch[:, None] != "")
    dist = np.clip(1.0 - sim - CHANNEL_AFFINITY * same, 0.0, 2.0).astype(np.float64)
    labels = np.full(n, -1)
    if len(rows) == 1:
        labels[rows] = 0
        return labels
    labels[rows] = AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, metric="precomputed", linkage="average"
    ).fit_predict(dist)
    rest = np.setdiff1d(np.arange(n), rows)
    if len(rest):
        ids = np.unique(labels[rows])
        cents = normalize(np.stack([vecs[rows][labels[rows] == c].mean(0) for c in ids]))
        sims = vecs[rest] @ cents.T
        best = sims.argmax(1)
        labels[rest] = np.where(sims[np.arange(len(rest)), best] >= 1.0 - threshold, ids[best], -1)
    return labels


def recency(items: list[ImportedItem], now: dt.datetime) -> float:
    def one(at: dt.datetime | None) -> float:
        if at is None:
            return UNDATED_RECENCY
        at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
        age = max((now - at).total_seconds() / 86400.0, 0.0)
        return 0.5 ** (age / HALF_LIFE_DAYS)

    return sum(one(i.at) for i in items) / len(items)


def name_clusters(texts: list[str], members: list[np.ndarray]) -> list[str]:
    """c-TF-IDF over phrases: in how many of the cluster's texts a phrase occurs, times how rare it
    is over all texts; a multi-word phrase is preferred when nearly as good. '' when none fits."""
    counts = CountVectorizer(analyzer=phrases, binary=True, lowercase=False)
    try:
        x = counts.fit_transform(texts).tocsc()
    except ValueError:  # not one content word in any text
        return [""] * len(members)
    vocab = counts.get_feature_names_out()
    words = np.array([sum(is_content(w) for w in p.split()) for p in vocab])
    size = np.array([len(p.split()) for p in vocab])
    idf = np.log((1 + len(texts)) / (1 + np.asarray(x.sum(0)).ravel())) + 1.0
    names = []
    for rows in members:
        df = np.asarray(x[rows].sum(0)).ravel()
        share = df / len(rows)
        ok = (share >= MIN_SHARE) & (df >= 2)
        if not ok.any():
            names.append("")
            continue
        score = np.where(ok, share * idf, 0.0)
        best = score.max()
        multi = np.where(ok & (words > 1) & (score >= NEARLY * best))[0]
        if len(multi):
            # Best multi-word phrase; on a tie the shorter one ('linear algebra' over
            # 'essence of linear algebra').
            pick = min(multi, key=lambda k: (-round(score[k], 9), size[k]))
        else:
            pick = int(score.argmax())
        names.append(str(vocab[pick]))
    return names


def discover_interests(items: list[ImportedItem], embedder, now: dt.datetime, *,
                       min_items: int = 3) -> list[FoundInterest]:
    """Interests the items support (best first, at most MAX_INTERESTS); [] when too few items.

    Item text is untrusted data: it is only embedded, counted and compared, never run or formatted.
    """
    now = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    dated = sorted((i for i in items if clean(i.text)),
                   key=lambda i: i.at.replace(tzinfo=i.at.tzinfo or dt.timezone.utc) if i.at else oldest,
                   reverse=True)
    by_text: dict[str, list[ImportedItem]] = {}
    for item in dated:
        by_text.setdefault(clean(item.text), []).append(item)
    texts = list(by_text)  # distinct texts, newest first: a re-watch adds support, not a new text
    if len(texts) < max(min_items, 2):
        return []
    vecs, mode = vectors(texts, embedder)
    if vecs is None:
        return []
    channels = [by_text[t][0].channel for t in texts]
    labels = cluster(vecs, DISTANCE[mode], channels)
    groups = [np.where(labels == c)[0] for c in np.unique(labels) if c >= 0]
    groups = [g for g in groups if len(g) >= min_items]
    names = name_clusters(texts, groups)
    merged: dict[str, list[int]] = {}
    for name, rows in zip(names, groups):
        if name:
            merged.setdefault(name, []).extend(rows.tolist())
    found = []
    for name, rows in merged.items():
        centroid = vecs[rows].mean(0)
        order = sorted(rows, key=lambda r: -float(vecs[r] @ centroid))
        support = [item for r in order for item in by_text[texts[r]]]
        found.append((name, support, recency(support, now) * math.log1p(len(support))))
    found.sort(key=lambda f: -f[2])
    top = max((f[2] for f in found), default=0.0)
    return [FoundInterest(name, round(score / top, 4) or 1e-4, tuple(support), score)
            for name, support, score in found[:MAX_INTERESTS]]
