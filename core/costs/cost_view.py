"""Costs for display: sums of stored usage rows by pane, model and day, and the live reply's cost.

Totals are derived from usage rows (STYLE.md 5), never counted up in widgets. A row is any
object with `pane`, `model`, `usage` (TokenUsage), `cost_usd`, `all_opus_cost_usd` (Decimal
or None) and `created_at` (an aware datetime), such as core.store.database's UsageRow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from core.costs import pricing
from core.costs.money import format_usd
from core.costs.usage import TokenUsage

_ZERO = Decimal(0)


class UsageRowLike(Protocol):
    pane: str
    model: str
    usage: TokenUsage
    cost_usd: Decimal | None
    all_opus_cost_usd: Decimal | None
    created_at: Any


@dataclass(frozen=True)
class CostLine:
    """Tokens and dollars for one reply or a sum of replies.

    `cost_usd` sums the rows whose price is known; `unknown` counts the rows whose model
    genai-prices does not know (their tokens are still in `usage`). `cost_usd` is None only
    when every row is unknown. `all_opus_cost_usd` is the same tokens priced at Opus rates.
    """

    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: Decimal | None = _ZERO
    all_opus_cost_usd: Decimal | None = _ZERO
    unknown: int = 0
    messages: int = 0

    @property
    def savings_usd(self) -> Decimal | None:
        """All-Opus minus actual; None when either side is unknown (a partial sum would lie)."""
        if self.unknown or self.cost_usd is None or self.all_opus_cost_usd is None:
            return None
        return self.all_opus_cost_usd - self.cost_usd

    @property
    def savings_pct(self) -> float | None:
        """Savings as a percentage of the all-Opus cost (56.0 means 56 %)."""
        saved = self.savings_usd
        if saved is None or not self.all_opus_cost_usd:
            return None
        return float(saved / self.all_opus_cost_usd * 100)

    def __add__(self, other: CostLine) -> CostLine:
        messages = self.messages + other.messages
        unknown = self.unknown + other.unknown
        known = (self.cost_usd or _ZERO) + (other.cost_usd or _ZERO)
        opus = self.all_opus_cost_usd
        opus = None if opus is None or other.all_opus_cost_usd is None else opus + other.all_opus_cost_usd
        return CostLine(
            usage=self.usage + other.usage,
            cost_usd=None if messages and unknown == messages else known,
            all_opus_cost_usd=opus,
            unknown=unknown,
            messages=messages,
        )


EMPTY = CostLine()


def row_line(row: UsageRowLike) -> CostLine:
    """One stored row as a CostLine."""
    return CostLine(
        usage=row.usage,
        cost_usd=row.cost_usd,
        all_opus_cost_usd=row.all_opus_cost_usd,
        unknown=1 if row.cost_usd is None else 0,
        messages=1,
    )


def _local_day(row: UsageRowLike) -> date:
    return row.created_at.astimezone().date()


def summarize(
    rows: Iterable[UsageRowLike],
    *,
    pane: str | None = None,
    model: str | None = None,
    day: date | None = None,
) -> CostLine:
    """The sum of `rows`, optionally only one pane, one model, or one local calendar day."""
    usage = TokenUsage()
    known = _ZERO
    opus: Decimal | None = _ZERO
    unknown = 0
    messages = 0
    for row in rows:
        if pane is not None and row.pane != pane:
            continue
        if model is not None and row.model != model:
            continue
        if day is not None and _local_day(row) != day:
            continue
        messages += 1
        usage = usage + row.usage
        if row.cost_usd is None:
            unknown += 1
        else:
            known += row.cost_usd
        if opus is not None:
            opus = None if row.all_opus_cost_usd is None else opus + row.all_opus_cost_usd
    cost = None if messages and unknown == messages else known
    return CostLine(usage, cost, opus, unknown, messages)


def _group(rows: Iterable[UsageRowLike], key: str) -> dict[str, CostLine]:
    groups: dict[str, CostLine] = {}
    for row in rows:
        name = getattr(row, key)
        groups[name] = groups.get(name, EMPTY) + row_line(row)
    return groups


PANE_ORDER = ("plan", "exec")


def by_pane(rows: Iterable[UsageRowLike]) -> dict[str, CostLine]:
    """Per-pane sums, planning pane first."""
    groups = _group(rows, "pane")
    order = {name: index for index, name in enumerate(PANE_ORDER)}
    return dict(sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def by_model(rows: Iterable[UsageRowLike]) -> dict[str, CostLine]:
    """Per-model sums, the most expensive first (unknown prices last)."""
    groups = _group(rows, "model")
    return dict(sorted(groups.items(), key=lambda item: (-(item[1].cost_usd or _ZERO), item[0])))


def spend_series(rows: Iterable[UsageRowLike], buckets: int = 30) -> list[float]:
    """Dollars spent per equal slice of time from the first row to the last, for a sparkline.

    Fewer slices than `buckets` when there are fewer rows, so three messages make three bars
    rather than three spikes among zeros. Empty for no rows.
    """
    timed = sorted(rows, key=lambda row: row.created_at)
    if not timed or buckets < 1:
        return []
    count = min(buckets, len(timed))
    series = [0.0] * count
    start = timed[0].created_at
    span = (timed[-1].created_at - start).total_seconds()
    for row in timed:
        offset = (row.created_at - start).total_seconds()
        index = 0 if span <= 0 else min(count - 1, int(offset / span * count))
        series[index] += float(row.cost_usd or 0)
    return series


@lru_cache(maxsize=512)
def _input_side(model: str, input_tokens: int, cache_write: int, cache_read: int) -> tuple[Decimal, Decimal] | None:
    """(cost of the input alone, cost of one output token) for fixed input counts.

    While a reply streams only its output count changes, and genai-prices is linear in output
    at a fixed input (its tiers depend on input only), so two lookups per distinct input give
    every live value exactly, without a full price calculation per token.
    """
    base_usage = TokenUsage(input_tokens, 0, cache_write, cache_read)
    base = pricing.cost(model, base_usage)
    if base is None:
        return None
    per_million = pricing.cost(model, TokenUsage(input_tokens, 1_000_000, cache_write, cache_read))
    assert per_million is not None
    return base, (per_million - base) / 1_000_000


def fast_cost(model: str, usage: TokenUsage) -> Decimal | None:
    """Exactly pricing.cost(model, usage), cheap for the live meter (see _input_side)."""
    side = _input_side(model, usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens)
    if side is None:
        return None
    base, per_output = side
    return base + per_output * usage.output_tokens


def reply_cost(model: str, usage: TokenUsage, opus_model: str) -> CostLine:
    """The CostLine of one reply (the live one while it streams)."""
    cost = fast_cost(model, usage)
    return CostLine(
        usage=usage,
        cost_usd=cost,
        all_opus_cost_usd=fast_cost(opus_model, usage),
        unknown=1 if cost is None else 0,
        messages=1,
    )


def cost_text(line: CostLine) -> str:
    """'$0.41', '$—' when nothing is priced, '$0.41 + 2 unpriced' when some rows are unknown."""
    text = format_usd(line.cost_usd)
    if line.unknown and line.cost_usd is not None:
        text += f" + {line.unknown} unpriced"
    return text


def savings_text(line: CostLine) -> str:
    """'56%' or '—'."""
    pct = line.savings_pct
    return "—" if pct is None else f"{pct:.0f}%"
