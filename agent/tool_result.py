"""What a tool did, typed: carried on its ToolMessage (as the artifact) so that nobody parses its text."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from langchain_core.messages import ToolMessage


@dataclass(frozen=True)
class ToolResult:
    text: str
    """What the user reads (the list included, when there is one)."""
    summary: str
    """One line for the trace of the turn ('search: 200 candidates; kept 10')."""
    notices: tuple[str, ...] = ()
    """What a source wants the user told (quota spent, YouTube unreachable), whatever else is said."""
    failed: bool = False
    """The request could not be carried out; `text` says why, in words for the user."""

    def for_model(self) -> str:
        """The tool message's content: the model needs to be told plainly that a call failed."""
        return f"error: {self.text}" if self.failed else self.text

    def message(self, tool_call_id: str) -> ToolMessage:
        return ToolMessage(self.for_model(), tool_call_id=tool_call_id, artifact=asdict(self),
                           status="error" if self.failed else "success")


def result_of(message: ToolMessage) -> ToolResult:
    """The typed result of a tool message (one written before results were typed reads as plain text)."""
    if is_typed(message):
        a = message.artifact
        return ToolResult(a["text"], a["summary"], tuple(a.get("notices") or ()), bool(a.get("failed")))
    failed = message.status == "error"
    return ToolResult(message.text.removeprefix("error: "), message.text.splitlines()[0] if message.text else "",
                      failed=failed)


def is_typed(message: ToolMessage) -> bool:
    """Written by one of our tools (an error from the tool framework itself, e.g. bad arguments, is not)."""
    return isinstance(message.artifact, dict) and "summary" in message.artifact
