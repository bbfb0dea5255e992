"""A turn with tools: stream, run the tool calls (edits approved first), send the results, repeat.

The whole tool_use -> tool_result loop is one user turn. Every request goes out with the
same TurnRequest (model, thinking, system), so a model or effort change made mid-loop applies
from the next turn, and the assistant content (thinking blocks with their signatures
included) goes back exactly as the API sent it, as the API requires.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.costs.usage import TokenUsage
from core.engines.api import TurnRequest, stream_turn
from core.events import (
    Decision,
    EditProposed,
    EditRecord,
    StepCompleted,
    ToolCallFinished,
    ToolCallStarted,
    TurnDone,
    TurnEvent,
    TurnFailed,
    UsageUpdate,
)
from core.tools import bash
from core.tools.checklist import PlanChecklist
from core.tools.text_editor import TOOL_NAME as EDITOR, TOOL_SPEC as EDITOR_SPEC, ProposedEdit, TextEditor, ToolAnswer

MAX_ROUNDS = 40  # requests in one turn; a model stuck in a loop stops here
COMPLETE_STEP = "complete_step"
COMPLETE_STEP_SPEC = {
    "name": COMPLETE_STEP,
    "description": (
        "Mark one step of the active plan as done, once it is implemented. Steps are numbered "
        "1, 2, 3… in the order the plan lists them. The tick is written into the plan file."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "step": {"type": "integer", "minimum": 1, "description": "The step's number in the plan."},
            "note": {"type": "string", "description": "One line on what was done."},
        },
        "required": ["step"],
    },
}
NOT_APPROVED = "Error: the user rejected this change; nothing was written."


@dataclass
class Toolbox:
    """The tools one pane offers and the state they keep between turns."""

    editor: TextEditor
    allowed_commands: tuple[str, ...] = ()
    plan: Callable[[], Path | None] | None = None  # the active plan, for complete_step (exec only)
    project_dir: Path = field(default_factory=Path.cwd)

    def specs(self) -> tuple[dict[str, Any], ...]:
        specs: list[dict[str, Any]] = [dict(EDITOR_SPEC)]
        if self.allowed_commands and not self.editor.read_only:
            specs.append(dict(bash.TOOL_SPEC))
        if self.plan is not None:
            specs.append(COMPLETE_STEP_SPEC)
        return tuple(specs)


class _Cancelled(Exception):
    pass


class _Turn:
    """One tool loop's running state."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.toolbox = toolbox
        self.apply_all = False
        self.edits: list[EditRecord] = []

    async def decide(self, proposed: EditProposed) -> Decision:
        decision = proposed.decision
        if not decision.done():
            decision.set_result(Decision("reject", "no one answered the approval"))
        return decision.result()

    def proposal(self, call_id: str, command: str, target: str, edit: ProposedEdit | None) -> EditProposed:
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        if self.apply_all:
            future.set_result(Decision("apply"))
        return EditProposed(call_id, command, target, edit, future)


def _rejected(reason: str) -> str:
    return NOT_APPROVED + (f" The user said: {reason.strip()}" if reason.strip() else "")


async def run_tool_loop(
    client: Any, request: TurnRequest, cancel: asyncio.Event, toolbox: Toolbox
) -> AsyncIterator[TurnEvent]:
    """The events of one turn with tools; ends with TurnDone or TurnFailed over all its requests."""
    turn = _Turn(toolbox)
    request = replace(request, tools=toolbox.specs())
    messages = list(request.messages)
    spent = TokenUsage()
    requests: list[tuple[str, TokenUsage]] = []
    texts: list[str] = []
    thoughts: list[str] = []
    model = request.model

    def joined(extra_text: str = "", extra_thinking: str = "") -> tuple[str, str]:
        parts = [t for t in (*texts, extra_text) if t.strip()]
        return "\n\n".join(parts), "\n\n".join(t for t in (*thoughts, extra_thinking) if t.strip())

    for _ in range(MAX_ROUNDS):
        final: TurnDone | TurnFailed | None = None
        # The first request ends with the user's prompt and retries like any turn; a follow-up
        # ends with tool results, and its retry starts over so the thinking configuration holds.
        follow_up = len(messages) > len(request.messages)
        async for event in stream_turn(client, replace(request, messages=messages), cancel, prefill=not follow_up):
            if isinstance(event, UsageUpdate):
                yield UsageUpdate(event.model, spent + event.usage, event.estimated,
                                  requests=(*requests, (event.model, event.usage)) if requests else ())
            elif isinstance(event, (TurnDone, TurnFailed)):
                final = event
            else:
                yield event
        assert final is not None
        model = final.model or model
        if final.usage.total:
            requests.append((model, final.usage))
        spent = spent + final.usage
        if isinstance(final, TurnFailed):
            text, thinking = joined(final.text, final.thinking)
            yield replace(final, text=text, thinking=thinking, usage=spent, model=model, requests=tuple(requests), edits=tuple(turn.edits))
            return
        texts.append(final.text)
        thoughts.append(final.thinking)
        tool_uses = [block for block in final.content if block.get("type") == "tool_use"]
        if final.cancelled or final.stop_reason != "tool_use" or not tool_uses:
            text, thinking = joined()
            yield TurnDone(model, text, thinking, spent, final.stop_reason, final.cancelled, requests=tuple(requests), edits=tuple(turn.edits))
            return
        results: list[dict[str, Any]] = []
        try:
            for block in tool_uses:
                try:
                    async for event in _run_call(turn, block, results):
                        yield event
                except _Cancelled:
                    yield _cancelled_call(block)  # its row must not look as if it still ran
                    raise
                except Exception as error:  # noqa: BLE001 - a tool failing as nobody foresaw
                    # The model is told and the turn goes on: its replies and costs so far are
                    # not lost to one tool's surprise.
                    yield _failed_call(block, results, error)
        except _Cancelled:
            text, thinking = joined()
            yield TurnDone(model, text, thinking, spent, "cancelled", True, requests=tuple(requests), edits=tuple(turn.edits))
            return
        messages = [*messages, {"role": "assistant", "content": list(final.content)}, {"role": "user", "content": results}]
        if cancel.is_set():
            text, thinking = joined()
            yield TurnDone(model, text, thinking, spent, "cancelled", True, requests=tuple(requests), edits=tuple(turn.edits))
            return
    text, thinking = joined()
    text += f"\n\n(Stopped after {MAX_ROUNDS} tool rounds in one turn.)"
    yield TurnDone(model, text, thinking, spent, "max_rounds", requests=tuple(requests), edits=tuple(turn.edits))


def _described(block: dict[str, Any]) -> tuple[str, str]:
    """A call's command and target as the pane shows them ("create", "src/app.py")."""
    name, tool_input = block.get("name", ""), block.get("input") or {}
    if not isinstance(tool_input, dict):
        return name, ""
    if name == EDITOR:
        return str(tool_input.get("command", "")), str(tool_input.get("path", ""))
    if name == bash.TOOL_NAME:
        return name, str(tool_input.get("command", ""))
    if name == COMPLETE_STEP:
        return name, f"step {tool_input.get('step')}"
    return name, ""


def _cancelled_call(block: dict[str, Any]) -> ToolCallFinished:
    """The call the turn was cancelled at (Esc in its approval dialog): finished, not applied."""
    command, target = _described(block)
    return ToolCallFinished(block.get("id", ""), command, target, "Cancelled: nothing was written.", True, applied=False)


def _failed_call(block: dict[str, Any], results: list[dict[str, Any]], error: Exception) -> ToolCallFinished:
    """The error answer for a call whose tool raised: every tool_use needs its tool_result."""
    call_id = block.get("id", "")
    message = f"Error: the {block.get('name', '')} tool failed: {type(error).__name__}: {error}"
    if not any(result.get("tool_use_id") == call_id for result in results):
        results.append({"type": "tool_result", "tool_use_id": call_id, "content": message, "is_error": True})
    command, target = _described(block)
    return ToolCallFinished(call_id, command, target, message, True)


async def _run_call(turn: _Turn, block: dict[str, Any], results: list[dict[str, Any]]) -> AsyncIterator[TurnEvent]:
    """One tool call: ToolCallStarted, maybe EditProposed (awaiting the decision), then ToolCallFinished."""
    call_id, name, tool_input = block.get("id", ""), block.get("name", ""), block.get("input") or {}
    toolbox = turn.toolbox
    command, target = _described(block)
    yield ToolCallStarted(call_id, command, target, tool_input if isinstance(tool_input, dict) else {})
    applied: bool | None = None
    diff = ""
    if name == EDITOR:
        outcome = toolbox.editor.handle(tool_input)
        if isinstance(outcome, ProposedEdit):
            proposed = turn.proposal(call_id, command, outcome.display_path, outcome)
            yield proposed
            decision = await turn.decide(proposed)
            applied, answer = await _settle(turn, decision, lambda: _apply(toolbox, outcome))
            diff = unified_diff(outcome.display_path, outcome.old_text, outcome.new_text)
            turn.edits.append(EditRecord(outcome.display_path, command, bool(applied), answer.content if answer.is_error else None, call_id))
        else:
            answer = outcome
            if answer.is_error and command in ("create", "str_replace", "insert"):
                turn.edits.append(EditRecord(target, command, False, answer.content, call_id))
    elif name == bash.TOOL_NAME and not toolbox.editor.read_only and toolbox.allowed_commands:
        if isinstance(tool_input, dict) and tool_input.get("restart"):
            answer = ToolAnswer("tool has been restarted.")
        elif (why := bash.refusal(tool_input.get("command") if isinstance(tool_input, dict) else None, toolbox.allowed_commands)):
            answer = ToolAnswer(why, True)
        else:
            proposed = turn.proposal(call_id, "bash", target, None)
            yield proposed
            decision = await turn.decide(proposed)
            applied, answer = await _settle(turn, decision, lambda: _run_bash(toolbox, target))
    elif name == COMPLETE_STEP and toolbox.plan is not None:
        answer, step = _complete_step(toolbox, tool_input)
        if step is not None:
            yield step
    else:
        answer = ToolAnswer(f"Error: the tool {name!r} is not available here.", True)
    results.append(
        {"type": "tool_result", "tool_use_id": call_id, "content": answer.content, **({"is_error": True} if answer.is_error else {})}
    )
    yield ToolCallFinished(call_id, command, target, answer.content, answer.is_error, diff=diff, applied=applied)


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}")
    )


async def _settle(turn: _Turn, decision: Decision, act: Callable[[], Any]) -> tuple[bool, ToolAnswer]:
    if decision.action == "cancel":
        raise _Cancelled
    if decision.action == "apply_all":
        turn.apply_all = True
    if decision.action in ("apply", "apply_all"):
        answer = await act()
        return not answer.is_error, answer
    return False, ToolAnswer(_rejected(decision.reason), True)


async def _apply(toolbox: Toolbox, edit: ProposedEdit) -> ToolAnswer:
    return toolbox.editor.apply(edit)


async def _run_bash(toolbox: Toolbox, command: str) -> ToolAnswer:
    output, is_error = await bash.run(command, toolbox.project_dir)
    return ToolAnswer(output, is_error)


def _complete_step(toolbox: Toolbox, tool_input: Any) -> tuple[ToolAnswer, StepCompleted | None]:
    plan = toolbox.plan() if toolbox.plan else None
    if plan is None:
        return ToolAnswer("Error: there is no active plan to tick a step in.", True), None
    number = tool_input.get("step") if isinstance(tool_input, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        return ToolAnswer("Error: complete_step needs step, the step's number.", True), None
    note = str(tool_input.get("note") or "")
    try:
        step = PlanChecklist(plan).tick(number)
    except ValueError as error:
        return ToolAnswer(f"Error: {error}", True), None
    return ToolAnswer(f"Step {number} ticked in {plan.name}: {step.text}"), StepCompleted(number, step.text, note, str(plan))
