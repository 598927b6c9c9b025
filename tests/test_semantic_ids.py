"""Semantic IDs: codes that follow content, kept in the data dir, lists from interests spread over them, 'why' names the family."""

from __future__ import annotations

import numpy as np

from helpers import NEEDS_MODEL
from tools.explain import explain, explanation_text
from tools.ranking import Request, recommend, spread_families
from tools.semantic_ids import Codebooks, assign, fit_codebooks, load, save
from tools.steering import add_interest


def clustered(n_topics: int = 6, per_topic: int = 40, dim: int = 24, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_topics, dim)) * 3
    labels = np.repeat(np.arange(n_topics), per_topic)
    vectors = centres[labels] + 0.3 * rng.normal(size=(len(labels), dim))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), labels


def test_videos_about_the_same_thing_share_a_first_level_code():
    vectors, labels = clustered()
    books = fit_codebooks(vectors, codes=6)
    codes = assign(vectors, books)

    assert codes.shape == (len(vectors), 3)
    for topic in range(6):  # each topic lands in one family, and no two topics share one
        assert len(set(codes[labels == topic, 0])) == 1
    assert len(set(codes[:, 0])) == 6
    assert len({tuple(c) for c in codes.tolist()}) > 6  # deeper levels tell the videos apart


def test_a_small_catalog_gets_fewer_codes_than_it_has_videos():
    vectors, _ = clustered(n_topics=2, per_topic=10)
    books = fit_codebooks(vectors)
    assert all(len(c) <= len(vectors) // 8 for c in books.centroids)


def test_a_catalog_too_small_to_code_has_no_codes_and_lists_are_left_as_they_are(lib, monkeypatch):
    monkeypatch.setattr(type(lib), "semantic", property(lambda self: True))
    few = type(lib).__new__(type(lib))
    few.__dict__.update(lib.__dict__, ids=lib.ids[:3])
    from tools.semantic_ids import SemanticIds

    families = SemanticIds(few, None)
    assert families.ready() is False  # an empty or tiny catalog: no k-means, no crash
    few.families = families
    assert spread_families(few, few.ids, cap=1) == few.ids


def test_codebooks_are_kept_whole_and_a_file_for_another_model_is_not_used(tmp_path):
    vectors, _ = clustered()
    books = fit_codebooks(vectors, codes=6)
    path = tmp_path / "semantic_ids.npz"
    save(books, path)

    again = load(path, vectors.shape[1])
    assert again is not None and again.fitted_on == len(vectors)
    assert (assign(vectors, again) == assign(vectors, books)).all()
    assert load(path, vectors.shape[1] + 1) is None  # another embedding size
    path.write_bytes(b"not an npz")
    assert load(path, vectors.shape[1]) is None
    assert not list(tmp_path.glob(".*.tmp"))  # no temp file left behind


@NEEDS_MODEL
def test_a_list_from_interests_spreads_over_families_and_hides_nothing(lib, user):
    add_interest(lib, user, "linear algebra", "I like linear algebra")
    add_interest(lib, user, "astronomy", "and astronomy")
    plain = [i.video_id for i in recommend(lib, Request(user=user, skip_seen=False, family_cap=0)).items]
    spread = [i.video_id for i in recommend(lib, Request(user=user, skip_seen=False, family_cap=1)).items]
    prefixes = lambda ids: [lib.families.prefix(v, 2) for v in ids]

    assert len(spread) == len(plain)  # the spread reorders; it never shortens a list
    distinct = len(set(prefixes(plain)))
    assert len(set(prefixes(spread[:distinct]))) >= len(set(prefixes(plain[:distinct])))
    moved = spread_families(lib, plain, cap=1, levels=2)
    assert sorted(moved) == sorted(plain)
    assert len(set(prefixes(moved[:distinct]))) == distinct  # one of each prefix before any second


def test_a_request_keeps_its_depth(lib, user, monkeypatch):
    """A request asked for one thing: its list is not spread over families."""
    calls = []
    monkeypatch.setattr("tools.ranking.spread_families", lambda *a, **k: calls.append(a) or a[1])
    recommend(lib, Request(user=user, query="linear algebra", skip_seen=False))
    assert calls == []


@NEEDS_MODEL
def test_why_names_the_family_in_words_and_its_code(lib, user):
    add_interest(lib, user, "linear algebra", "I like linear algebra")
    item = recommend(lib, Request(user=user, skip_seen=False)).items[0]
    exp = explain(lib, user, item.as_dict(), 1)
    text = explanation_text(exp)

    family = exp["family"]
    assert family["code"] == lib.families.code(item.video_id) and len(family["code"].split("-")) == 3
    assert family["words"] and f"- Family: videos about {', '.join(family['words'])}" in text
    members = [v for v in lib.ids if lib.families.family(v) == lib.families.family(item.video_id)]
    titles = " ".join(lib.catalog.get(v).title.lower() for v in members)
    assert all(w in titles for w in family["words"])  # the words come from the family's own titles


def test_without_the_model_there_are_no_codes_and_why_says_nothing_of_families(lib, user, monkeypatch):
    monkeypatch.setattr(type(lib), "semantic", property(lambda self: False))
    add_interest(lib, user, "linear algebra", "I like linear algebra")
    item = recommend(lib, Request(user=user, skip_seen=False)).items[0]
    exp = explain(lib, user, item.as_dict(), 1)
    assert exp["family"] is None and "Family:" not in explanation_text(exp)
