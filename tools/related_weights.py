"""Fitted "more like this" weights (evals/fit_related.py on related.retrieval.jsonl and related.train.jsonl); do not edit by hand."""

INTERCEPT = -3.6661
WEIGHTS = {
    'meta_cosine': 0.0,
    'transcript_cosine': 6.6489,
    'both_transcripts': -3.9895,
    'title_bm25': 2.668,
    'description_bm25': 1.5237,
    'same_channel': 2.5975,
    'same_tag': 0.0,
    'same_series': 1.2803,
    'next_part': 0.4212,
    'previous_part': 0.8973,
    'named_by_anchor': 0.1607,
    'linked_by_anchor': 4.4908,
    'names_anchor': 0.0,
    'cited_by_others': 0.2353,
    'title_covered': 2.0029,
    'spoken_cosine': 0.0,
    'best_window_cosine': 0.0,
    'core_named_by_anchor': 1.7423,
}
