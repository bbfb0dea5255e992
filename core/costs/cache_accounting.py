"""Prompt-cache dollars: what cache reads saved, what cache writes cost extra, what a model switch loses.

Every figure is a difference of two pricing.cost() calls on the same total input, so the
long-context tier (chosen by total input) is the same on both sides and the difference is
exactly the cache's doing.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from core.costs import pricing
from core.costs.money import format_usd
from core.costs.usage import TokenUsage


def _difference(model: str, actual: TokenUsage, uncached: TokenUsage) -> Decimal | None:
    paid = pricing.cost(model, actual)
    plain = pricing.cost(model, uncached)
    if paid is None or plain is None:
        return None
    return plain - paid


def cache_savings_usd(model: str, usage: TokenUsage) -> Decimal | None:
    """What the cache reads saved against paying those tokens as plain input; None if unpriced.

    The write premium is not subtracted; it is cache_write_premium_usd().
    """
    if not usage.cache_read_input_tokens:
        return Decimal(0) if pricing.cost(model, usage) is not None else None
    # Everything else as it was (the 1-hour part of the writes included): only the reads change.
    uncached = replace(usage, input_tokens=usage.input_tokens + usage.cache_read_input_tokens, cache_read_input_tokens=0)
    return _difference(model, usage, uncached)


def cache_write_premium_usd(model: str, usage: TokenUsage) -> Decimal | None:
    """What the cache writes cost above plain input (1.25x base on Anthropic's 5-minute cache)."""
    if not usage.cache_creation_input_tokens:
        return Decimal(0) if pricing.cost(model, usage) is not None else None
    unwritten = replace(
        usage,
        input_tokens=usage.input_tokens + usage.cache_creation_input_tokens,
        cache_creation_input_tokens=0,
        cache_creation_1h_input_tokens=0,
    )
    saved = _difference(model, usage, unwritten)
    return None if saved is None else -saved


def net_cache_savings_usd(model: str, usage: TokenUsage) -> Decimal | None:
    """Reads saved minus the write premium: the cache's net effect on this usage."""
    saved = cache_savings_usd(model, usage)
    premium = cache_write_premium_usd(model, usage)
    if saved is None or premium is None:
        return None
    return saved - premium


def cached_prefix_tokens(last_usage: TokenUsage) -> int:
    """Tokens of a pane's prompt that sit in the cache after its last reply (read or written)."""
    return last_usage.cache_read_input_tokens + last_usage.cache_creation_input_tokens


def switch_penalty_usd(cached_prefix_tokens: int, from_model: str, to_model: str) -> Decimal | None:
    """Estimated extra cost of the next message after switching a pane from one model to another.

    The cache belongs to a model: after the switch the cached prefix is written again at
    `to_model`'s cache-write price instead of read at `from_model`'s cache-read price. The
    prefix alone decides the price tier here, so for prompts near a long-context threshold this
    is an estimate. None when either model is unpriced; zero when nothing is cached or the
    model does not change.
    """
    if cached_prefix_tokens <= 0 or from_model == to_model:
        known = pricing.cost(from_model, TokenUsage()) is not None and pricing.cost(to_model, TokenUsage()) is not None
        return Decimal(0) if known else None
    rewrite = pricing.cost(to_model, TokenUsage(cache_creation_input_tokens=cached_prefix_tokens))
    reread = pricing.cost(from_model, TokenUsage(cache_read_input_tokens=cached_prefix_tokens))
    if rewrite is None or reread is None:
        return None
    return rewrite - reread


def switch_penalty_text(cached_prefix_tokens: int, from_model: str, to_model: str) -> str | None:
    """One sentence for the UI before a switch, or None when the switch loses nothing cached."""
    if cached_prefix_tokens <= 0 or from_model == to_model:
        return None
    penalty = switch_penalty_usd(cached_prefix_tokens, from_model, to_model)
    tokens = pricing.format_tokens(cached_prefix_tokens)
    if penalty is None:
        return f"Switching drops the {tokens}-token prompt cache; the cost of rebuilding it is unknown for this model."
    if penalty <= 0:
        # A much cheaper model can write the prefix for less than the old one read it.
        return f"Switching drops the {tokens}-token prompt cache; rebuilding it costs no more than reading it did."
    return (
        f"Switching drops the {tokens}-token prompt cache: the next message costs {penalty_amount_text(penalty)} "
        "more to rebuild it."
    )


def penalty_amount_text(penalty: Decimal) -> str:
    """'about $0.046', or 'under $0.001' where three decimals would print $0.000."""
    amount = format_usd(penalty)
    return f"under {amount[1:]}" if amount.startswith("<") else f"about {amount}"
