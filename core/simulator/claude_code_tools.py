"""The simulator acts out Claude Code's own file tools (Read, Write, Edit) for execution prompts.

When a request offers Claude Code's tools, an execution prompt becomes a short tool loop, so
the demo shows what a real Claude Code turn looks like: Read the target file, then Write it
(new) or Edit it (it existed), then the usual code reply. Inputs use Claude Code's own field
names (`file_path`, `content`, `old_string`, `new_string`); the file name comes from the
prompt's topic and the directory from the "Primary working directory" Claude Code puts in its
system prompt. Everything is decided from the request alone: same request, same step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CLAUDE_CODE_TOOLS = frozenset({"Read", "Write", "Edit"})
_WORKING_DIR = re.compile(r"Primary working directory:\s*(\S[^\n\\]*)")
_NUMBERED = re.compile(r"^\s*\d+\t(.*)$")
_CODE = re.compile(r"```[\w+-]*\n(.*?)```", re.S)


@dataclass(frozen=True)
class ToolStep:
    """One assistant message of the loop: a line of text, then tool_use blocks (stop_reason tool_use)."""

    text: str
    tool_uses: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def offered(body: dict[str, Any]) -> bool:
    names = {tool.get("name") for tool in body.get("tools") or [] if isinstance(tool, dict)}
    return CLAUDE_CODE_TOOLS <= names


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _is_tool_results(message: dict[str, Any]) -> bool:
    return message.get("role") == "user" and any(b.get("type") == "tool_result" for b in _blocks(message))


def prompt_message_index(messages: list[Any]) -> int | None:
    """Index of the user message that started the current turn (not a tool_result message)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, dict) and message.get("role") == "user" and not _is_tool_results(message):
            return index
    return None


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def _turn_so_far(messages: list[Any], start: int) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(tool_use, its tool_result or None) for every tool call since the turn's prompt."""
    results: dict[str, dict[str, Any]] = {}
    uses: list[dict[str, Any]] = []
    for message in messages[start + 1 :]:
        if not isinstance(message, dict):
            continue
        for block in _blocks(message):
            if block.get("type") == "tool_use":
                uses.append(block)
            elif block.get("type") == "tool_result":
                results[str(block.get("tool_use_id"))] = block
    return [(use, results.get(str(use.get("id")))) for use in uses]


def working_dir(system: str) -> str:
    match = _WORKING_DIR.search(system)
    return match.group(1).strip() if match else "."


def _file_text(read_result: str) -> str:
    """The file body from Read's `cat -n` output (line-number prefixes off, reminders dropped)."""
    lines = [m.group(1) for line in read_result.splitlines() if (m := _NUMBERED.match(line))]
    return "\n".join(lines) + ("\n" if lines else "")


def code_of(reply_text: str) -> str:
    match = _CODE.search(reply_text)
    return match.group(1) if match else reply_text


def next_step(body: dict[str, Any], *, kind: str, ident: str, reply_text: str, system: str, make_id) -> ToolStep | None:
    """The next tool-use message of an execution turn, or None when the final reply is due."""
    messages = body.get("messages") or []
    if kind != "exec" or not offered(body):
        return None
    start = prompt_message_index(messages)
    if start is None:
        return None
    done = _turn_so_far(messages, start)
    if any(result is None for _, result in done):
        return None  # a tool call without its result: answer in text
    path = f"{working_dir(system).rstrip('/')}/{ident}.py"
    code = code_of(reply_text)
    names = [use.get("name") for use, _ in done]
    if not names:
        return ToolStep(f"I'll look at `{ident}.py` first.", ({"type": "tool_use", "id": make_id(0), "name": "Read", "input": {"file_path": path}},))
    if names == ["Read"]:
        read = done[0][1] or {}
        existing = _file_text(_result_text(read))
        if read.get("is_error") or not existing.strip():
            return ToolStep(f"Writing `{ident}.py`.", ({"type": "tool_use", "id": make_id(1), "name": "Write", "input": {"file_path": path, "content": code}},))
        if existing.rstrip("\n") == code.rstrip("\n"):
            return None
        edit = {"file_path": path, "old_string": existing.rstrip("\n"), "new_string": code.rstrip("\n")}
        return ToolStep(f"Updating `{ident}.py`.", ({"type": "tool_use", "id": make_id(1), "name": "Edit", "input": edit},))
    return None
