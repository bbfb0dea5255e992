"""The line across the top: the app's name, the project folder (and the session's title), the
DEMO label in demo mode, and today's total.

One widget that draws the whole line: as five labels in a row it cost about 7 ms of the first
frame (each widget is composed, styled, laid out twice and painted).
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.pane_frame import NARROW_WIDTH

DEMO_LABEL = "DEMO · simulated replies, no API key"
DEMO_SHORT = "DEMO"  # under NARROW_WIDTH columns the project's folder needs the room
TODAY_WIDTH = 28  # cells for today's total on a wide screen; a narrow one fits it to its text


class TopBar(Widget):
    DEFAULT_CSS = """
    TopBar { height: 1; background: $panel; }
    TopBar > .top-bar--title { text-style: bold; }
    TopBar > .top-bar--where { color: $text-muted; }
    TopBar > .top-bar--demo { background: $demo; color: $background; text-style: bold; }
    """
    COMPONENT_CLASSES = {"top-bar--title", "top-bar--where", "top-bar--demo"}

    where: reactive[str] = reactive("")  # "· ~/shop · session "…"", printable already
    today: reactive[str] = reactive("")  # "today $0.42 · budget 12%"
    demo: reactive[bool] = reactive(False)

    def render(self) -> Content:
        width = self.size.width
        narrow = width < NARROW_WIDTH
        title = Content.styled(" Segue ", self.get_visual_style("top-bar--title"))
        demo = Content("")
        if self.demo:
            label = DEMO_SHORT if narrow else DEMO_LABEL
            demo = Content.styled(f" {label} ", self.get_visual_style("top-bar--demo"))
        today = Content(self.today)
        if not narrow:
            today = today.right(TODAY_WIDTH - 2, ellipsis=True)
        today = today.pad(1, 1)
        room = max(0, width - title.cell_length - demo.cell_length - today.cell_length)
        # Plain text, never markup: a session's title is a user's prompt.
        where = Content.styled(self.where, self.get_visual_style("top-bar--where")).truncate(room, ellipsis=True, pad=True)
        return Content.assemble(title, where, demo, today)
