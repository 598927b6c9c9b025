"""Chainlit chat UI: glue only; every decision is made by the agent graph."""

from __future__ import annotations

import chainlit as cl

from agent.session import AsyncSession, open_from_settings
from agent.settings import Settings

_session: AsyncSession | None = None


async def session() -> AsyncSession:
    """One library and graph per server process, opened on first use."""
    global _session
    if _session is None:
        settings = Settings()
        lib = await cl.make_async(open_from_settings)(settings)
        _session = await AsyncSession(lib, settings.data_dir, k=settings.results).start()
    return _session


def current_user() -> str:
    user = cl.user_session.get("user")
    return user.identifier if user else Settings().user


@cl.set_starters
async def starters(user=None, language=None):
    return [
        cl.Starter(label="Learn linear algebra", message="I want to learn linear algebra"),
        cl.Starter(label="Recommend something", message="recommend something"),
        cl.Starter(label="Short videos only", message="nothing over 10 minutes"),
        cl.Starter(label="What do you know about me?", message="show my interests"),
    ]


@cl.on_message
async def on_message(message: cl.Message) -> None:
    s = await session()
    thread = cl.context.session.thread_id
    reply = cl.Message(content="")
    async for kind, payload in s.astream_turn(message.content, user=current_user(), thread=thread):
        if kind == "step":
            async with cl.Step(name="tool", type="tool") as step:
                step.output = payload
        else:
            reply.content = payload.reply
    await reply.send()
