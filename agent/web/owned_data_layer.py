"""Chainlit's SQL data layer, refusing feedback on a message of another user's thread."""

from __future__ import annotations

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.types import Feedback

from agent.web.revoked_tokens import caller


class NotYours(PermissionError):
    """The message or feedback belongs to another user's thread (or does not exist)."""


class OwnedDataLayer(SQLAlchemyDataLayer):
    """Feedback is written only by the owner of the thread holding the message it is about."""

    async def step_owner(self, step_id: str) -> str | None:
        rows = await self.execute_sql(
            'SELECT t."userIdentifier" AS owner FROM steps s JOIN threads t ON t."id" = s."threadId" '
            'WHERE s."id" = :step_id', {"step_id": step_id})
        return rows[0]["owner"] if isinstance(rows, list) and rows else None

    async def feedback_owner(self, feedback_id: str) -> str | None:
        rows = await self.execute_sql(
            'SELECT t."userIdentifier" AS owner FROM feedbacks f JOIN steps s ON s."id" = f."forId" '
            'JOIN threads t ON t."id" = s."threadId" WHERE f."id" = :feedback_id', {"feedback_id": feedback_id})
        return rows[0]["owner"] if isinstance(rows, list) and rows else None

    async def check_feedback(self, user: str | None, for_id: str | None, feedback_id: str | None) -> None:
        """Raises NotYours unless `user` owns the message and, when it exists, the feedback being changed."""
        if user is None:
            raise NotYours("not signed in")
        if for_id is not None and await self.step_owner(for_id) != user:
            raise NotYours(f"message {for_id} is not in one of your threads")
        if feedback_id is not None and (owner := await self.feedback_owner(feedback_id)) is not None and owner != user:
            raise NotYours(f"feedback {feedback_id} is another user's")
        if for_id is None and feedback_id is not None and await self.feedback_owner(feedback_id) is None:
            raise NotYours(f"no feedback {feedback_id}")

    async def upsert_feedback(self, feedback: Feedback) -> str:
        await self.check_feedback(caller.get(), feedback.forId, feedback.id)
        return await super().upsert_feedback(feedback)

    async def delete_feedback(self, feedback_id: str) -> bool:
        await self.check_feedback(caller.get(), None, feedback_id)
        return await super().delete_feedback(feedback_id)
