"""Intent by meaning: a linear model over MiniLM embeddings of the masked exemplars, averaged with a
character and word n-gram TF-IDF model (which alone is the fallback when the embedding model is missing)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from agent.understand.masking import exemplar_bank, mask
from memory.embedder import MiniLMEmbedder

EMBED_C = 8.0
LEXICAL_C = 8.0
"""Inverse regularisation of the two models; 5-fold cross-validation on the masked exemplars put the
embedding model at 0.77 / 0.79 / 0.80 / 0.79 for C = 1 / 4 / 8 / 16, the n-gram model flat (0.67-0.68)."""


def training_set() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for intent, said in exemplar_bank().items():
        for s in said:
            texts.append(mask(s))
            labels.append(intent)
    return texts, labels


@dataclass
class Linear:
    """A fitted LogisticRegression's weights: predicting is one matrix product and a softmax, without
    scikit-learn's per-call checks (which cost more than the product on a single clause)."""

    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def fit(cls, x, labels: list[str], c: float) -> tuple["Linear", list[str]]:
        model = LogisticRegression(C=c, max_iter=3000).fit(x, labels)
        return cls(model.coef_.T.copy(), model.intercept_.copy()), [str(k) for k in model.classes_]

    def probabilities(self, x) -> np.ndarray:
        logits = np.asarray(x @ self.coef) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class NGrams:
    chars: TfidfVectorizer
    words: TfidfVectorizer

    @classmethod
    def fit(cls, texts: list[str]) -> "NGrams":
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(texts)
        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"[^ ]+", sublinear_tf=True)
        return cls(chars, words.fit(texts))

    def features(self, texts: list[str]):
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            return sparse.hstack([self.chars.transform(texts), self.words.transform(texts)]).tocsr()


@dataclass
class IntentModel:
    """Fitted once per process; `probabilities` takes masked clauses."""

    ngrams: NGrams
    lexical: Linear
    semantic: Linear | None
    embedder: MiniLMEmbedder | None
    classes: list[str]

    @classmethod
    def fit(cls, embedder: MiniLMEmbedder | None, texts: list[str] | None = None, labels: list[str] | None = None,
            embed_c: float = EMBED_C, lexical_c: float = LEXICAL_C) -> "IntentModel":
        if texts is None or labels is None:
            texts, labels = training_set()
        ngrams = NGrams.fit(texts)
        lexical, classes = Linear.fit(ngrams.features(texts), labels, lexical_c)
        semantic = None
        if embedder is not None:
            semantic, same = Linear.fit(embedder.embed(texts), labels, embed_c)
            assert same == classes
        return cls(ngrams, lexical, semantic, embedder, classes)

    @property
    def mode(self) -> str:
        return "embeddings + n-grams" if self.semantic is not None else "n-grams only (embedding model missing)"

    def probabilities(self, masked: list[str]) -> np.ndarray:
        """One row per clause, one column per intent (self.classes)."""
        if not masked:
            return np.zeros((0, len(self.classes)))
        probs = self.lexical.probabilities(self.ngrams.features(masked))
        if self.semantic is not None:
            probs = (probs + self.semantic.probabilities(self.embedder.embed(masked))) / 2
        return probs
