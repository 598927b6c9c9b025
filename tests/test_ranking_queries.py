"""Several short queries for one request (what an LLM controller writes) widen what counts as a match."""

from tools.ranking import Request, recommend


def test_extra_queries_turn_a_weak_match_into_a_match(lib, user):
    alone = recommend(lib, Request(user, query="sourdough", k=5))
    widened = recommend(lib, Request(user + "-2", query="sourdough", queries=("fermentation at home",), k=5))

    matched = lambda ranking: [i.video_id for i in ranking.items if i.matched_by == "request"]
    assert "demo-cook03" not in matched(alone)  # the fermentation video never names sourdough
    assert "demo-cook03" in matched(widened)
    assert set(matched(alone)) <= set(matched(widened))
