"""Auto mode: the model and effort the advisor picks for each prompt, and when to ask before using it.

Pure decisions: `pick` turns the advisor's answer into a concrete request target (a full model
id and an effort level that model takes); `needs_confirmation` compares two projected costs
against the user's factor. The pre-flight (core/preflight.py) projects the costs; the TUI only
shows the outcome and asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from core import capabilities, models
from core.advisor.matrix import Advice, advise

# Ask before an auto pick is projected to cost more than this many times the pane's own choice.
DEFAULT_CONFIRM_FACTOR = 2.0


@dataclass(frozen=True)
class Route:
    """Where auto mode sends one prompt, and why."""

    model: str  # full model id
    effort: str | None  # the level the request carries on that model; None: the model takes none
    task_type: str  # the advisor's matrix row, or "other"
    reason: str  # the advisor's one line

    @property
    def label(self) -> str:
        """"Sonnet 5.5 · low": what the badge shows after AUTO."""
        name = models.display_name(self.model)
        return f"{name} · {self.effort}" if self.effort else name

    @property
    def short(self) -> str:
        """"Sonnet/low": the pick in a table cell."""
        family = models.family_of(self.model)
        name = family.capitalize() if family != "other" else models.display_name(self.model)
        return f"{name}/{self.effort}" if self.effort else name


@dataclass(frozen=True)
class RouteDecision:
    """One prompt's routing as it is stored with the message.

    `confirmed`: None when no question was needed, True when the user confirmed the pick,
    False when they declined it and the pane's own model and effort answered instead.
    """

    route: Route
    confirmed: bool | None = None

    @property
    def applied(self) -> bool:
        """The request goes to the pick (not declined)."""
        return self.confirmed is not False


def pick(prompt: str, advice: Advice | None = None, *, caps_for: Callable[[str], capabilities.ModelCaps] | None = None) -> Route:
    """The model and effort auto mode sends `prompt` to: the advisor's model (the newest of its
    family) at the advisor's effort, moved to the nearest level that model has."""
    advice = advise(prompt) if advice is None else advice
    model_id = advice.model_id
    caps = (caps_for or capabilities.caps_for)(model_id)
    return Route(model_id, caps.nearest_effort(advice.effort), advice.task_type, advice.reason)


def needs_confirmation(pick_usd: Decimal | None, manual_usd: Decimal | None, factor: float) -> bool:
    """True when the pick is projected to cost more than `factor` times the pane's own choice.

    An unpriced side cannot be compared, so it never asks (the budget check still runs).
    """
    if pick_usd is None or manual_usd is None:
        return False
    if manual_usd <= 0:
        return pick_usd > 0
    return pick_usd > manual_usd * Decimal(str(factor))


def cost_ratio(pick_usd: Decimal | None, manual_usd: Decimal | None) -> float | None:
    """pick / manual (3.1 = three times), None when either is unknown or the manual one is free."""
    if pick_usd is None or manual_usd is None or manual_usd <= 0:
        return None
    return float(pick_usd / manual_usd)


def describe(task_type: str, model: str, effort: str | None, confirmed: bool | None) -> str:
    """The F4 line for a stored decision: "auto: simple_bug_fix → Sonnet/low" (+ confirmed/declined)."""
    text = f"auto: {task_type} → {Route(model, effort, task_type, '').short}"
    if confirmed is True:
        text += " (confirmed)"
    elif confirmed is False:
        text += " (declined)"
    return text
