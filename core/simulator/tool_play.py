"""The simulator acting out the text editor tool loop for execution prompts, and the API's tool-turn rules.

When a request offers `str_replace_based_edit_tool` and the prompt asks to implement
something, the reply is one step of a fixed, deterministic script per user turn: view the
project, create the module, create its tests, edit the module, tick the plan step (when
`complete_step` is offered), then a summary with stop_reason "end_turn". Each step is a
streamed `tool_use` block with stop_reason "tool_use"; the script advances with each
tool_result the client sends back, and stops early when the user rejected an edit.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from core.simulator import faults, replies

EDITOR = "str_replace_based_edit_tool"
COMPLETE_STEP = "complete_step"
_STEP = re.compile(r"\bstep\s+(\d{1,3})\b", re.I)


class ToolTurnError(Exception):
    """A tool turn the API refuses: (message) for a 400 invalid_request_error."""


@dataclass(frozen=True)
class Play:
    text: str
    thinking: str
    tool_uses: tuple[dict[str, Any], ...]


def offered(body: dict[str, Any]) -> set[str]:
    tools = body.get("tools")
    if not isinstance(tools, list):
        return set()
    return {str(tool.get("name")) for tool in tools if isinstance(tool, dict)}


def _blocks(message: Any) -> list[dict[str, Any]]:
    content = message.get("content") if isinstance(message, dict) else None
    return [block for block in content if isinstance(block, dict)] if isinstance(content, list) else []


def _is_tool_results(message: Any) -> bool:
    blocks = _blocks(message)
    return bool(blocks) and all(block.get("type") == "tool_result" for block in blocks)


def prompt_index(messages: list[Any]) -> int:
    """Index of the user message that started this turn (the last one that is not only tool results)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, dict) and message.get("role") == "user" and not _is_tool_results(message):
            return index
    return 0


def check(body: dict[str, Any]) -> None:
    """The API's rules for tool turns: every tool_use answered next, no stray results, thinking kept."""
    messages = body.get("messages") or []
    thinking = isinstance(body.get("thinking"), dict) and body["thinking"].get("type") in ("enabled", "adaptive")
    for index, message in enumerate(messages):
        uses = [b.get("id") for b in _blocks(message) if b.get("type") == "tool_use"]
        following = messages[index + 1] if index + 1 < len(messages) else None
        results = [b.get("tool_use_id") for b in _blocks(following) if b.get("type") == "tool_result"] if following else []
        if message.get("role") == "assistant" and uses and following is not None:
            missing = [u for u in uses if u not in results]
            if missing:
                raise ToolTurnError(
                    f"messages.{index + 1}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                    f"{', '.join(map(str, missing))}. Each `tool_use` block must have a corresponding `tool_result` block in the next message."
                )
        if message.get("role") == "user":
            previous = messages[index - 1] if index else None
            known = {b.get("id") for b in _blocks(previous) if b.get("type") == "tool_use"} if previous else set()
            for position, block in enumerate(_blocks(message)):
                if block.get("type") == "tool_result" and block.get("tool_use_id") not in known:
                    raise ToolTurnError(
                        f"messages.{index}.content.{position}: unexpected `tool_use_id` found in `tool_result` blocks: "
                        f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                    )
    if not thinking or len(messages) < 2 or not _is_tool_results(messages[-1]):
        return
    last_assistant = messages[-2]
    blocks = _blocks(last_assistant)
    first = blocks[0] if blocks else {}
    if first.get("type") not in ("thinking", "redacted_thinking") or (
        first.get("type") == "thinking" and not first.get("signature")
    ):
        raise ToolTurnError(
            f"messages.{len(messages) - 2}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
            f"`{first.get('type', 'text')}`. When `thinking` is enabled, a final `assistant` message must start with a "
            "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you "
            "include thinking blocks from previous turns. To avoid this requirement, disable `thinking`."
        )


def _results(message: Any) -> list[dict[str, Any]]:
    return [b for b in _blocks(message) if b.get("type") == "tool_result"]


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


def _topic_files(prompt: str, system: str, drift: bool) -> tuple[list[tuple[str, str]], str] | None:
    """The files (and closing summary) of the implementation the prompt's topic calls for, written
    to follow the decisions in the system context (CLAUDE.md, the plan), or to break one on
    [[sim:drift]]; None when no topic implementation fits."""
    from core.simulator import implementations, topics

    context = implementations.read_context(system)
    name = implementations.implementation_topic(topics.topic_of(prompt), context, prompt)
    if name is None:
        return None
    _intro, sections, summary = implementations.implement(name, context, drift)
    files = []
    for label, block in sections:
        code = re.sub(r"^```\w*\n", "", block.strip()).removesuffix("```").rstrip("\n") + "\n"
        files.append((label.strip("`"), code))
    return files, "Done: " + " ".join(summary)


def act(body: dict[str, Any], prompt: str, system: str, seed: int, *, drift: bool = False) -> Play | None:
    """This request's step of the script, or None when the simulator should answer in prose."""
    tools = offered(body)
    if EDITOR not in tools:
        return None
    if replies.task_kind(prompt, system) != "exec":
        return None
    messages = body["messages"]
    turn = messages[prompt_index(messages) + 1 :]
    done = sum(1 for message in turn if isinstance(message, dict) and message.get("role") == "assistant")
    topic_files = _topic_files(prompt, system, drift)
    if topic_files is not None:
        files, summary = topic_files
    else:
        files = replies.exec_files(prompt)
        summary = (
            f"Done: `{files[0][0]}` holds the core logic and `{files[1][0]}` pins its behaviour "
            "(unique entries, empty entries refused). Run the tests with `pytest`."
        )
    module_path, module = files[0]
    step = _STEP.search(prompt)
    script: list[tuple[str, str, dict[str, Any]]] = [("I'll look at the project first.", "view", {"command": "view", "path": "."})]
    for index, (path, text) in enumerate(files):
        lead = "Now" if index == 0 else "And"
        what = "its tests" if "test" in path else "the module"
        script.append((f"{lead} {what}, `{path}`.", EDITOR, {"command": "create", "path": path, "file_text": text}))
    first_line = module.split("\n", 1)[0]
    if first_line.startswith('"""') and first_line.endswith('"""') and len(first_line) > 6:
        # A str_replace too, so the demo shows an edit of an existing file.
        script.append(
            (
                "One refinement: say in the module docstring who calls it.",
                EDITOR,
                {
                    "command": "str_replace",
                    "path": module_path,
                    "old_str": first_line,
                    "new_str": first_line.removesuffix('"""').rstrip(".") + '. Callers load it with the service layer."""',
                },
            )
        )
    if COMPLETE_STEP in tools:
        number = int(step.group(1)) if step else 1
        script.append(
            (f"That completes step {number} of the plan.", COMPLETE_STEP, {"step": number, "note": f"{module_path} and its tests"})
        )
    last = turn[-1] if turn else None
    rejected = [r for r in _results(last) if r.get("is_error") and "rejected" in _result_text(r)]
    thinking = f"Step {done + 1}: checking what the last tool result says before the next change to {module_path}."
    if rejected:
        return Play("Understood: I left that change out. Tell me what you would like instead.", thinking, ())
    if done >= len(script):
        return Play(summary, thinking, ())
    text, name, tool_input = script[done]
    if name == "view":
        name = EDITOR
    use = {
        "type": "tool_use",
        "id": "toolu_01" + hashlib.sha256(f"{seed}:{prompt}:{len(messages)}:{done}".encode("utf-8", "surrogatepass")).hexdigest()[:22],
        "name": name,
        "input": tool_input,
    }
    return Play(text, thinking, (use,))


def input_json(use: dict[str, Any]) -> str:
    return json.dumps(use["input"], ensure_ascii=False)


def prompt_text(messages: list[Any]) -> str:
    """The text of the message that started the turn (tool results carry no prompt)."""
    return faults.message_text(messages[prompt_index(messages)]) if messages else ""
