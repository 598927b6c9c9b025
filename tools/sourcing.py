"""Rank what the library holds; when that falls short, ask the other sources (YouTube) to fill up."""

from __future__ import annotations

import logging

from tools.library import Library
from tools.ranking import Ranking, Request, recommend

log = logging.getLogger(__name__)
MAX_QUERIES = 3
"""Each YouTube search costs 100 quota units: a turn asks at most this many."""


def search_queries(lib: Library, req: Request) -> list[str]:
    """Short queries for the request: what was asked, the seed video's title, or the top interests."""
    if req.seed_video:
        found = [lib.catalog.get(req.seed_video).title]
    elif req.query:
        found = [req.query, *req.queries]
    else:
        active = lib.users.interests(req.user, "active")
        found = [i.text for i in sorted(active, key=lambda i: -i.weight)]
    unique = list(dict.fromkeys(" ".join(q.split()) for q in found if q and q.strip()))
    return unique[:MAX_QUERIES]


def recommend_from_sources(lib: Library, req: Request) -> Ranking:
    """The local catalog first; other sources search only when it has fewer than k good matches."""
    ranking = recommend(lib, req)
    searching = lib.sources[1:]
    if not searching or ranking.strong() >= req.k:
        return ranking
    queries = search_queries(lib, req)
    if not queries:
        return ranking
    rules = lib.users.rules(req.user)
    notices, added = [], []
    for source in searching:
        answer = source.search(queries, rules)
        notices += answer.notices
        added += lib.add_videos(answer.videos)
        log.info("%s: %d videos for %s, %d new", source.name, len(answer.videos), queries, len(added))
    if added:
        ranking = recommend(lib, req)
        ranking.steps.insert(1, f"searched {', '.join(s.name for s in searching)}: {len(added)} new videos")
    ranking.notices = list(dict.fromkeys([*notices, *ranking.notices]))
    return ranking
