"""PUT and DELETE /feedback answer 403 when the message or feedback is another user's (before Chainlit would write it)."""

from __future__ import annotations

import json

from chainlit.data import get_data_layer
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.web.asgi_bodies import replaying, route_path, send_json, small_body
from agent.web.owned_data_layer import NotYours, OwnedDataLayer
from agent.web.revoked_tokens import caller

MAX_FEEDBACK_BODY = 64 * 1024
"""A thumbs up or down with a comment; a longer body is refused before it is parsed."""


def feedback_target(method: str, payload: object) -> tuple[str | None, str | None]:
    """(message id, feedback id) named by the request body; ValueError when the body names neither."""
    if not isinstance(payload, dict):
        raise ValueError("the body is not a JSON object")
    if method == "DELETE":
        feedback_id = payload.get("feedbackId")
        if not isinstance(feedback_id, str):
            raise ValueError("feedbackId is missing")
        return None, feedback_id
    feedback = payload.get("feedback")
    if not isinstance(feedback, dict) or not isinstance(feedback.get("forId"), str):
        raise ValueError("feedback.forId is missing")
    feedback_id = feedback.get("id")
    return feedback["forId"], feedback_id if isinstance(feedback_id, str) else None


class FeedbackGuard:
    """Runs inside the token guard (which sets `caller`); the data layer checks again on write."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("PUT", "DELETE") or route_path(scope) != "/feedback":
            await self.app(scope, receive, send)
            return
        if (body := await small_body(receive, send, MAX_FEEDBACK_BODY, "Feedback")) is None:
            return
        layer = get_data_layer()
        if isinstance(layer, OwnedDataLayer):
            try:
                for_id, feedback_id = feedback_target(scope["method"], json.loads(body or b"null"))
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                await send_json(send, 422, {"detail": f"Feedback not understood: {exc}."})
                return
            try:
                await layer.check_feedback(caller.get(), for_id, feedback_id)
            except NotYours as exc:
                await send_json(send, 403, {"detail": f"Not yours: {exc}."})
                return
        await self.app(scope, replaying(body, receive), send)
