"""Turn imported items into a few named, weighted interests, offline: embed, cluster, name, weigh."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from tools.imports.imported_item import ImportedItem

DISTANCE = {"embedding": 0.6, "tfidf": 0.95}
"""Average-linkage cosine distance at which clusters stop merging (tuned on evals/import_eval.py).
MiniLM titles of one series sit ~0.4-0.6 apart and unrelated ones ~0.8-0.9; TF-IDF vectors of
short titles are orthogonal unless they share a word, so that mode needs a looser cut."""
MAX_CLUSTERED = 3000
"""Texts clustered directly; the rest join the nearest cluster. Average linkage needs the full
distance matrix (n² floats: 72 MB at 3000), so a 20k-item history is clustered on a sample."""
CHANNEL_AFFINITY = {"embedding": 0.2, "tfidf": 0.04}
"""Added to the cosine of two items from the same channel (both must name one): series titles are
often no closer than random ones ('Setup', 'Fetch', 'JSON'), the channel is what ties them. Kept
small so two series of one channel stay apart (0.25+ with a 0.65+ cut merged them in the eval).
TF-IDF rows of titles sharing no word are at distance 1.0 against a 0.95 cut, so there the bonus
stays under 0.05: a channel alone must not merge everything watched on it into one interest."""
LEXICAL_AFFINITY = 0.3
"""Times the word-count cosine of two texts, added to their embedding cosine: short posts that share a
rare word ('sourdough') sit only 0.3-0.45 apart in MiniLM, yet the word is what ties them."""
MAX_DISCOVERED = 50_000
"""Distinct texts (newest first) an import looks for interests in: their vectors are held at once
(50k MiniLM rows are 77 MB); older items beyond it are read and counted but not clustered."""
TEXT_CHARS = 1_000
"""Characters of each text that are embedded, counted and named (MiniLM reads 256 tokens, about this)."""
NAMED_PER_CLUSTER = 500
"""Texts of a cluster (its most recent) whose phrases are counted to name it."""
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


def squash(text: str) -> str:
    return " ".join(text.lower().split())


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


def word_vectors(texts: list[str], idf: bool = True):
    """Sparse unit TF-IDF rows over content words (None: no usable word in any text). Without idf
    for the lexical affinity: in a small export the shared topic word is in every text, and idf
    would weigh exactly that word down."""
    try:
        tfidf = TfidfVectorizer(analyzer=lambda t: [w for w in tokens(t) if is_content(w)], sublinear_tf=True,
                                use_idf=idf)
        return normalize(tfidf.fit_transform(texts)).astype(np.float32).tocsr()
    except ValueError:  # no content word at all
        return None


def vectors(texts: list[str], embedder):
    """Unit rows from the embedder, or sparse TF-IDF rows when there is none (None: no usable word)."""
    if embedder is not None:
        return np.asarray(embedder.embed(texts), dtype=np.float32), "embedding"
    return word_vectors(texts), "tfidf"


def dense(x) -> np.ndarray:
    return x.toarray() if sparse.issparse(x) else np.asarray(x)


def centroid(vecs, rows) -> np.ndarray:
    return normalize(np.asarray(vecs[rows].mean(0)).reshape(1, -1))[0]


def sample_rows(n: int, cap: int) -> np.ndarray:
    """Texts are newest first: keep the newest half of the cap and an even spread of the rest,
    so old interests still form clusters and recent ones are clustered in full."""
    if n <= cap:
        return np.arange(n)
    recent = cap // 2
    spread = np.linspace(recent, n - 1, cap - recent).round().astype(int)
    return np.unique(np.concatenate([np.arange(recent), spread]))


def cluster(vecs: np.ndarray, threshold: float, channels: list[str | None], lexical=None,
            channel_affinity: float = CHANNEL_AFFINITY["embedding"]) -> np.ndarray:
    """A cluster label per row (-1: joined no cluster)."""
    n = vecs.shape[0]
    rows = sample_rows(n, MAX_CLUSTERED)
    sample = vecs[rows]
    # Precomputed cosine distances: the same as metric="cosine", and also right for sparse TF-IDF rows.
    sim = dense(sample @ sample.T)
    if lexical is not None:
        words = lexical[rows]
        sim = sim + LEXICAL_AFFINITY * dense(words @ words.T)
    ch = np.array([channels[r] or "" for r in rows], dtype=object)
    same = (ch[:, None] == ch[None, :]) & (ch[:, None] != "")
    dist = np.clip(1.0 - sim - channel_affinity * same, 0.0, 2.0).astype(np.float64)
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
        cents = np.stack([centroid(vecs, rows[labels[rows] == c]) for c in ids])
        sims = dense(vecs[rest] @ cents.T)
        best = sims.argmax(1)
        labels[rest] = np.where(sims[np.arange(len(rest)), best] >= 1.0 - threshold, ids[best], -1)
    return labels


def strength(items: list[ImportedItem], now: dt.datetime) -> float:
    """log(1 + the items' recency-decayed count): each item counts by its age, amount counts as a log,
    so 500 items spread over years still outweigh 5 from last week, but not 100 times over."""
    def one(at: dt.datetime | None) -> float:
        if at is None:
            return UNDATED_RECENCY
        at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
        age = max((now - at).total_seconds() / 86400.0, 0.0)
        return 0.5 ** (age / HALF_LIFE_DAYS)

    return math.log1p(sum(one(i.at) for i in items))


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
        # Multi-word phrases within NEARLY of the best first (shorter on a tie: 'linear algebra'
        # over 'essence of linear algebra'), then the rest by score.
        multi = ok & (words > 1) & (score >= NEARLY * best)
        order = sorted(np.where(ok)[0], key=lambda k: (not multi[k], -round(score[k], 9), size[k]))
        said = [squash(texts[r]) for r in rows]
        names.append(next((str(vocab[k]) for k in order if any(vocab[k] in t for t in said)), ""))
    return names


def discover_interests(items: list[ImportedItem], embedder, now: dt.datetime, *,
                       min_items: int = 3) -> list[FoundInterest]:
    """Interests the items support (best first, at most MAX_INTERESTS); [] when too few items.

    Item text is untrusted data: it is only embedded, counted and compared, never run or formatted.
    """
    now = now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    dated = sorted((i for i in items if clean(i.text[: 4 * TEXT_CHARS])),
                   key=lambda i: i.at.replace(tzinfo=i.at.tzinfo or dt.timezone.utc) if i.at else oldest,
                   reverse=True)
    by_text: dict[str, list[ImportedItem]] = {}
    for item in dated:
        text = clean(item.text[: 4 * TEXT_CHARS])[:TEXT_CHARS]
        if text in by_text or len(by_text) < MAX_DISCOVERED:
            by_text.setdefault(text, []).append(item)
    # Distinct texts, newest first: a re-watch adds support (weight), not a new text, so
    # min_items counts distinct texts.
    texts = list(by_text)
    if len(texts) < max(min_items, 2):
        return []
    vecs, mode = vectors(texts, embedder)
    if vecs is None:
        return []
    channels = [by_text[t][0].channel for t in texts]
    labels = cluster(vecs, DISTANCE[mode], channels, word_vectors(texts, idf=False) if mode == "embedding" else None,
                     CHANNEL_AFFINITY[mode])
    groups = [np.where(labels == c)[0] for c in np.unique(labels) if c >= 0]
    groups = [g for g in groups if len(g) >= min_items]
    names = name_clusters(texts, [g[:NAMED_PER_CLUSTER] for g in groups])
    merged: dict[str, list[int]] = {}
    for name, rows in zip(names, groups):
        if name:
            merged.setdefault(name, []).extend(rows.tolist())
    found = []
    for name, rows in merged.items():
        closeness = dense(vecs[rows] @ centroid(vecs, rows)).ravel()
        # Items that say the name first, so the first examples are evidence for it.
        order = [rows[k] for k in sorted(range(len(rows)), key=lambda k: (name not in squash(texts[rows[k]]),
                                                                         -closeness[k]))]
        support = [item for r in order for item in by_text[texts[r]]]
        found.append((name, support, strength(support, now)))
    found.sort(key=lambda f: -f[2])
    top = max((f[2] for f in found), default=0.0) or 1.0
    return [FoundInterest(name, round(score / top, 4) or 1e-4, tuple(support), score)
            for name, support, score in found[:MAX_INTERESTS]]
