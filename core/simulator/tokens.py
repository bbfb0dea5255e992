"""The simulator's token arithmetic: one deterministic count used for input, cache and output."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from core.token_estimate import CHARS_PER_TOKEN  # the simulator bills what Segue estimates
MESSAGE_OVERHEAD = 3  # role and turn markers the API also bills for each message


def count(text: str) -> int:
    """Tokens in `text`: one per started group of four characters."""
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Segment:
    """One cacheable unit of a request (a tool, a system block, a message block), in API order."""

    tokens: int
    key: str  # canonical text: two requests share a cached prefix iff their keys match
    breakpoint: bool = False  # the block carries cache_control
    ttl_seconds: int = 300


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _ttl(block: Any) -> tuple[bool, int]:
    control = block.get("cache_control") if isinstance(block, dict) else None
    if not isinstance(control, dict):
        return False, 300
    return True, 3600 if control.get("ttl") == "1h" else 300


def _without_cache_control(block: Any) -> Any:
    if isinstance(block, dict) and "cache_control" in block:
        return {k: v for k, v in block.items() if k != "cache_control"}
    return block


def block_text(block: Any) -> str:
    """The text a content block contributes to the prompt (text, thinking, tool results...)."""
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return _canonical(block)
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "thinking":
        return str(block.get("thinking", ""))
    if kind == "redacted_thinking":
        return str(block.get("data", ""))
    if kind == "tool_result":
        content = block.get("content", "")
        if isinstance(content, list):
            return "".join(block_text(part) for part in content)
        return str(content)
    if kind == "image":
        return "i" * 1500 * CHARS_PER_TOKEN  # a fixed ~1.5k tokens per image, as a mid-sized picture costs
    return _canonical(_without_cache_control(block))


def segments(body: dict[str, Any]) -> list[Segment]:
    """The request split in the order the API caches it: tools, system, then messages."""
    out: list[Segment] = []
    for tool in body.get("tools") or []:
        marked, ttl = _ttl(tool)
        text = _canonical(_without_cache_control(tool))
        out.append(Segment(count(text), "tool:" + text, marked, ttl))
    system = body.get("system")
    if isinstance(system, str) and system:
        out.append(Segment(count(system), "system:" + system))
    elif isinstance(system, list):
        for block in system:
            marked, ttl = _ttl(block)
            text = block_text(block)
            out.append(Segment(count(text), "system:" + _canonical(_without_cache_control(block)), marked, ttl))
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        role = str(message.get("role", ""))
        content = message.get("content", "")
        # A string is one text block to the API (and to its cache): "hi" and [{"type": "text",
        # "text": "hi"}] are the same prefix.
        if isinstance(content, str):
            blocks = [{"type": "text", "text": content}] if content else []
        else:
            blocks = list(content or [])
        if not blocks:
            out.append(Segment(MESSAGE_OVERHEAD, f"{role}:"))
            continue
        for index, block in enumerate(blocks):
            marked, ttl = _ttl(block)
            overhead = MESSAGE_OVERHEAD if index == 0 else 0
            key = f"{role}:{index}:" + _canonical(_without_cache_control(block))
            out.append(Segment(count(block_text(block)) + overhead, key, marked, ttl))
    return out


def input_total(body: dict[str, Any]) -> int:
    """All input tokens of a request (what count_tokens answers); never below one."""
    return max(1, sum(segment.tokens for segment in segments(body)))


def prefix_digests(parts: list[Segment]) -> list[str]:
    """digest[i] identifies the prefix parts[0..i]; equal digests mean an identical prefix."""
    running = hashlib.sha256()
    digests = []
    for part in parts:
        running.update(part.key.encode("utf-8", "surrogatepass"))
        running.update(b"\x00")
        digests.append(running.hexdigest())
    return digests
