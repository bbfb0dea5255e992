"""A stand-in for core.store.database's UsageRow, priced the way the session prices stored rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.costs import pricing
from core.costs.usage import TokenUsage

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"


@dataclass(frozen=True)
class Row:
    id: int
    session_id: str
    message_id: int
    pane: str
    model: str
    usage: TokenUsage
    cost_usd: Decimal | None
    all_opus_cost_usd: Decimal | None
    created_at: datetime


def make_row(index: int, pane: str, model: str, usage: TokenUsage, created_at: datetime, session: str = "s1") -> Row:
    return Row(
        id=index,
        session_id=session,
        message_id=index,
        pane=pane,
        model=model,
        usage=usage,
        cost_usd=pricing.cost(model, usage),
        all_opus_cost_usd=pricing.all_opus_cost(usage, OPUS),
        created_at=created_at,
    )
