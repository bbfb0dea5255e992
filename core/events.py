"""What a turn yields: small frozen events that the TUI, the CLI and the tests all consume."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from core.costs.usage import TokenUsage


@dataclass(frozen=True)
class TurnStarted:
    pane: str
    model: str
    context_files: tuple[tuple[str, int], ...] = ()  # (file name, version seen)
    # Oldest exchanges left out so the conversation fits the model's context window.
    trimmed_exchanges: int = 0


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    text: str


@dataclass(frozen=True)
class UsageUpdate:
    """Usage so far for the reply being streamed (assigned from the API, never added).

    The API reports output tokens only at the end (message_delta); in between, `estimated`
    updates count the streamed text at about four characters a token so meters move live.
    """

    model: str
    usage: TokenUsage
    estimated: bool = False
    # A tool loop's usage so far, request by request ((model, usage), the streaming one last):
    # each is priced on its own, as the store prices them. Empty: `usage` is one request's.
    requests: tuple[tuple[str, TokenUsage], ...] = ()


@dataclass(frozen=True)
class Retrying:
    """A failed attempt that Segue retries after `delay` seconds; text so far is kept."""

    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True)
class TurnDone:
    model: str
    text: str
    thinking: str
    usage: TokenUsage
    stop_reason: str | None = None
    cancelled: bool = False
    # The assistant content blocks as the API sent them (thinking with signatures, tool_use),
    # so a tool loop can pass them back unchanged.
    content: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    # One (model, usage) per API request of a tool loop; empty for a single request.
    requests: tuple[tuple[str, TokenUsage], ...] = ()
    edits: tuple[EditRecord, ...] = ()


@dataclass(frozen=True)
class TurnFailed:
    """The turn ended without a complete reply; `text` keeps what arrived."""

    message: str
    kind: str  # "auth" | "rate_limit" | "overloaded" | "connection" | "budget" | "other"
    text: str = ""
    thinking: str = ""
    usage: TokenUsage = field(default_factory=lambda: TokenUsage())
    model: str = ""
    requests: tuple[tuple[str, TokenUsage], ...] = ()
    edits: tuple[EditRecord, ...] = ()


@dataclass(frozen=True)
class ToolCallStarted:
    """The model called a tool (Claude Code's Read/Write/Edit/Bash..., or the API's own tools).

    `target` is what the call is about in the user's words: a file path, a command.
    """

    call_id: str
    tool: str
    target: str = ""
    input: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ToolCallFinished:
    """A tool call's result. `diff` is a unified diff for file edits; `denied` means a permission
    refused the call (Claude Code's print mode cannot ask), so nothing was changed."""

    call_id: str
    tool: str
    target: str = ""
    output: str = ""
    is_error: bool = False
    denied: bool = False
    diff: str = ""
    applied: bool | None = None  # a proposed edit (Segue's own tools): written after approval, or not


@dataclass(frozen=True)
class EditRecord:
    """What became of one proposed edit (headless JSON: `edits`)."""

    path: str
    command: str
    applied: bool
    error: str | None = None
    call_id: str = ""  # the tool_use id, so a consumer can join what it learnt from the EditProposed


@dataclass(frozen=True)
class Decision:
    """The user's answer to a proposed edit or command."""

    action: str  # "apply" | "reject" | "apply_all" | "cancel"
    reason: str = ""


@dataclass(frozen=True)
class EditProposed:
    """An edit (or an allow-listed command) waiting for approval.

    The consumer answers with `decision.set_result(Decision(...))` before it asks for the
    next event (awaiting a dialog in between is fine); an unanswered proposal is rejected.
    `decision` is already answered when the user chose "apply the rest of this turn".
    `edit` is a core.tools.text_editor.ProposedEdit, or None for a bash command.
    """

    id: str
    command: str
    target: str
    edit: Any
    decision: asyncio.Future = field(compare=False, repr=False)


@dataclass(frozen=True)
class StepCompleted:
    """A plan step was ticked in the plan file (by the model's complete_step)."""

    step: int
    text: str
    note: str
    plan: str


TurnEvent = (
    TurnStarted
    | TextDelta
    | ThinkingDelta
    | UsageUpdate
    | Retrying
    | TurnDone
    | TurnFailed
    | ToolCallStarted
    | ToolCallFinished
    | EditProposed
    | StepCompleted
)
