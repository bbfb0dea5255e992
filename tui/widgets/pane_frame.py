"""A pane's frame: its border (model colour, brighter while focused) and its height when stacked.

Set as inline styles on the pane, not through classes or `:focus-within` rules: Textual
re-applies the stylesheet to every widget under a node whose classes or focus-within state
change, and a pane holds every block of every reply, so Ctrl+T and Tab took seconds in a long
conversation. An inline border or height touches the pane alone.
"""

from __future__ import annotations

from textual.color import Color
from textual.widget import Widget

from core import models

NARROW_WIDTH = 100  # below this the app stacks the panes (see MainScreen._apply_width)


def paint_frame(pane: Widget, model_id: str) -> None:
    app = pane.app
    variables = app.theme_variables or app.get_css_variables()
    focused = pane.has_focus_within
    family = models.family_of(model_id)
    if family in ("opus", "sonnet"):
        colour = Color.parse(variables[family])
        if not focused:
            colour = colour.with_alpha(0.6)
    else:
        colour = Color.parse(variables["primary" if focused else "panel"])
    border = ("round", colour)
    if pane.styles.border != (border,) * 4:  # setting it repaints the pane even when unchanged
        pane.styles.border = border
    # Stacked on a narrow screen, the focused pane gets the room.
    pane.styles.height = "2fr" if focused and app.size.width < NARROW_WIDTH else "1fr"
