"""Prompt caching in the simulator: the first request writes the prefix, the next one reads it."""

from __future__ import annotations

import anthropic

from core.simulator import Simulator
from core.simulator.cache import PromptCache
from core.simulator.tokens import Segment

RULES = "Follow the house style, keep functions small and test every branch. " * 60  # ~1000 tokens


def create(sim: Simulator, model: str, system, prompt: str = "Implement the cart page"):
    client = anthropic.Anthropic(base_url=sim.base_url, api_key="k", max_retries=0)
    return client.messages.create(
        model=model, max_tokens=200, system=system, messages=[{"role": "user", "content": prompt}]
    ).usage


def cached_system(text: str) -> list[dict]:
    return [
        {"type": "text", "text": "You implement plans."},
        {"type": "text", "text": text, "cache_control": {"type": "ephemeral"}},
    ]


def test_first_request_writes_then_same_prefix_reads(simulator):
    system = cached_system(RULES + RULES)
    first = create(simulator, "claude-sonnet-5-5", system)
    assert first.cache_read_input_tokens == 0
    assert first.cache_creation_input_tokens >= 1024
    assert first.cache_creation.ephemeral_5m_input_tokens == first.cache_creation_input_tokens
    second = create(simulator, "claude-sonnet-5-5", system, prompt="Now add the checkout button")
    assert second.cache_creation_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    # The uncached rest is only what follows the breakpoint: the new user message.
    assert second.input_tokens < 20


def test_cache_is_per_model_and_per_prefix(simulator):
    system = cached_system(RULES + RULES)
    create(simulator, "claude-sonnet-5-5", system)
    assert create(simulator, "claude-opus-5-5", system).cache_creation_input_tokens > 0
    changed = create(simulator, "claude-sonnet-5-5", cached_system(RULES + RULES + "One more rule."))
    assert changed.cache_read_input_tokens == 0 and changed.cache_creation_input_tokens > 0


def test_below_minimum_prefix_is_not_cached(simulator):
    short = cached_system("Be careful. " * 50)
    for _ in range(2):
        usage = create(simulator, "claude-sonnet-5-5", short)
        assert usage.cache_creation_input_tokens == 0 and usage.cache_read_input_tokens == 0
    # About 1.5k tokens: enough for Sonnet (1024), not for Haiku (2048).
    medium = cached_system(RULES + RULES[: len(RULES) // 2])
    assert create(simulator, "claude-sonnet-5-5", medium).cache_creation_input_tokens > 1024
    for _ in range(2):
        assert create(simulator, "claude-haiku-5-5", medium).cache_creation_input_tokens == 0


def test_expired_entries_are_written_again_and_reads_refresh_the_ttl():
    now = [0.0]
    cache = PromptCache(clock=lambda: now[0])
    parts = [Segment(1500, "system:rules", breakpoint=True), Segment(10, "user:hi")]
    assert cache.account("claude-sonnet-5-5", parts).cache_creation_input_tokens == 1500
    now[0] = 299.0
    assert cache.account("claude-sonnet-5-5", parts).cache_read_input_tokens == 1500
    now[0] = 598.0  # within 5 minutes of the read, not of the write
    assert cache.account("claude-sonnet-5-5", parts).cache_read_input_tokens == 1500
    now[0] = 900.0
    usage = cache.account("claude-sonnet-5-5", parts)
    assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens, usage.input_tokens) == (1500, 0, 10)


def test_a_later_breakpoint_reads_the_earlier_one_and_writes_the_rest():
    cache = PromptCache()
    tools = Segment(1200, "tool:search", breakpoint=True)
    cache.account("claude-opus-5-5", [tools, Segment(5, "user:a")])
    usage = cache.account("claude-opus-5-5", [tools, Segment(900, "system:plan", breakpoint=True), Segment(5, "user:b")])
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens, usage.input_tokens) == (1200, 900, 5)
