"""Prompt-cache dollars against hand arithmetic (genai-prices' per-MTok rates).

Opus 5.5: input 4, cache write 5, cache read 0.2. Sonnet 5.5: input 2, write 2.5, read 0.1.
Haiku 5.5 over 100k total input: input 0.5, read 0.05.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.costs import cache_accounting as cache
from core.costs.usage import TokenUsage

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"
HAIKU = "claude-haiku-5-5"


def test_cache_read_savings_on_sonnet():
    usage = TokenUsage(input_tokens=1_000, output_tokens=800, cache_read_input_tokens=4_000)
    # 4000 * (2 - 0.1) / 1M
    assert cache.cache_savings_usd(SONNET, usage) == Decimal("0.0076")


def test_cache_read_savings_on_opus():
    usage = TokenUsage(input_tokens=500, output_tokens=100, cache_read_input_tokens=50_000)
    # 50000 * (4 - 0.2) / 1M
    assert cache.cache_savings_usd(OPUS, usage) == Decimal("0.19")


def test_savings_use_the_long_context_tier_the_request_was_billed_at():
    usage = TokenUsage(input_tokens=60_000, cache_read_input_tokens=50_000)  # 110k > 100k
    # 50000 * (0.5 - 0.05) / 1M
    assert cache.cache_savings_usd(HAIKU, usage) == Decimal("0.0225")


def test_write_premium_and_net():
    written = TokenUsage(input_tokens=1_000, output_tokens=500, cache_creation_input_tokens=4_000)
    # 4000 * (2.5 - 2) / 1M
    assert cache.cache_write_premium_usd(SONNET, written) == Decimal("0.002")
    assert cache.cache_savings_usd(SONNET, written) == 0
    both = TokenUsage(input_tokens=1_000, cache_creation_input_tokens=4_000, cache_read_input_tokens=4_000)
    # 0.0076 saved - 0.002 premium
    assert cache.net_cache_savings_usd(SONNET, both) == Decimal("0.0056")


def test_no_cache_means_zero_and_unknown_model_means_none():
    plain = TokenUsage(input_tokens=1_000, output_tokens=10)
    assert cache.cache_savings_usd(SONNET, plain) == 0
    assert cache.cache_write_premium_usd(SONNET, plain) == 0
    assert cache.cache_savings_usd("mystery-model", TokenUsage(cache_read_input_tokens=10)) is None
    assert cache.cache_savings_usd("mystery-model", plain) is None
    assert cache.cache_write_premium_usd("mystery-model", TokenUsage(cache_creation_input_tokens=10)) is None


def test_cached_prefix_is_what_the_last_reply_read_or_wrote():
    assert cache.cached_prefix_tokens(TokenUsage(5, 5, 300, 2_000)) == 2_300


@pytest.mark.parametrize(
    ("from_model", "to_model", "expected"),
    [
        # rewrite 20k at Sonnet's 2.5 instead of reading it at Opus's 0.2: 0.05 - 0.004
        (OPUS, SONNET, Decimal("0.046")),
        # rewrite 20k at Opus's 5 instead of reading it at Sonnet's 0.1: 0.1 - 0.002
        (SONNET, OPUS, Decimal("0.098")),
        (OPUS, OPUS, Decimal("0")),
    ],
)
def test_switch_penalty(from_model, to_model, expected):
    assert cache.switch_penalty_usd(20_000, from_model, to_model) == expected


def test_switch_penalty_edges():
    assert cache.switch_penalty_usd(0, OPUS, SONNET) == 0
    assert cache.switch_penalty_usd(1_000, OPUS, "mystery-model") is None
    assert cache.switch_penalty_text(0, OPUS, SONNET) is None
    assert cache.switch_penalty_text(20_000, OPUS, SONNET) == (
        "Switching drops the 20.0k-token prompt cache: the next message costs about $0.046 more to rebuild it."
    )
    assert "unknown" in cache.switch_penalty_text(20_000, OPUS, "mystery-model")


def test_switch_penalty_text_never_prints_zero_or_negative_dollars():
    # Sonnet -> Haiku 5.5 on 1,707 tokens: written at $0.125/MTok, read at $0.1/MTok: $0.0000427
    assert cache.switch_penalty_text(1_707, SONNET, HAIKU) == (
        "Switching drops the 1.7k-token prompt cache: the next message costs under $0.001 more to rebuild it."
    )
    # Opus -> Haiku: written at $0.125/MTok, read at Opus's $0.2/MTok: cheaper than before
    assert cache.switch_penalty_usd(20_000, OPUS, HAIKU) < 0
    assert cache.switch_penalty_text(20_000, OPUS, HAIKU) == (
        "Switching drops the 20.0k-token prompt cache; rebuilding it costs no more than reading it did."
    )


async def test_cache_write_then_read_across_two_turns_on_the_simulator(simulator):
    """The usage the simulator reports for a cached system prompt, priced and accounted."""
    from core.engines.client import Endpoint, make_client

    system = [{"type": "text", "text": "Follow the plan exactly. " * 400, "cache_control": {"type": "ephemeral"}}]
    client = make_client(Endpoint(simulator.base_url, "sk-ant-test", demo=True), max_retries=0)
    try:
        replies = []
        for prompt in ("Implement step one [[sim:tokens=40]]", "Implement step two [[sim:tokens=40]]"):
            message = await client.messages.create(
                model=SONNET, max_tokens=200, system=system, messages=[{"role": "user", "content": prompt}]
            )
            replies.append(TokenUsage().merged(message.usage))
    finally:
        await client.close()
    first, second = replies
    written = first.cache_creation_input_tokens
    assert written >= 1_024 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == written and second.cache_creation_input_tokens == 0
    # Sonnet 5.5: the first turn paid 2.5 - 2 = $0.5/MTok extra on the write...
    assert cache.cache_write_premium_usd(SONNET, first) == Decimal(written) * Decimal("0.5") / 1_000_000
    # ...the second saved 2 - 0.1 = $1.9/MTok on the read
    assert cache.cache_savings_usd(SONNET, second) == Decimal(written) * Decimal("1.9") / 1_000_000
    # switching this pane to Opus now would rewrite the prefix at $5 instead of reading it at $0.1
    prefix = cache.cached_prefix_tokens(second)
    assert cache.switch_penalty_usd(prefix, SONNET, OPUS) == Decimal(prefix) * Decimal("4.9") / 1_000_000


def test_one_hour_writes_change_the_write_premium_not_the_read_savings():
    # Reads save the same whatever TTL the writes had; a 1-hour write costs 2x input, a 5-minute one 1.25x.
    model = "claude-opus-5-5"
    five_minute = TokenUsage(input_tokens=1_000, output_tokens=200, cache_creation_input_tokens=10_000, cache_read_input_tokens=50_000)
    one_hour = TokenUsage(
        input_tokens=1_000, output_tokens=200, cache_creation_input_tokens=10_000,
        cache_read_input_tokens=50_000, cache_creation_1h_input_tokens=10_000,
    )
    assert cache.cache_savings_usd(model, one_hour) == cache.cache_savings_usd(model, five_minute)
    # Opus 5.5: $4/MTok input, so 10k written cost $0.01 (5 min, +25 %) or $0.04 (1 h, +100 %) above plain input.
    assert cache.cache_write_premium_usd(model, five_minute) == Decimal("0.01")
    assert cache.cache_write_premium_usd(model, one_hour) == Decimal("0.04")
