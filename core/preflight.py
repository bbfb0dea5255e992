"""Before a send: the guard rails' warnings, the budget verdict and the context it would carry.

All of it is a preview: nothing here records anything (only `Session.send` does), so the
screen can ask as often as it likes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.advisor.guard_rails import GuardNotice, check_send
from core.advisor.matrix import Advice
from core.costs.budget import BudgetCheck, BudgetLimits, check_before_send, estimate_output_tokens, project_cost


def guard_notices(
    session: Any, pane: str, prompt: str, *, unsaved_plan: bool, advice: Advice | None = None
) -> list[GuardNotice]:
    """The guard rails that speak up for sending `prompt` from `pane` now (silenced ones left out)."""
    return check_send(
        pane=pane,
        model_id=session.panes[pane].model,
        prompt=prompt,
        unsaved_plan=unsaved_plan,
        silenced=frozenset(session.settings.silenced_guards),
        advice=advice,
    )


async def budget_verdict(
    session: Any, pane: str, prompt: str, limits: BudgetLimits, spent_session: Decimal, spent_today: Decimal
) -> BudgetCheck | None:
    """What the send would do to the budget (None when no limit is set): ok, warn or over."""
    if not limits.active:
        return None
    request, _, _ = session.request_for(pane, prompt)
    estimate = estimate_output_tokens(prompt, request.model, request.max_tokens, thinking_budget=request.thinking_estimate)
    projected = await project_cost(session.client, request.model, request.params(), estimate)
    return check_before_send(limits, spent_session, spent_today, projected or Decimal(0))


def context_preview(session: Any, pane: str):
    """The ContextReport of `pane`'s next message (which files, versions, what is left out)."""
    from core.handoff.context_files import context_report

    return context_report(session, pane)
