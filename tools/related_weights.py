"""Fitted "more like this" weights (evals/fit_related.py on related.retrieval.jsonl and related.train.jsonl); do not edit by hand."""

INTERCEPT = -3.8477
WEIGHTS = {
    'meta_cosine': 0.7623,
    'transcript_cosine': 4.1111,
    'both_transcripts': -1.6934,
    'title_bm25': 2.5947,
    'description_bm25': 2.7704,
    'same_channel': 2.812,
    'same_tag': -1.0752,
    'same_series': 1.4813,
    'next_part': 0.3158,
    'previous_part': 1.1016,
    'named_by_anchor': 0.625,
    'linked_by_anchor': 5.7185,
    'names_anchor': -0.6228,
    'cited_by_others': 0.2065,
    'title_covered': 1.79,
    'spoken_cosine': 1.1096,
    'best_window_cosine': -1.7207,
    'core_named_by_anchor': 1.8233,
}
