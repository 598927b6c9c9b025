"""Several short queries for one request (what an LLM controller writes) widen what counts as a match."""

from tools.ranking import Request, recommend


def test_extra_queries_turn_a_weak_match_into_a_match(lib, user):
    alone = recommend(lib, Request(user, query="sourdough", k=5))
    widened = recommend(lib, Request(user + "-2", query="sourdough", queries=("fermentation at home",), k=5))

    matched = lambda ranking: [i.video_id for i in ranking.items if i.matched_by == "request"]
    assert "demo-cook03" not in matched(alone)  # the fermentation video never names sourdough
    assert "demo-cook03" in matched(widened)
    assert set(matched(alone)) <= set(matched(widened))


def test_several_interests_share_a_list(lib, user):
    """A strong interest leads the list without filling it: a short list still serves the other one."""
    from tools import steering
    from tools.ranking import Request, recommend

    steering.add_interest(lib, user, "linear algebra", "I want to learn linear algebra")
    steering.add_interest(lib, user, "calculus", "and some calculus", weight=0.6)
    # Five linear-algebra videos outscore the best calculus one; without sharing, k=5 lists only them.
    picked = [i.matched_interest["text"] for i in recommend(lib, Request(user, k=5)).items if i.matched_interest]
    assert picked[0] == "linear algebra" and "calculus" in picked, picked


def test_a_light_interest_still_has_real_matches(lib, user):
    """An imported interest weighs less than one the user typed, but its own matches are matches,
    not 'exploration picks', and they get their clip."""
    from tools import steering
    from tools.ranking import Request, recommend

    steering.add_interest(lib, user, "linear algebra", "I want to learn linear algebra")
    steering.add_interest(lib, user, "chess endgames", "imported", source="import", weight=0.4)
    items = {i.video_id: i for i in recommend(lib, Request(user)).items}
    assert items["demo-chess2"].matched_by == "interest"
    assert items["demo-chess2"].matched_interest["text"] == "chess endgames"


def test_each_item_says_what_decided_its_rank(lib, user):
    """The 'why' chart's bars: the signals that scored an item add up to its score, and 'less X'
    shows as the negative part it is."""
    from tools import steering
    from tools.ranking import Request, recommend

    steering.add_interest(lib, user, "linear algebra", "I want to learn linear algebra")
    asked = recommend(lib, Request(user, query="matrices", k=5)).items
    assert asked and all(set(i.parts) <= {"your request", "your interests"} for i in asked)
    assert all(abs(sum(i.parts.values()) - i.score) < 1e-3 for i in asked)
    assert asked[0].parts["your request"] > 0 and asked[0].parts["your interests"] > 0

    steering.less_topic(lib, user, "eigenvectors")
    lessened = recommend(lib, Request(user, k=10)).items
    penalised = [i for i in lessened if i.parts.get("less eigenvectors", 0) < 0]
    assert penalised, [i.parts for i in lessened]
    assert all(abs(sum(i.parts.values()) - i.score) < 1e-3 for i in lessened)
