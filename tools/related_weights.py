"""Fitted "more like this" weights (evals/fit_related.py on related.retrieval.jsonl and related.train.jsonl); do not edit by hand."""

INTERCEPT = -3.99
WEIGHTS = {
    'meta_cosine': 1.4173,
    'transcript_cosine': 0.5427,
    'both_transcripts': -0.2951,
    'title_bm25': 3.1917,
    'description_bm25': 2.5694,
    'same_channel': 1.5914,
    'same_tag': -1.3051,
    'same_series': 1.624,
    'next_part': 0.8097,
    'previous_part': 0.4799,
    'named_by_anchor': 0.2487,
    'linked_by_anchor': 5.3506,
    'names_anchor': -0.5144,
    'cited_by_others': 0.1492,
    'title_covered': 1.5212,
    'spoken_cosine': 0.2426,
    'published_before': 2.4821,
    'years_apart': -0.4846,
    'best_window_cosine': -0.3783,
    'core_named_by_anchor': 2.0756,
}
