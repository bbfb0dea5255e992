"""Sums for display: per pane, per model, per local day, spend over time, the live reply's cost.

Hand arithmetic uses genai-prices' rates per MTok: Opus 5.5 in 4 / out 20 / write 5 / read 0.2,
Sonnet 5.5 in 2 / out 10 / write 2.5 / read 0.1.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from cost_rows import OPUS, SONNET, make_row

from core.costs import cost_view
from core.costs import pricing
from core.costs.cost_view import CostLine
from core.costs.usage import TokenUsage

NOON = datetime(2026, 3, 10, 12, 0).astimezone()  # local noon, so the local day is unambiguous
DAY = NOON.date()

PLAN = TokenUsage(input_tokens=2_000, output_tokens=1_000)  # Opus: 0.008 + 0.02 = 0.028
EXEC_WRITE = TokenUsage(input_tokens=1_000, output_tokens=500, cache_creation_input_tokens=4_000)
# Sonnet 0.002 + 0.005 + 0.01 = 0.017; at Opus rates 0.004 + 0.01 + 0.02 = 0.034
EXEC_READ = TokenUsage(input_tokens=1_000, output_tokens=800, cache_read_input_tokens=4_000)
# Sonnet 0.002 + 0.008 + 0.0004 = 0.0104; at Opus rates 0.004 + 0.016 + 0.0008 = 0.0208
MYSTERY = TokenUsage(input_tokens=100, output_tokens=100)  # unpriced; at Opus rates 0.0024


def utc(local: datetime) -> datetime:
    return local.astimezone(timezone.utc)


@pytest.fixture
def rows():
    return [
        make_row(1, "plan", OPUS, PLAN, utc(NOON)),
        make_row(2, "exec", SONNET, EXEC_WRITE, utc(NOON + timedelta(minutes=10))),
        make_row(3, "exec", SONNET, EXEC_READ, utc(NOON + timedelta(minutes=20))),
        make_row(4, "exec", "mystery-model", MYSTERY, utc(NOON + timedelta(days=1))),
    ]


def test_summarize_sums_known_costs_and_counts_unknown(rows):
    line = cost_view.summarize(rows)
    assert line.messages == 4
    assert line.unknown == 1
    assert line.cost_usd == Decimal("0.0554")
    assert line.all_opus_cost_usd == Decimal("0.0852")
    assert line.usage == PLAN + EXEC_WRITE + EXEC_READ + MYSTERY
    # an unpriced row makes the comparison dishonest, so no savings figure
    assert line.savings_usd is None
    assert cost_view.cost_text(line) == "$0.055 + 1 unpriced"


def test_summarize_by_local_day_gives_savings(rows):
    today = cost_view.summarize(rows, day=DAY)
    assert today.messages == 3
    assert today.cost_usd == Decimal("0.0554")
    assert today.all_opus_cost_usd == Decimal("0.0828")
    assert today.savings_usd == Decimal("0.0274")
    assert today.savings_pct == pytest.approx(0.0274 / 0.0828 * 100)
    assert cost_view.savings_text(today) == "33%"
    assert cost_view.summarize(rows, day=DAY + timedelta(days=1)).unknown == 1


def test_summarize_filters_by_pane_and_model(rows):
    assert cost_view.summarize(rows, pane="plan").cost_usd == Decimal("0.028")
    assert cost_view.summarize(rows, model=SONNET).cost_usd == Decimal("0.0274")
    only_unknown = cost_view.summarize(rows, model="mystery-model")
    assert only_unknown.cost_usd is None
    assert cost_view.cost_text(only_unknown) == "$—"


def test_empty_summary_is_zero():
    line = cost_view.summarize([])
    assert line == CostLine()
    assert line.cost_usd == 0
    assert line.savings_pct is None


def test_by_pane_plan_first(rows):
    panes = cost_view.by_pane(rows)
    assert list(panes) == ["plan", "exec"]
    assert panes["plan"].cost_usd == Decimal("0.028")
    assert panes["exec"].cost_usd == Decimal("0.0274")
    assert panes["exec"].unknown == 1
    assert panes["exec"].messages == 3


def test_by_model_most_expensive_first_unknown_last(rows):
    models = cost_view.by_model(rows)
    assert list(models) == [OPUS, SONNET, "mystery-model"]
    assert models[SONNET].cost_usd == Decimal("0.0274")
    assert models[SONNET].all_opus_cost_usd == Decimal("0.0548")
    assert models["mystery-model"].cost_usd is None


def test_adding_lines_keeps_unknown_semantics():
    known = cost_view.reply_cost(SONNET, EXEC_WRITE, OPUS)
    unknown = cost_view.reply_cost("mystery-model", MYSTERY, OPUS)
    assert unknown.cost_usd is None and unknown.unknown == 1
    assert (CostLine() + unknown).cost_usd is None
    total = known + unknown
    assert total.cost_usd == Decimal("0.017")
    assert total.unknown == 1 and total.messages == 2


def test_spend_series_buckets_time(rows):
    # span 24h20m; with 2 buckets the three same-day rows fall in the first, the unknown in the last
    assert cost_view.spend_series(rows, buckets=2) == pytest.approx([0.0554, 0.0])
    # fewer rows than buckets: one bucket per row at most
    three = rows[:3]
    assert cost_view.spend_series(three, buckets=30) == pytest.approx([0.028, 0.017, 0.0104])
    assert cost_view.spend_series([]) == []


def test_reply_cost_is_exactly_pricing_cost():
    line = cost_view.reply_cost(SONNET, EXEC_READ, OPUS)
    assert line.cost_usd == Decimal("0.0104")
    assert line.all_opus_cost_usd == Decimal("0.0208")
    assert line.savings_usd == Decimal("0.0104")
    assert line.savings_pct == pytest.approx(50.0)


@pytest.mark.parametrize("model", [OPUS, SONNET, "claude-haiku-5-5", "claude-sonnet-4-5"])
@pytest.mark.parametrize(
    "usage",
    [
        TokenUsage(),
        TokenUsage(1, 1),
        TokenUsage(12_345, 6_789, 1_111, 22_222),
        TokenUsage(100_001, 3_000),  # past Haiku's tier
        TokenUsage(150_000, 10_000, 30_000, 30_000),  # past Sonnet 4.5's tier
    ],
)
def test_fast_cost_equals_pricing_cost(model, usage):
    for output in (0, 1, 7, 999, 20_000):
        streamed = TokenUsage(usage.input_tokens, output, usage.cache_creation_input_tokens, usage.cache_read_input_tokens)
        assert cost_view.fast_cost(model, streamed) == pricing.cost(model, streamed)


def test_fast_cost_unknown_model():
    assert cost_view.fast_cost("mystery-model", PLAN) is None
