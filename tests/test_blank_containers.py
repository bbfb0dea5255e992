"""The log, its reply sections and their Markdown boxes draw as blank (Widget.BLANK: their rows
skip the style pipeline) and the screen looks exactly as it did when they were drawn in full."""

from __future__ import annotations

from textual.screen import Screen

from tui.theming import ThemedApp
from tui.widgets.conversation_log import ConversationLog
from tui.widgets.reply_sections import ReplySection

REPLY = [
    "# Plan\n\nExport the **orders** table as CSV, one file per day.\n",
    "## Steps\n\n- Add `CsvExporter`\n- Stream rows, never load them all\n- Test it\n",
    "```python\nclass CsvExporter:\n    def write(self, rows):\n        ...\n```\n",
    "> Keep the header order stable.\n\n" + "More text to scroll. " * 40 + "\n",
]


class LogScreen(Screen):
    DEFAULT_CSS = "ConversationLog { height: 1fr; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }"

    def compose(self):
        with ConversationLog(id="log"):
            for text in REPLY:
                yield ReplySection(text)


class Host(ThemedApp):
    def get_default_screen(self):
        return LogScreen()


def _screen_cells(app) -> list[list[tuple]]:
    """The screen as the terminal shows it, cell by cell: a blank cell by the colour it shows
    (a foreground colour on a space shows nothing), any other by its character and style."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        cells = []
        for segment in strip:
            style = segment.style
            for char in segment.text:
                if char == " " and style is not None and not (style.underline or style.strike):
                    cells.append((" ", style.color if style.reverse else style.bgcolor))
                else:
                    cells.append((char, style))
        rows.append(cells)
    return rows


def _boxes(app) -> list:
    return [app.query_one(ConversationLog), *app.query(ReplySection), *(section.markdown for section in app.query(ReplySection))]


async def test_blank_boxes_draw_the_screen_they_drew_in_full():
    app = Host()
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.pause()
        boxes = _boxes(app)
        assert all(box.BLANK for box in boxes)
        for scroll_y in (0, 7):  # at the top, and scrolled with a section cut by the edge
            app.query_one(ConversationLog).scroll_to(y=scroll_y, animate=False)
            await pilot.pause()
            blank = _screen_cells(app)
            for box in boxes:
                box.BLANK = False
                box._set_dirty()  # its cached rows go: drawn in full this time
            full = _screen_cells(app)
            for box in boxes:
                del box.BLANK  # back to the class's (or, for Markdown, set again below)
                box._set_dirty()
            for section in app.query(ReplySection):
                section.markdown.BLANK = True
            assert any("CsvExporter" in "".join(char for char, _ in row) for row in blank)
            assert blank == full
