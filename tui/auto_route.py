"""Auto mode in the TUI: the palette toggle, the AUTO badge, and the question before a costly pick.

The decision itself is core's (core.preflight.auto_route over core.advisor.auto_route); this
module turns it on and off, shows the pick on the pane's badge and asks when core says to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand

from core import models
from core.advisor.auto_route import RouteDecision
from core.panes import PANES, Pane

CANCELLED = object()  # the user cancelled the send in the question


def set_auto(screen: Any, pane: str, on: bool, *, why: str = "") -> None:
    """Turn auto mode on or off for `pane`; the badge says AUTO while it is on."""
    pane = Pane(pane)
    session = screen.session
    if on == (pane in session.auto_route):
        return
    if on:
        session.auto_route.add(pane)
    else:
        session.auto_route.discard(pane)
    view = screen.pane(pane)
    view.badge.picked = ("", "")
    view.badge.auto = on
    view.show_advice(view.prompt_input.value)  # the hint under the input says "auto → …" while on
    if on:
        factor = _factor(screen)
        screen.notify(
            f"{pane.label} pane: each prompt now goes to the model and effort the advisor picks; "
            f"it asks first when a pick would cost over {factor:g}× {_manual_label(session, pane)}.",
            title="Auto-route",
            timeout=6,
        )
    else:
        screen.notify(
            f"{pane.label} pane: auto-route off{why}; prompts go to {_manual_label(session, pane)}.",
            title="Auto-route",
            timeout=5,
        )


def manual_choice(screen: Any, pane: str, what: str) -> None:
    """The user picked a model or effort by hand in an auto pane: that choice wins, auto mode ends."""
    if Pane(pane) in screen.session.auto_route:
        set_auto(screen, pane, False, why=f" (you chose {what})")


def system_commands(screen: Any) -> Iterable[SystemCommand]:
    """"Auto-route the planning pane" / "Stop auto-routing the execution pane" in the palette."""
    session = screen.session
    for pane in PANES:
        name = pane.label.lower()
        if pane in session.auto_route:
            yield SystemCommand(
                f"Stop auto-routing the {name} pane",
                f"Every prompt goes to {_manual_label(session, pane)} again.",
                lambda pane=pane: set_auto(screen, pane, False),
            )
        else:
            yield SystemCommand(
                f"Auto-route the {name} pane",
                f"Each prompt goes to the model and effort the advisor picks; asks first above "
                f"{_factor(screen):g}× the cost of {_manual_label(session, pane)}.",
                lambda pane=pane: set_auto(screen, pane, True),
            )


async def route_prompt(screen: Any, pane: str, prompt: str) -> RouteDecision | None | object:
    """Auto mode's decision for sending `prompt` from `pane`: None when the pane is not in auto
    mode, CANCELLED when the user cancelled in the question, else the decision (its pick shown
    on the badge)."""
    from core.preflight import auto_route

    session = screen.session
    pane = Pane(pane)
    if pane not in session.auto_route:
        return None
    verdict = await auto_route(session, pane, prompt, _factor(screen), advice=screen.pane(pane).advice)
    confirmed: bool | None = None
    if verdict.ask:
        from tui.screens.auto_route_dialog import AutoRouteDialog

        state = session.panes[pane]
        answer = await screen.app.push_screen_wait(
            AutoRouteDialog(pane, verdict, state.model, session.effective_effort(pane), _factor(screen))
        )
        if answer == "cancel":
            return CANCELLED
        confirmed = answer == "auto"
    decision = RouteDecision(verdict.route, confirmed)
    badge = screen.pane(pane).badge
    if decision.applied:
        badge.picked = (verdict.route.model, verdict.route.effort or "")
    else:
        badge.picked = (session.panes[pane].model, session.effective_effort(pane) or "")
    return decision


def _factor(screen: Any) -> float:
    return float(getattr(screen.settings, "auto_confirm_factor", 2.0))


def _manual_label(session: Any, pane: Pane) -> str:
    """The pane's own choice, "Sonnet 5.5 · medium": the baseline a pick is compared with."""
    model = session.panes[pane].model
    effort = session.effective_effort(pane)
    name = models.display_name(model)
    return f"{name} · {effort}" if effort else name
