"""The simulator's strictness: per model, it refuses what the real Messages API refuses, in its words.

Driven by the bundled capabilities table (core/capabilities.py), the same rows the simulator
serves at GET /v1/models, so a request Segue would get refused in production fails in tests.
"""

from __future__ import annotations

from typing import Any

from core.capabilities import BUNDLED, EFFORT_LEVELS, MIN_THINKING_BUDGET, ModelCaps

TABLE: dict[str, ModelCaps] = {caps.id: caps for caps in BUNDLED}

PREFILL_REFUSED = (
    "This model does not support assistant message prefill. The conversation must end with a user message."
)
ADAPTIVE_HINT = 'Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.'
THINKING_BLOCKS_REQUIRED = (
    "messages.{index}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{found}`. "
    "When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceding "
    "the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks "
    "from previous turns. To avoid this requirement, disable `thinking`."
)
SAMPLING_DEFAULTS = {"temperature": 1.0}  # top_p and top_k have no neutral value: any is refused


class Refusal(Exception):
    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def _bad(message: str) -> Refusal:
    return Refusal(400, "invalid_request_error", message)


def model_caps(model: str) -> ModelCaps:
    caps = TABLE.get(model)
    if caps is None:
        raise Refusal(404, "not_found_error", f"model: {model}")
    return caps


def check(body: dict[str, Any], *, last_role: str, needs_max_tokens: bool = True, signer: Any = None) -> None:
    """Raise Refusal for the first rule `body` breaks. `signer(thinking) -> signature` checks signatures."""
    model = body["model"]
    caps = model_caps(model)
    max_tokens = body.get("max_tokens")
    if needs_max_tokens and isinstance(max_tokens, int) and max_tokens > caps.max_tokens:
        raise _bad(
            f"max_tokens: {max_tokens} > {caps.max_tokens}, which is the maximum allowed number of output "
            f"tokens for {model}"
        )
    thinking_on = _check_thinking(body, caps, max_tokens if needs_max_tokens else None)
    _check_effort(body, caps)
    if last_role == "assistant" and not caps.prefill:
        raise _bad(PREFILL_REFUSED)
    if not caps.sampling:
        for name in ("temperature", "top_p", "top_k"):
            if name in body and body[name] is not None and body[name] != SAMPLING_DEFAULTS.get(name):
                raise _bad(f"`{name}` is deprecated for this model.")
    if thinking_on:
        _check_thinking_blocks(body, signer)


def _check_thinking(body: dict[str, Any], caps: ModelCaps, max_tokens: Any) -> bool:
    thinking = body.get("thinking")
    if thinking is None:
        return False
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind not in ("adaptive", "enabled", "disabled"):
        raise _bad("thinking: Input tag does not match any of the expected tags: 'adaptive', 'disabled', 'enabled'")
    if kind not in caps.thinking_types:
        hint = ADAPTIVE_HINT if caps.adaptive else 'Use "thinking.type.enabled" with "budget_tokens".'
        raise _bad(f'"thinking.type.{kind}" is not supported for this model. {hint}')
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise _bad("thinking.enabled.budget_tokens: Field required")
        if budget < MIN_THINKING_BUDGET:
            raise _bad(f"thinking.enabled.budget_tokens: Input should be greater than or equal to {MIN_THINKING_BUDGET}")
        if isinstance(max_tokens, int) and budget >= max_tokens:
            raise _bad("`max_tokens` must be greater than `thinking.budget_tokens`.")
    if kind == "adaptive" and thinking.get("display") not in (None, "summarized", "omitted"):
        raise _bad("thinking.adaptive.display: Input should be 'summarized' or 'omitted'")
    return kind != "disabled"


def _check_effort(body: dict[str, Any], caps: ModelCaps) -> None:
    config = body.get("output_config")
    if config is None:
        return
    if not isinstance(config, dict):
        raise _bad("output_config: Input should be an object")
    effort = config.get("effort")
    if effort is None:
        return
    if effort not in EFFORT_LEVELS:
        raise _bad("output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'")
    if not caps.efforts:
        raise _bad("This model does not support the effort parameter.")
    if effort not in caps.efforts:
        raise _bad(
            f"output_config.effort: '{effort}' is not supported by {caps.id}; it supports {', '.join(caps.efforts)}."
        )


def _blocks(message: Any) -> list[Any]:
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, list) else []


def _check_thinking_blocks(body: dict[str, Any], signer: Any) -> None:
    """With thinking on, the assistant turn before tool results keeps its thinking, signatures intact."""
    messages = body.get("messages") or []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        for position, block in enumerate(_blocks(message)):
            if isinstance(block, dict) and block.get("type") == "thinking" and signer is not None:
                if block.get("signature") != signer(str(block.get("thinking", ""))):
                    raise _bad(f"messages.{index}.content.{position}: Invalid `signature` in `thinking` block")
    if not messages or not any(
        isinstance(block, dict) and block.get("type") == "tool_result" for block in _blocks(messages[-1])
    ):
        return
    for index in range(len(messages) - 2, -1, -1):
        message = messages[index]
        if isinstance(message, dict) and message.get("role") == "assistant":
            blocks = _blocks(message)
            first = blocks[0] if blocks else {"type": "text"}
            found = first.get("type") if isinstance(first, dict) else "text"
            if found not in ("thinking", "redacted_thinking"):
                raise _bad(THINKING_BLOCKS_REQUIRED.format(index=index, found=found))
            return
