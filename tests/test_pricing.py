"""Exact dollars from core.costs.pricing, checked against hand arithmetic on genai-prices' per-MTok rates.

Rates (USD per million tokens) in genai-prices 0.2.3's bundled data:
  claude-opus-5-5    input 4    output 20   cache write 5      cache read 0.2   (flat, no tiers)
  claude-sonnet-5-5  input 2    output 10   cache write 2.5    cache read 0.1   (flat)
  claude-haiku-5-5   input 0.1  output 0.5  cache write 0.125  cache read 0.01
                     and when the request's total input exceeds 100,000 tokens, every token
                     (output too) at 5x: 0.5 / 2.5 / 0.625 / 0.05
  claude-sonnet-4-5  input 3    output 15   (over 200,000 input tokens: 6 / 22.5)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.costs import pricing
from core.costs.money import format_usd
from core.costs.usage import TokenUsage

# 10k uncached input, 2k output, 3k written to the cache, 50k read from it.
MIXED = TokenUsage(input_tokens=10_000, output_tokens=2_000, cache_creation_input_tokens=3_000, cache_read_input_tokens=50_000)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # 10k*4 + 2k*20 + 3k*5 + 50k*0.2 = 0.04 + 0.04 + 0.015 + 0.01
        ("claude-opus-5-5", Decimal("0.105")),
        # 10k*2 + 2k*10 + 3k*2.5 + 50k*0.1 = 0.02 + 0.02 + 0.0075 + 0.005
        ("claude-sonnet-5-5", Decimal("0.0525")),
        # 63k total input, under the 100k tier: 0.001 + 0.001 + 0.000375 + 0.0005
        ("claude-haiku-5-5", Decimal("0.002875")),
    ],
)
def test_cost_with_cache_tokens_matches_hand_arithmetic(model, expected):
    assert pricing.cost(model, MIXED) == expected


def test_aliases_resolve_to_the_same_price_as_full_ids():
    assert pricing.cost(pricing.ALIASES["opus"], MIXED) == Decimal("0.105")


def test_dated_snapshot_id_is_priced_like_its_family_member():
    # genai-prices matches claude-opus-5-5-YYYYMMDD to claude-opus-5-5: 1000 * 4 / 1M
    assert pricing.cost("claude-opus-5-5-20260101", TokenUsage(input_tokens=1_000)) == Decimal("0.004")


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # exactly 100,000 input tokens is not over the threshold: 100k*0.1 + 1k*0.5
        (TokenUsage(input_tokens=100_000, output_tokens=1_000), Decimal("0.0105")),
        # one more and every token is at the long-context rate: 100,001*0.5 + 1k*2.5
        (TokenUsage(input_tokens=100_001, output_tokens=1_000), Decimal("0.0525005")),
        # cache reads count towards the threshold: 40k*0.5 + 70k*0.05
        (TokenUsage(input_tokens=40_000, cache_read_input_tokens=70_000), Decimal("0.0235")),
    ],
)
def test_haiku_long_context_tier(usage, expected):
    assert pricing.cost("claude-haiku-5-5", usage) == expected


def test_sonnet_4_5_long_context_tier_over_200k():
    # 250k * 6 + 1k * 22.5 = 1.5 + 0.0225
    assert pricing.cost("claude-sonnet-4-5", TokenUsage(input_tokens=250_000, output_tokens=1_000)) == Decimal("1.5225")
    # under the threshold: 150k * 3 + 1k * 15 = 0.45 + 0.015
    assert pricing.cost("claude-sonnet-4-5", TokenUsage(input_tokens=150_000, output_tokens=1_000)) == Decimal("0.465")


def test_all_opus_prices_the_same_tokens_at_opus_rates():
    assert pricing.all_opus_cost(MIXED, "claude-opus-5-5") == Decimal("0.105")
    assert pricing.all_opus_cost(MIXED) == pricing.cost("claude-opus-5-5", MIXED)


def test_unknown_model_is_none_not_a_crash():
    assert pricing.cost("claude-unheard-of-9", MIXED) is None
    assert pricing.unit_prices("claude-unheard-of-9") is None
    assert pricing.all_opus_cost(MIXED, "not-a-model") is None


def test_unit_prices_of_flat_models():
    assert pricing.unit_prices("claude-opus-5-5") == pricing.UnitPrices(
        Decimal("4"), Decimal("20"), Decimal("0.2"), Decimal("5")
    )
    assert pricing.unit_prices("claude-sonnet-5-5") == pricing.UnitPrices(
        Decimal("2"), Decimal("10"), Decimal("0.1"), Decimal("2.5")
    )


def test_unit_prices_of_tiered_model_are_the_base_rates():
    # a picker shows the base rate, not the long-context tier
    assert pricing.unit_prices("claude-haiku-5-5") == pricing.UnitPrices(
        Decimal("0.1"), Decimal("0.5"), Decimal("0.01"), Decimal("0.125")
    )
    assert pricing.unit_prices("claude-sonnet-4-5").input == Decimal("3")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (None, "$—"),
        (0, "$0.000"),
        (Decimal("0.0004"), "<$0.001"),
        (Decimal("-0.0004"), "-<$0.001"),
        (Decimal("0.0015"), "$0.002"),
        (Decimal("0.9996"), "$1.00"),
        (Decimal("-0.046"), "-$0.046"),
        (Decimal("0.041"), "$0.041"),
        (0.041, "$0.041"),
        (Decimal("0.002875"), "$0.003"),
        (Decimal("0.1"), "$0.100"),
        (Decimal("0.41"), "$0.410"),
        (Decimal("1.84"), "$1.84"),
        (Decimal("150"), "$150.00"),
        (Decimal("1234.5"), "$1,234.50"),
    ],
)
def test_format_usd(amount, text):
    assert format_usd(amount) == text


@pytest.mark.parametrize(("count", "text"), [(0, "0"), (999, "999"), (1_234, "1.2k"), (2_500_000, "2.5M")])
def test_format_tokens(count, text):
    assert pricing.format_tokens(count) == text
