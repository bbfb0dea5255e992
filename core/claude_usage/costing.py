"""Exact dollar costs for many usage records through core.costs.pricing.cost, without calling it per record.

genai-prices takes about 100 µs a call, far too slow for a hundred thousand transcript lines.
Within a model's first price tier the cost is linear in the four token counts, so per-token
prices found by probing core.costs.pricing.cost give exactly the same Decimal sums. Where a tier
starts (e.g. long-context input over 200k tokens) is found by probing too; records beyond it
are priced one by one through core.costs.pricing.cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from core.costs import pricing
from core.costs.usage import TokenUsage

_PROBE = 1000
# Totals of input tokens (uncached + cache writes + cache reads) where linearity is checked.
_LADDER = (1_000, 10_000, 50_000, 100_000, 150_000, 199_000, 200_000, 250_000, 500_000, 1_000_000, 5_000_000, 50_000_000)


@dataclass(frozen=True)
class LinearPrices:
    """Dollars per token, valid for requests whose total input is at most `limit` (None: any)."""

    input: Decimal
    output: Decimal
    cache_write: Decimal
    cache_read: Decimal
    limit: int | None
    cache_write_1h: Decimal = Decimal(0)  # per token of the write's one-hour part

    def covers(self, total_input: int) -> bool:
        return self.limit is None or total_input <= self.limit

    def cost(self, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int, cache_write_1h: int = 0) -> Decimal:
        """`cache_write` is the whole write; its `cache_write_1h` part is priced at the one-hour rate."""
        return (
            self.input * input_tokens
            + self.output * output_tokens
            + self.cache_write * (cache_write - cache_write_1h)
            + self.cache_write_1h * cache_write_1h
            + self.cache_read * cache_read
        )


def _probe_usage(total_input: int) -> TokenUsage:
    quarter = total_input // 4
    return TokenUsage(
        input_tokens=quarter,
        output_tokens=_PROBE,
        cache_creation_input_tokens=quarter,
        cache_read_input_tokens=total_input - 2 * quarter,
    )


@lru_cache(maxsize=256)
def linear_prices(model_id: str) -> LinearPrices | None:
    """Per-token prices in the model's first tier; None when genai-prices does not know the model."""
    base = pricing.cost(model_id, TokenUsage(input_tokens=_PROBE))
    if base is None:
        return None
    output = pricing.cost(model_id, TokenUsage(output_tokens=_PROBE)) or Decimal(0)
    write = pricing.cost(model_id, TokenUsage(cache_creation_input_tokens=_PROBE))
    read = pricing.cost(model_id, TokenUsage(cache_read_input_tokens=_PROBE))
    write_1h = pricing.cost(model_id, TokenUsage(cache_creation_input_tokens=_PROBE, cache_creation_1h_input_tokens=_PROBE))
    prices = LinearPrices(
        base / _PROBE,
        output / _PROBE,
        (base if write is None else write) / _PROBE,
        (base if read is None else read) / _PROBE,
        None,
        (base if write_1h is None else write_1h) / _PROBE,
    )

    def linear_at(total_input: int) -> bool:
        usage = _probe_usage(total_input)
        exact = pricing.cost(model_id, usage)
        return exact == prices.cost(
            usage.input_tokens, usage.output_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens
        )

    good = 0
    for point in _LADDER:
        if linear_at(point):
            good = point
            continue
        # Tiers start at a threshold: find the largest total input still priced linearly.
        bad = point
        while bad - good > 1:
            middle = (good + bad) // 2
            if linear_at(middle):
                good = middle
            else:
                bad = middle
        return LinearPrices(prices.input, prices.output, prices.cache_write, prices.cache_read, good, prices.cache_write_1h)
    return prices


@lru_cache(maxsize=65536)
def exact_cost(
    model_id: str, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int, cache_write_1h: int = 0
) -> Decimal | None:
    """One record beyond the linear tier, straight through core.costs.pricing.cost."""
    return pricing.cost(model_id, TokenUsage(input_tokens, output_tokens, cache_write, cache_read, cache_write_1h))


def record_cost(
    model_id: str, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int, cache_write_1h: int = 0
) -> Decimal | None:
    """The cost of one request; equal to core.costs.pricing.cost for the same numbers."""
    prices = linear_prices(model_id)
    if prices is None:
        return None
    if prices.covers(input_tokens + cache_write + cache_read):
        return prices.cost(input_tokens, output_tokens, cache_write, cache_read, cache_write_1h)
    return exact_cost(model_id, input_tokens, output_tokens, cache_write, cache_read, cache_write_1h)
