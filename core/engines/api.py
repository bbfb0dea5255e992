"""One turn against the Messages API: streamed, cancellable, retried visibly, partial text kept.

The SDK retries nothing here (max_retries=0 on Segue's client): every retry is Segue's, so
the user sees each wait. A mid-stream `overloaded_error` arrives on an HTTP 200 stream, which
the SDK never retries; a dropped connection likewise. When text has already arrived, the
retry continues it: as an assistant prefill on models that take one, else as a finished
assistant turn plus a short user turn asking for the rest (models from 4.6 on refuse prefill).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from core.events import (
    Retrying,
    TextDelta,
    ThinkingDelta,
    TurnDone,
    TurnEvent,
    TurnFailed,
    UsageUpdate,
)
from core import capabilities
from core.capabilities import MIN_THINKING_BUDGET, ModelCaps
from core.costs.usage import TokenUsage
# KEY_HELP, DEMO_KEY_HELP, key_help, ESTIMATE_EVERY_CHARS and with_streamed_output stay importable from here.
from core.engines.errors import CONNECTION_DROPPED, DEMO_KEY_HELP, KEY_HELP, key_help, status_failure  # noqa: F401
from core.engines.estimates import ESTIMATE_EVERY_CHARS, OutputEstimate, with_streamed_output  # noqa: F401

MAX_ATTEMPTS = 4
BACKOFF_BASE = 1.0
BACKOFF_CAP = 20.0


def _sent_demo_key(error: Exception) -> bool:
    """True when the refused request carried the demo key, i.e. it went to the simulator."""
    from core.engines.client import DEMO_API_KEY

    request = getattr(getattr(error, "response", None), "request", None)
    headers = getattr(request, "headers", None) or {}
    # SDK versions send the key as x-api-key or as a bearer authorization header.
    return any(DEMO_API_KEY in (headers.get(name) or "") for name in ("x-api-key", "authorization"))


@dataclass(frozen=True)
class TurnRequest:
    """One turn's request, built from the model's capabilities; `params()` is the one place it becomes JSON.

    `messages` are full content-block messages (the tool loop appends tool_use/tool_result
    turns and thinking blocks unchanged). `thinking_budget`: None = the pane wants no
    thinking; else the budget used on models that only take budget thinking (adaptive models
    decide for themselves, steered by `effort`).
    """

    model: str
    messages: list[dict[str, Any]]
    system: list[dict[str, Any]] = field(default_factory=list)
    max_tokens: int = 16_000
    thinking_budget: int | None = None
    effort: str | None = None
    cache_conversation: bool = True
    caps: ModelCaps | None = None  # None: the current catalog's entry for `model`
    tools: tuple[dict[str, Any], ...] = ()

    @property
    def capabilities(self) -> ModelCaps:
        return self.caps or capabilities.caps_for(self.model)

    @property
    def thinking_estimate(self) -> int:
        """Thinking tokens to allow for in cost projections: the budget where the model takes one;
        on adaptive models a share of it by effort (at low and medium effort the model often
        skips thinking on simple prompts; higher levels think more)."""
        if self.thinking_budget is None:
            return 0
        caps = self.capabilities
        if caps.adaptive:
            effort = caps.nearest_effort(self.effort or "high") or "high"
            return int(self.thinking_budget * ADAPTIVE_THINKING_SHARE[effort])
        return self.thinking_budget if caps.budget_thinking else 0

    def resume_mode(self, partial: str) -> str:
        """How a retry carries on from `partial`: "" (start over), "prefill" or "continue"."""
        if not partial.strip():
            return ""
        return "prefill" if self.capabilities.prefill else "continue"

    def params(self, partial: str = "") -> dict[str, Any]:
        caps = self.capabilities
        messages = list(self.messages)
        thinking_on = self.thinking_budget is not None
        mode = self.resume_mode(partial)
        if mode == "prefill":
            # The API refuses a prefill that ends in white space, and a prefill with thinking.
            messages.append({"role": "assistant", "content": partial.rstrip()})
            thinking_on = False
        elif mode == "continue":
            # Models from 4.6 on refuse a trailing assistant turn: the partial reply goes back
            # as a finished turn and a short user turn asks for the rest.
            messages.append({"role": "assistant", "content": partial.rstrip()})
            messages.append({"role": "user", "content": CONTINUE_PROMPT})
        max_tokens = min(self.max_tokens, caps.max_tokens)
        params: dict[str, Any] = {"model": self.model, "max_tokens": max_tokens, "messages": messages}
        if self.system:
            params["system"] = self.system
        if thinking_on and caps.adaptive:
            params["thinking"] = {"type": "adaptive", "display": "summarized"}
        elif thinking_on and caps.budget_thinking:
            budget = max(MIN_THINKING_BUDGET, self.thinking_budget or 0)
            max_tokens = min(caps.max_tokens, max(max_tokens, budget + 1024))
            budget = min(budget, max_tokens - 1024)
            if budget >= MIN_THINKING_BUDGET:
                params["thinking"] = {"type": "enabled", "budget_tokens": budget}
                params["max_tokens"] = max_tokens
        effort = caps.nearest_effort(self.effort) if self.effort else None
        if effort:
            params["output_config"] = {"effort": effort}
        if self.cache_conversation:
            params["messages"] = with_conversation_breakpoint(messages, params.get("system") or [])
        if self.tools:
            params["tools"] = list(self.tools)
        return params


ADAPTIVE_THINKING_SHARE = {"low": 0.0, "medium": 0.0, "high": 1.0, "xhigh": 2.0, "max": 4.0}

# The user turn that asks a model which refuses prefill to carry on after a broken stream.
CONTINUE_PROMPT = "Your reply was cut off. Continue exactly where you stopped, without repeating anything."
MAX_BREAKPOINTS = 4  # the API allows four cache_control blocks per request


def _breakpoints(blocks: Any) -> int:
    if not isinstance(blocks, list):
        return 0
    return sum(1 for block in blocks if isinstance(block, dict) and "cache_control" in block)


def with_conversation_breakpoint(messages: list[dict[str, Any]], system: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`messages` with cache_control on the last block, so the next turn reads this history from cache.

    The API looks back from a breakpoint for the longest cached prefix, so one moving marker
    on the newest block is enough. Copies what it changes; never a fifth breakpoint.
    """
    if not messages:
        return messages
    used = _breakpoints(system) + sum(_breakpoints(m.get("content")) for m in messages)
    if used >= MAX_BREAKPOINTS:
        return messages
    last = messages[-1]
    content = last.get("content")
    if isinstance(content, str):
        if not content:
            return messages
        blocks: list[Any] = [{"type": "text", "text": content}]
    elif isinstance(content, list) and content:
        blocks = list(content)
    else:
        return messages
    tail = blocks[-1]
    if not isinstance(tail, dict) or tail.get("type") in ("thinking", "redacted_thinking") or "cache_control" in tail:
        return messages
    blocks[-1] = {**tail, "cache_control": {"type": "ephemeral"}}
    return [*messages[:-1], {**last, "content": blocks}]


class _Cancelled:
    pass


_END = object()


async def _next_or_cancel(iterator: Any, cancel: asyncio.Event) -> Any:
    """The next stream event, `_END` at the end, or `_Cancelled` as soon as `cancel` is set."""
    if cancel.is_set():
        return _Cancelled
    next_event = asyncio.ensure_future(anext(iterator, _END))
    cancelled = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait({next_event, cancelled}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        # The turn itself is being cancelled (the app quits): leave no orphaned read behind.
        next_event.cancel()
        cancelled.cancel()
        raise
    if next_event in done:
        cancelled.cancel()
        return next_event.result()
    next_event.cancel()
    try:
        await next_event
    except (asyncio.CancelledError, Exception):
        pass
    return _Cancelled


def _error_type(error: Exception) -> str | None:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            return inner.get("type")
        return body.get("type")
    return None


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def classify(error: Exception) -> tuple[str, bool, str]:
    """(kind, retryable, one clear sentence) for any error a turn can meet."""
    import anthropic

    status = getattr(error, "status_code", None)
    if isinstance(error, anthropic.AuthenticationError) or status == 401:
        return status_failure(401, demo=_sent_demo_key(error))
    if isinstance(error, anthropic.PermissionDeniedError):
        return status_failure(403)
    if isinstance(error, anthropic.RateLimitError) or status == 429:
        return status_failure(429)
    if status == 529 or _error_type(error) == "overloaded_error":
        return status_failure(529)
    if isinstance(error, anthropic.NotFoundError):
        return status_failure(404, _message(error))
    if isinstance(error, anthropic.BadRequestError):
        return status_failure(400, _message(error))
    if isinstance(error, anthropic.APIStatusError):
        if status is not None and status >= 500:
            return status_failure(status)
        if _error_type(error) in ("api_error",):
            return "overloaded", True, "The API reported an error mid-reply"
        return status_failure(status, _message(error))
    transport = _transport_cause(error)
    if transport is not None:
        return transport
    if isinstance(error, anthropic.APIConnectionError) or type(error).__module__.split(".")[0] in (
        "httpx",
        "httpx2",
        "httpcore",
        "httpcore2",
    ):
        return "connection", True, CONNECTION_DROPPED
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return "connection", True, CONNECTION_DROPPED
    return "other", False, f"Unexpected error: {type(error).__name__}: {error}"


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _transport_cause(error: Exception) -> tuple[str, bool, str] | None:
    """Say which when the connection was refused, the base URL is invalid, or the key can't be a header.

    The SDK wraps all three as "Connection error."; the cause chain tells them apart. The
    chain's own messages are never repeated: the key-header one contains the key.
    """
    for cause in _causes(error):
        name = type(cause).__name__
        if isinstance(cause, ConnectionRefusedError):
            return "connection", True, "The connection was refused: nothing answers at the API address (check ANTHROPIC_BASE_URL)"
        if name in ("UnsupportedProtocol", "InvalidURL"):
            return "other", False, "The API base URL is not valid: ANTHROPIC_BASE_URL must be an http:// or https:// address."
        if name == "LocalProtocolError" and "header" in str(cause).lower():
            return "auth", False, (
                "The API key contains a newline or another character a request header can't carry; "
                "set ANTHROPIC_API_KEY again without it."
            )
    return None


def _message(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", "")) or str(error)
    return str(error)


def _resume_note(mode: str) -> str:
    """What the retry does with the partial reply, said on screen with the reason."""
    if mode == "prefill":
        return "; the retry resumes the partial reply"
    if mode == "continue":
        return "; the retry asks the model to continue after the partial reply"
    return ""


def _content_blocks(stream: Any) -> tuple[dict[str, Any], ...]:
    """The finished message's content blocks as plain dicts, exactly as the API sent them."""
    snapshot = getattr(stream, "current_message_snapshot", None)
    blocks = getattr(snapshot, "content", None) or ()
    return tuple(block.model_dump(mode="json", exclude_none=True) for block in blocks)


def backoff(attempt: int) -> float:
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))


async def stream_turn(
    client: Any,
    request: TurnRequest,
    cancel: asyncio.Event | None = None,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    prefill: bool = True,
) -> AsyncIterator[TurnEvent]:
    """Yield the events of one reply; always ends with TurnDone or TurnFailed.

    `prefill=False` (tool loops): a retry starts the reply over instead of continuing it, as
    a tool loop must keep one thinking configuration and pass back whole content blocks.
    """
    cancel = cancel or asyncio.Event()
    text = ""
    thinking = ""
    model = request.model
    earlier = TokenUsage()  # usage of attempts that failed part-way: those tokens were billed too
    stop_reason: str | None = None
    attempt = 0
    while True:
        attempt += 1
        current = TokenUsage()
        finished = False
        estimate = OutputEstimate()  # characters of text and thinking in this attempt
        try:
            async with client.messages.stream(**request.params(partial=text if prefill else "")) as stream:
                iterator = aiter(stream)
                while True:
                    event = await _next_or_cancel(iterator, cancel)
                    if event is _Cancelled:
                        # No message_delta will come: bill what streamed, as the API does.
                        spent = estimate.applied(current)
                        yield TurnDone(model, text, thinking, earlier + spent, "cancelled", cancelled=True)
                        return
                    if event is _END:
                        break
                    kind = getattr(event, "type", None)
                    if kind == "message_stop":
                        finished = True
                    if kind == "message_start":
                        model = event.message.model or model
                        current = current.merged(event.message.usage)
                        yield UsageUpdate(model, earlier + current)
                    elif kind == "content_block_delta":
                        delta = event.delta
                        if delta.type == "text_delta" and delta.text:
                            text += delta.text
                            due = estimate.add(len(delta.text))
                            yield TextDelta(delta.text)
                        elif delta.type == "thinking_delta" and delta.thinking:
                            thinking += delta.thinking
                            due = estimate.add(len(delta.thinking))
                            yield ThinkingDelta(delta.thinking)
                        else:
                            due = False
                        if due:
                            yield UsageUpdate(model, earlier + estimate.applied(current), estimated=True)
                    elif kind == "message_delta":
                        current = current.merged(event.usage)
                        stop_reason = event.delta.stop_reason or stop_reason
                        yield UsageUpdate(model, earlier + current)
                content = _content_blocks(stream) if finished else ()
            if not finished:
                # A stream that ends without message_stop was cut off, whatever the transport said.
                raise ConnectionResetError("the stream ended before message_stop")
            yield TurnDone(model, text, thinking, earlier + current, stop_reason, content=content)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - every error becomes one clear event
            earlier = earlier + estimate.applied(current)
            kind, retryable, sentence = classify(error)
            if not retryable or attempt >= max_attempts:
                if retryable:
                    sentence += f"; gave up after {attempt} attempts"
                kept = " The partial reply is kept." if text else ""
                yield TurnFailed(sentence.rstrip(".") + "." + kept, kind, text, thinking, earlier, model)
                return
            delay = _retry_after(error) if kind == "rate_limit" else None
            delay = backoff(attempt) if delay is None else delay
            if not prefill:
                text = ""  # no prefill: the retry starts the reply over
            if not text:
                thinking = ""  # the retry starts the reply over, thinking included
            # The prefill goes without trailing white space (the API refuses it); the
            # continuation brings its own, so keep the text the same way.
            text = text.rstrip()
            yield Retrying(attempt, delay, sentence + _resume_note(request.resume_mode(text)))
            if cancel.is_set():
                yield TurnDone(model, text, thinking, earlier, "cancelled", cancelled=True)
                return
            try:
                await asyncio.wait_for(cancel.wait(), timeout=delay)
            except TimeoutError:
                pass
            else:
                yield TurnDone(model, text, thinking, earlier, "cancelled", cancelled=True)
                return


class ApiEngine:
    """The Messages API as an engine: a streamed turn, with the pane's tools when it has some.

    `client` and `toolbox` are asked at each turn: the session makes its client lazily and
    the tools can be switched off (toolbox() gives None then). The client is the session's
    to close, so aclose has nothing to do.
    """

    name = "api"

    def __init__(self, client: Callable[[], Any], toolbox: Callable[[], Any]) -> None:
        self._client = client
        self._toolbox = toolbox

    def turn(self, request: TurnRequest, cancel: asyncio.Event) -> AsyncIterator[TurnEvent]:
        toolbox = self._toolbox()
        if toolbox is None:
            return stream_turn(self._client(), request, cancel)
        from core.engines.tool_loop import run_tool_loop

        return run_tool_loop(self._client(), request, cancel, toolbox)

    async def aclose(self) -> None:
        return None
