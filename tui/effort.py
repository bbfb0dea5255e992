"""Effort as a control next to the model: F7 cycles the focused pane's level, the palette sets one."""

from __future__ import annotations

from typing import Any

from core import capabilities, models
from core.panes import Pane

# What a level change does to a reply's bill, roughly: effort steers how much the model
# thinks and writes, and thinking is billed as output. Said, not computed (no history of
# per-level output exists to project from).
_COST_NOTE = {
    "up": "more thinking and output tokens (billed as output); the cached conversation is kept",
    "down": "fewer thinking and output tokens, so cheaper and faster replies; the cached conversation is kept",
}


def levels_for(model_id: str) -> tuple[str, ...]:
    return capabilities.caps_for(model_id).efforts


def effort_change_note(model_id: str, old: str | None, new: str) -> str:
    """One sentence on what moving from `old` to `new` costs (for notices and palette help)."""
    if old is None or old == new:
        return ""
    order = capabilities.EFFORT_LEVELS
    direction = "up" if order.index(new) > order.index(old) else "down"
    return f"Effort {old} → {new}: {_COST_NOTE[direction]}."


def set_effort(screen: Any, pane: str, level: str) -> None:
    """The one action behind F7 and the palette: remember the level, show it on the badge, say what it costs."""
    from tui.auto_route import manual_choice

    session = screen.session
    manual_choice(screen, pane, f"effort {level}")
    model_id = session.panes[pane].model
    old = session.effective_effort(pane)
    session.set_effort(pane, level)
    new = session.effective_effort(pane)
    widget = screen.pane(pane)
    widget.badge.effort = new or ""
    if new is None:
        screen.notify(f"{models.display_name(model_id)} takes no effort level; {level} is kept for other models.", timeout=4)
        return
    moved = f" ({level} is not on {models.display_name(model_id)})" if new != level else ""
    note = effort_change_note(model_id, old, new)
    screen.notify(f"{Pane(pane).label} pane effort: {new}{moved}. {note}".strip(), timeout=4)


def cycle_effort(screen: Any, pane: str) -> None:
    """F7: the next level the pane's model has, wrapping from the highest to the lowest."""
    session = screen.session
    levels = levels_for(session.panes[pane].model)
    if not levels:
        screen.notify(f"{models.display_name(session.panes[pane].model)} has no effort levels.", timeout=3)
        return
    current = session.effective_effort(pane)
    index = levels.index(current) if current in levels else -1
    set_effort(screen, pane, levels[(index + 1) % len(levels)])
