"""One Messages-API request answered: validation, the reply with its usage, and its SSE events."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.models import family_of
from core.simulator import claude_code_tools, contract, faults, replies, tool_play
from core.simulator.cache import InputUsage, PromptCache
from core.simulator.tokens import CHARS_PER_TOKEN, count, segments

FAULT_FRACTION = 0.4  # mid-stream faults strike after this share of the reply text


class RequestError(Exception):
    """A request the API would refuse: HTTP status, error type and message."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message


MID_CONVERSATION_SYSTEM_BETA = "mid-conversation-system-"  # Claude Code's beta: role "system" messages


def validate(
    body: Any, *, needs_max_tokens: bool = True, system_messages: bool = False, seed: int | None = None
) -> dict[str, Any]:
    """The body if the API would accept it, else RequestError with the API's error type.

    `system_messages`: the request named the mid-conversation-system beta (Claude Code does),
    under which the API also takes messages with role "system".
    """
    if not isinstance(body, dict):
        raise RequestError(400, "invalid_request_error", "The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError(400, "invalid_request_error", "model: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(400, "invalid_request_error", "messages: at least one message is required")
    roles = ("user", "assistant", "system") if system_messages else ("user", "assistant")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in roles:
            raise RequestError(400, "invalid_request_error", f"messages.{index}.role: Input should be 'user' or 'assistant'")
        if not isinstance(message.get("content"), (str, list)):
            raise RequestError(400, "invalid_request_error", f"messages.{index}.content: Field required")
    if needs_max_tokens:
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise RequestError(400, "invalid_request_error", "max_tokens: Field required (a positive integer)")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise RequestError(400, "invalid_request_error", "system: Input should be a string or a list of text blocks")
    signer = None if seed is None else (lambda thinking: sign(seed, thinking))
    try:
        contract.check(body, last_role=last_turn(messages).get("role", ""), needs_max_tokens=needs_max_tokens, signer=signer)
    except contract.Refusal as refusal:
        raise RequestError(refusal.status, refusal.kind, refusal.message) from None
    try:
        tool_play.check(body)
    except tool_play.ToolTurnError as error:
        raise RequestError(400, "invalid_request_error", str(error)) from None
    return body


def sign(seed: int, thinking: str) -> str:
    """The signature the simulator gives a thinking block; a block sent back must carry it unchanged."""
    return base64.b64encode(b"".join(hashlib.sha256(f"{seed}:{i}:{thinking}".encode()).digest() for i in range(3))).decode()


def last_turn(messages: list[Any]) -> dict[str, Any]:
    """The last user or assistant message: role "system" notes between turns are not a turn."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") != "system":
            return message
    return messages[-1]


def thinking_budget(body: dict[str, Any]) -> int | None:
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "adaptive"):
        return None
    budget = thinking.get("budget_tokens")
    return budget if isinstance(budget, int) and not isinstance(budget, bool) else 0


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system")
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "\n\n".join(str(block.get("text", "")) for block in system if isinstance(block, dict))
    return ""


def stable_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int.from_bytes(digest[:18], "big")
    chars = []
    for _ in range(22):
        number, rest = divmod(number, len(alphabet))
        chars.append(alphabet[rest])
    return f"{prefix}_01{''.join(chars)}"


@dataclass(frozen=True)
class Outcome:
    """Everything the response says, decided before the first byte is sent."""

    message_id: str
    model: str
    thinking: str | None  # None: no thinking block
    signature: str
    text: str  # what this response streams (only the continuation after a prefill)
    stop_reason: str
    stop_sequence: str | None
    usage: InputUsage
    markers: faults.Markers
    prefilled: bool
    tool_uses: tuple[dict[str, Any], ...] = ()  # Claude Code's tools acted out (claude_code_tools)

    @property
    def output_tokens(self) -> int:
        return count(self.thinking or "") + count(self.text) + sum(count(json.dumps(t["input"])) for t in self.tool_uses)

    def usage_json(self, output_tokens: int | None = None) -> dict[str, Any]:
        usage = self.usage
        return {
            "input_tokens": usage.input_tokens,
            "cache_creation_input_tokens": usage.cache_creation_input_tokens,
            "cache_read_input_tokens": usage.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": usage.cache_creation_input_tokens - usage.ephemeral_1h_input_tokens,
                "ephemeral_1h_input_tokens": usage.ephemeral_1h_input_tokens,
            },
            "output_tokens": self.output_tokens if output_tokens is None else output_tokens,
            "service_tier": "standard",
        }

    def content_json(self) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        if self.thinking is not None:
            blocks.append({"type": "thinking", "thinking": self.thinking, "signature": self.signature})
        blocks.append({"type": "text", "text": self.text})
        blocks += [dict(tool) for tool in self.tool_uses]
        return blocks

    def message_json(self) -> dict[str, Any]:
        return {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": self.content_json(),
            "stop_reason": self.stop_reason,
            "stop_sequence": self.stop_sequence,
            "usage": self.usage_json(),
        }


def _continuation(full: str, prefill: str) -> str:
    """What follows an assistant prefill: the rest of the reply, or its tail if the prefill strayed."""
    stem = prefill.rstrip()
    if not stem:
        return full
    if full.startswith(stem):
        return full[len(stem) :]
    if len(stem) >= len(full):
        return "\n\nThat covers everything above."
    # Resume at the next word of the reply after as many characters as the prefill holds.
    match = re.search(r"\s", full[len(stem) :])
    start = len(stem) + (match.start() if match else 0)
    return full[start:] or "\n\nThat covers everything above."


def continued_partial(messages: list[Any]) -> str | None:
    """The partial reply a "continue where you stopped" turn refers to, or None for any other request."""
    from core.engines.api import CONTINUE_PROMPT

    if len(messages) < 3 or faults.message_text(messages[-1]).strip() != CONTINUE_PROMPT:
        return None
    before = messages[-2]
    if not isinstance(before, dict) or before.get("role") != "assistant":
        return None
    return faults.message_text(before)


def decide(body: dict[str, Any], *, seed: int, cache: PromptCache, serial: int) -> Outcome:
    """The reply, usage and stop reason for a validated request (cache state is updated)."""
    model = body["model"]
    messages = body["messages"]
    partial = continued_partial(messages)
    # Inside Claude Code's tool loop the last user message holds tool results: the prompt is earlier.
    # A "continue where you stopped" turn answers the prompt before it, from where the partial ended.
    turn_start = claude_code_tools.prompt_message_index(messages) if claude_code_tools.offered(body) else None
    if turn_start is not None:
        prompt_raw = faults.message_text(messages[turn_start])
    else:
        prompt_raw = faults.last_user_text(messages[:-2] if partial is not None else messages)
    markers = faults.parse(prompt_raw)
    system = system_text(body)
    reply = replies.compose(
        faults.strip(prompt_raw), system, family_of(model), seed, tokens=markers.tokens, drift=markers.drift
    )
    last = last_turn(messages)
    prefilled = last.get("role") == "assistant"
    if prefilled:
        text = _continuation(reply.text, faults.message_text(last))
    elif partial is not None:
        text = _continuation(reply.text, partial)
    else:
        text = reply.text
    budget = thinking_budget(body)
    thinking = None
    if budget is not None and not prefilled:
        thinking = reply.thinking
        if budget > 0 and count(thinking) > budget:
            thinking = thinking[: budget * CHARS_PER_TOKEN]
        setting = body.get("thinking") or {}
        if setting.get("type") == "adaptive" and setting.get("display") != "summarized":
            thinking = ""  # adaptive thinking without display "summarized": the block has only a signature
    max_tokens = int(body.get("max_tokens") or 1 << 30)
    stop_reason, stop_sequence = "end_turn", None
    cut = len(text)
    for sequence in body.get("stop_sequences") or []:
        if isinstance(sequence, str) and sequence and 0 <= (found := text.find(sequence)) < cut:
            cut, stop_reason, stop_sequence = found, "stop_sequence", sequence
    room = max_tokens - count(thinking or "")
    if room < 0:
        thinking = (thinking or "")[: max_tokens * CHARS_PER_TOKEN]
        room = 0
    if count(text[:cut]) > room:
        cut, stop_reason, stop_sequence = room * CHARS_PER_TOKEN, "max_tokens", None
    text = text[:cut]
    step = claude_code_tools.next_step(
        body, kind=reply.kind, ident=replies.ident_for(faults.strip(prompt_raw)), reply_text=text, system=system,
        make_id=lambda n: stable_id("toolu", seed, serial, n),
    )
    tool_uses: tuple[dict[str, Any], ...] = ()
    if step is not None and not prefilled:
        text, tool_uses, stop_reason, stop_sequence = step.text, step.tool_uses, "tool_use", None
    elif not prefilled and (play := tool_play.act(body, faults.strip(prompt_raw), system, seed, drift=markers.drift)) is not None:
        # The API's own text editor tool (Segue's execution pane): core.simulator.tool_play.
        text, tool_uses = play.text, play.tool_uses
        thinking = play.thinking if budget is not None else None
        stop_reason, stop_sequence = ("tool_use" if tool_uses else "end_turn"), None
    usage = cache.account(model, segments(body))
    signature = sign(seed, thinking or "")
    return Outcome(
        message_id=stable_id("msg", seed, serial, model),
        model=model,
        thinking=thinking,
        signature=signature,
        text=text,
        stop_reason=stop_reason,
        stop_sequence=stop_sequence,
        usage=usage,
        markers=markers,
        prefilled=prefilled,
        tool_uses=tool_uses,
    )


# -- streaming ----------------------------------------------------------------------------------

FAULT = object()  # yielded once where a mid-stream fault should strike


@dataclass(frozen=True)
class Event:
    name: str
    data: dict[str, Any]
    tokens: float = 0.0  # output tokens this event carries, for pacing

    def encode(self) -> bytes:
        data = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"event: {self.name}\ndata: {data}\n\n".encode()


def chunks(text: str, rng: random.Random, *, max_words: int = 4) -> Iterator[str]:
    """`text` in pieces of 1..max_words words, whitespace kept, so the pieces join back exactly."""
    words = re.findall(r"\s*\S+|\s+$", text)  # each word with the white space before it
    index = 0
    while index < len(words):
        step = rng.randint(1, max_words)
        yield "".join(words[index : index + step])
        index += step


def _block_start(index: int, block: dict[str, Any]) -> Event:
    return Event("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})


def _block_delta(index: int, delta: dict[str, Any], tokens: float = 0.0) -> Event:
    return Event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}, tokens)


def events(
    outcome: Outcome, rng: random.Random, *, fault_at: int | None = None, max_words: int = 4
) -> Iterator[Event | object]:
    """The SSE events of `outcome` in the real API's order; FAULT once `fault_at` text chars went out."""
    message = outcome.message_json()
    message.update(content=[], stop_reason=None, stop_sequence=None, usage=outcome.usage_json(output_tokens=1))
    yield Event("message_start", {"type": "message_start", "message": message})
    index = 0
    if outcome.thinking is not None:
        yield _block_start(0, {"type": "thinking", "thinking": "", "signature": ""})
        yield Event("ping", {"type": "ping"})
        for piece in chunks(outcome.thinking, rng, max_words=max_words):
            yield _block_delta(0, {"type": "thinking_delta", "thinking": piece}, len(piece) / CHARS_PER_TOKEN)
        yield _block_delta(0, {"type": "signature_delta", "signature": outcome.signature})
        yield Event("content_block_stop", {"type": "content_block_stop", "index": 0})
        index = 1
    yield _block_start(index, {"type": "text", "text": ""})
    if index == 0:
        yield Event("ping", {"type": "ping"})
    sent = 0
    for piece in chunks(outcome.text, rng, max_words=max_words):
        yield _block_delta(index, {"type": "text_delta", "text": piece}, len(piece) / CHARS_PER_TOKEN)
        sent += len(piece)
        if fault_at is not None and sent >= fault_at:
            yield FAULT
            fault_at = None
    yield Event("content_block_stop", {"type": "content_block_stop", "index": index})
    for tool in outcome.tool_uses:
        index += 1
        partial = json.dumps(tool["input"], ensure_ascii=False)
        yield _block_start(index, {**tool, "input": {}})
        yield _block_delta(index, {"type": "input_json_delta", "partial_json": partial}, len(partial) / CHARS_PER_TOKEN)
        yield Event("content_block_stop", {"type": "content_block_stop", "index": index})
    usage = outcome.usage_json()
    del usage["cache_creation"], usage["service_tier"]  # message_delta carries the counts only
    delta = {"stop_reason": outcome.stop_reason, "stop_sequence": outcome.stop_sequence}
    yield Event("message_delta", {"type": "message_delta", "delta": delta, "usage": usage})
    yield Event("message_stop", {"type": "message_stop"})
