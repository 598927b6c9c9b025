"""Fitted clip placement constants (evals/fit_clips.py on real.clips.jsonl); do not edit by hand."""

FITTED = {
    'semantic_weight': 0.7,
    'block': 3,
    'depth_cut': 0.0,
    'section_by': 'max',
    'open_at': 'grow',
    'edge_penalty': 0.7,
    'lead_windows': 0,
    'span_s': 60.0,
    'min_cosine': 0.2561,
    'near_peak': 0.95,
    'keep_going': 0.9,
    'smooth': 1,
    'chapter_title_weight': 2.0,
}
