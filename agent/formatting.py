"""Plain-text rendering of a recommendation list, for the terminal and plain chat replies."""

from __future__ import annotations

from tools.filters import fmt_duration
from tools.library import Library


def card_fields(lib: Library, item: dict) -> dict:
    """What a card shows, from the catalog and the ranking trace."""
    video = lib.catalog.get(item["video_id"])
    clip = item.get("clip")
    return {
        "video_id": video.video_id, "title": video.title, "channel": video.channel,
        "duration_s": video.duration_s, "duration": fmt_duration(video.duration_s),
        "thumbnail_url": video.thumbnail_url, "url": video.url_at(clip["start"]) if clip else video.url,
        "clip": clip, "reason": item["reason"], "is_demo": video.is_demo,
        "published": video.published_at.isoformat() if video.published_at else None,
    }


def render_list(lib: Library, items: list[dict]) -> str:
    lines = []
    for n, item in enumerate(items, start=1):
        card = card_fields(lib, item)
        lines.append(f"{n}. {card['title']} — {card['channel'] or 'unknown channel'} ({card['duration']})")
        clip = card["clip"]
        if clip:
            lines.append(f"   clip {fmt_duration(clip['start'])}-{fmt_duration(clip['end'])}: \"{clip['quote']}\"")
        lines.append(f"   why: {card['reason']}")
    return "\n".join(lines)
