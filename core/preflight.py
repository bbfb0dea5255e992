"""Before a send: the guard rails' warnings, the budget verdict and the context it would carry.

All of it is a preview: nothing here records anything (only `Session.send` does), so the
screen can ask as often as it likes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.advisor.auto_route import Route, cost_ratio, needs_confirmation, pick
from core.advisor.guard_rails import GuardNotice, check_send
from core.advisor.matrix import Advice
from core.costs import pricing
from core.costs.budget import (
    BudgetCheck,
    BudgetLimits,
    check_before_send,
    count_input_tokens,
    estimate_output_tokens,
    project_cost,
)
from core.costs.usage import TokenUsage


def guard_notices(
    session: Any, pane: str, prompt: str, *, unsaved_plan: bool, advice: Advice | None = None, route: Route | None = None
) -> list[GuardNotice]:
    """The guard rails that speak up for sending `prompt` from `pane` now (silenced ones left out);
    with `route`, for sending it to auto mode's pick instead of the pane's model."""
    return check_send(
        pane=pane,
        model_id=route.model if route is not None else session.panes[pane].model,
        prompt=prompt,
        unsaved_plan=unsaved_plan,
        silenced=frozenset(session.settings.silenced_guards),
        advice=advice,
    )


async def budget_verdict(
    session: Any,
    pane: str,
    prompt: str,
    limits: BudgetLimits,
    spent_session: Decimal,
    spent_today: Decimal,
    route: Route | None = None,
) -> BudgetCheck | None:
    """What the send would do to the budget (None when no limit is set): ok, warn or over."""
    if not limits.active:
        return None
    request, _, _ = session.request_for(pane, prompt, route=route)
    estimate = estimate_output_tokens(prompt, request.model, request.max_tokens, thinking_budget=request.thinking_estimate)
    projected = await project_cost(await session.ready_client(), request.model, request.params(), estimate)
    return check_before_send(limits, spent_session, spent_today, projected or Decimal(0))


def context_preview(session: Any, pane: str):
    """The ContextReport of `pane`'s next message (which files, versions, what is left out)."""
    from core.handoff.context_files import context_report

    return context_report(session, pane)


@dataclass(frozen=True)
class AutoVerdict:
    """Auto mode's answer for one prompt: the pick, both projections, and whether to ask first."""

    route: Route
    pick_usd: Decimal | None  # projected cost of the prompt on the pick
    manual_usd: Decimal | None  # ... on the pane's own model and effort
    ask: bool  # the pick costs more than `factor` times the pane's own choice

    @property
    def ratio(self) -> float | None:
        return cost_ratio(self.pick_usd, self.manual_usd)


async def auto_route(session: Any, pane: str, prompt: str, factor: float, advice: Advice | None = None) -> AutoVerdict:
    """Where auto mode sends `prompt` from `pane`, with the cost projection that decides whether
    the user is asked first (a preview: nothing recorded)."""
    route = pick(prompt, advice)
    if route.model == session.panes[pane].model and route.effort == session.effective_effort(pane):
        return AutoVerdict(route, None, None, ask=False)  # the pane's own choice: nothing to compare
    routed, _, _ = session.request_for(pane, prompt, route=route)
    manual, _, _ = session.request_for(pane, prompt)
    # The input is the same text either way: counted once (one count_tokens request), priced per model.
    input_tokens = await count_input_tokens(await session.ready_client(), routed.model, routed.params())
    pick_usd = _projected(prompt, routed, input_tokens)
    manual_usd = _projected(prompt, manual, input_tokens)
    return AutoVerdict(route, pick_usd, manual_usd, ask=needs_confirmation(pick_usd, manual_usd, factor))


def _projected(prompt: str, request: Any, input_tokens: int) -> Decimal | None:
    """The request's projected cost: counted input (uncached, as project_cost) plus estimated output."""
    output = estimate_output_tokens(prompt, request.model, request.max_tokens, thinking_budget=request.thinking_estimate)
    return pricing.cost(request.model, TokenUsage(input_tokens=input_tokens, output_tokens=output))
