"""BM25 over the catalog (bm25s): the lexical half of search, and the whole of it without the model."""

from __future__ import annotations

import re

import bm25s
import numpy as np
import Stemmer

WORD = re.compile(r"[a-z0-9]+")
STEM = Stemmer.Stemmer("english").stemWord


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class LexicalIndex:
    """Scores every document for a query; documents are given once, in a fixed order."""

    def __init__(self, texts: list[str]):
        self.tokenizer = bm25s.tokenization.Tokenizer(stopwords="en", stemmer=STEM, splitter=words)
        self.size = len(texts)
        self.bm25 = bm25s.BM25()
        if texts:  # a YouTube-only library starts empty
            tokens = self.tokenizer.tokenize(texts, return_as="tuple", show_progress=False)
            self.bm25.index(tokens, show_progress=False)
        self.empty_id = self.tokenizer.get_vocab_dict().get("")

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of each document; all zeros when no query word is in the corpus."""
        ids = self.tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)[0]
        ids = [i for i in ids if i != self.empty_id]
        if not ids or not self.size:
            return np.zeros(self.size, dtype=np.float32)
        return self.bm25.get_scores(ids).astype(np.float32)
