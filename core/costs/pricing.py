"""Prices, only through genai-prices' bundled data (no network unless the user asks for an update)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from core.models import ALIASES
from core.costs.usage import TokenUsage

PROVIDER = "anthropic"


@dataclass(frozen=True)
class UnitPrices:
    """Dollars per million tokens."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None
    cache_write: Decimal | None


def cost(model_id: str, usage: TokenUsage) -> Decimal | None:
    """Dollars for `usage` on `model_id`; None when genai-prices does not know the model."""
    from genai_prices import Usage, calc_price

    try:
        price = calc_price(
            Usage(
                # genai-prices' input_tokens is all input, cache reads and writes included.
                input_tokens=usage.total_input,
                cache_read_tokens=usage.cache_read_input_tokens,
                cache_write_tokens=usage.cache_creation_input_tokens,
                # The one-hour part of the write, priced at its own (2x input) rate.
                cache_write_1h_tokens=usage.cache_creation_1h_input_tokens,
                output_tokens=usage.output_tokens,
            ),
            model_ref=model_id,
            provider_id=PROVIDER,
        )
    except LookupError:
        return None
    return Decimal(price.total_price)


def all_opus_cost(usage: TokenUsage, opus_model: str = ALIASES["opus"]) -> Decimal | None:
    """The counterfactual: the same token counts priced at Opus rates."""
    return cost(opus_model, usage)


@lru_cache(maxsize=64)
def unit_prices(model_id: str) -> UnitPrices | None:
    """Base per-MTok prices for pickers; None for an unknown model.

    Priced on a thousand tokens and scaled, so a long-context tier (which a whole million
    tokens would cross) does not leak into the base rate.
    """
    sample = 1000
    scale = Decimal(1_000_000 // sample)

    def per_mtok(usage: TokenUsage) -> Decimal | None:
        value = cost(model_id, usage)
        return None if value is None else value * scale

    base = per_mtok(TokenUsage(input_tokens=sample))
    if base is None:
        return None
    return UnitPrices(
        base,
        per_mtok(TokenUsage(output_tokens=sample)) or Decimal(0),
        per_mtok(TokenUsage(cache_read_input_tokens=sample)),
        per_mtok(TokenUsage(cache_creation_input_tokens=sample)),
    )


def format_tokens(count: int) -> str:
    """1234 -> '1.2k', 2_500_000 -> '2.5M'."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.1f}M"
