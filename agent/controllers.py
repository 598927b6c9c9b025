"""Pick the controller node from settings: the LLM when a key or server is set, else the rules."""

from __future__ import annotations

from typing import Callable

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime
from pydantic import SecretStr

from agent.context import Context
from agent.llm.call_log import LLMLog
from agent.llm.llm_settings import LLMSettings
from agent.prompts import LLM_NO_KEY_NOTICE
from agent.read_settings import read_settings
from agent.rules.rules_controller import rules_controller
from agent.state import State

CONTROLLERS = ("rules", "llm")


def openai_model(settings: LLMSettings):
    """ChatOpenAI on OpenAI or any OpenAI-compatible server; streams, and reports usage when streaming."""
    from langchain_openai import ChatOpenAI

    extra = {} if settings.temperature is None else {"temperature": settings.temperature}
    if settings.max_tokens is not None:
        extra["max_tokens"] = settings.max_tokens
    return ChatOpenAI(
        model=settings.model, api_key=settings.api_key or SecretStr("not-needed"), base_url=settings.base_url,
        timeout=settings.timeout_s, max_retries=settings.max_retries, stream_usage=True, **extra,
    )


def told_once(controller: Callable, notice: str) -> Callable:
    """The controller, with `notice` put before its first reply in each conversation thread."""
    told: set[str] = set()

    def rules_with_notice(state: State, runtime: Runtime[Context], config: RunnableConfig) -> dict:
        update = controller(state, runtime)
        thread = config.get("configurable", {}).get("thread_id", "")
        last = update["messages"][-1]
        if last.tool_calls or thread in told:
            return update
        told.add(thread)
        return dict(update, messages=[*update["messages"][:-1], AIMessage(f"{notice}\n\n{last.text}")])

    return rules_with_notice


def controller_named(name: str | None = None, settings: LLMSettings | None = None) -> Callable:
    """'rules', 'llm', or None for the LLM when it is configured and the rules otherwise."""
    from agent.llm.llm_controller import make_llm_controller

    settings = settings or read_settings(LLMSettings)
    name = name or ("llm" if settings.configured else "rules")
    if name not in CONTROLLERS:
        raise ValueError(f"unknown controller {name!r}: expected one of {', '.join(CONTROLLERS)}")
    if name == "rules":
        return rules_controller
    if not settings.configured:
        return told_once(rules_controller, LLM_NO_KEY_NOTICE)
    log = LLMLog(settings.log, settings.secrets()) if settings.log else None
    return make_llm_controller(openai_model(settings), model_name=settings.model, price=settings.price(), log=log)


def naming_model(settings: LLMSettings | None = None):
    """The chat model that may name imported interests, or None when no LLM is configured."""
    settings = settings or read_settings(LLMSettings)
    return openai_model(settings) if settings.configured else None
