"""One tool call in a reply: the tool, its target file or command, and its result folded (edits as diffs)."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.syntax import Syntax
from rich.text import Text
from textual import events
from textual.widgets import Collapsible, Static

from core.events import ToolCallFinished, ToolCallStarted

RESULT_CHARS = 4000  # a folded result shows this much; the rest is in the file or Claude Code's transcript
PREVIEW_ROWS = 20  # a result takes at most this many rows of the log until it is clicked
ACCEPT_EDITS_HINT = "Ctrl+P → “Let Claude Code edit files without asking” allows it for the execution pane"


class ToolCallView(Collapsible):
    """A folded tool call: `⋯ Read src/app.py` while it runs, then ✓/✗ with the result inside."""

    DEFAULT_CSS = """
    ToolCallView { height: auto; padding: 0; margin: 0 1; border: none; background: transparent; }
    ToolCallView.running CollapsibleTitle { color: $text-muted; }
    ToolCallView.failed CollapsibleTitle { color: $warning; }
    ToolCallView.denied CollapsibleTitle { color: $error; }
    ToolCallView .tool-result { height: auto; color: $text-muted; }
    """

    def __init__(self, call: ToolCallStarted) -> None:
        super().__init__(
            ResultPreview(classes="tool-result"), title=self._heading("⋯", call.tool, call.target), collapsed=True, classes="running"
        )
        self.call = call
        self.finished: ToolCallFinished | None = None

    @staticmethod
    def _heading(mark: str, tool: str, target: str, note: str = "") -> str:
        return " ".join(part for part in (mark, tool, target, note) if part)

    def finish(self, result: ToolCallFinished) -> None:
        self.finished = result
        self.remove_class("running")
        if result.denied:
            self.add_class("denied")
            self.title = self._heading("✗", result.tool, result.target, "— denied: Claude Code may not do this here")
            body = Preview(f"{result.output.strip()}\n{ACCEPT_EDITS_HINT}.")
        elif result.is_error:
            self.add_class("failed")
            self.title = self._heading("✗", result.tool, result.target)
            body = Preview(result.output.strip()[:RESULT_CHARS])
        else:
            self.title = self._heading("✓", result.tool, result.target)
            if result.diff:
                body = Preview(result.diff, diff=True)
                self.collapsed = False  # an edit is what the user wants to see
            else:
                body = Preview(result.output.strip()[:RESULT_CHARS])
        self.query_one(ResultPreview).update(body)


class Preview:
    """A tool's result in at most PREVIEW_ROWS rows at whatever width it is drawn: a longer one
    stops at the end of a line and says how many lines are left, rather than being cut mid-line
    (a scroll area inside the scrolling log hid the rest without a word). `rows=None`: all of it.

    Measured where it is drawn (a Rich renderable gets the width), so the layout and the paint
    agree without a second layout pass.
    """

    def __init__(self, text: str, *, diff: bool = False, rows: int | None = PREVIEW_ROWS) -> None:
        self.text, self.diff, self.rows = text, diff, rows
        self.lines = text.rstrip("\n").split("\n")
        self._fitted: dict[int, int] = {}  # width -> lines shown

    def shown_lines(self, console: Console, width: int) -> int:
        """How many of the lines fit in `rows` rows at `width`, with room left for the notice."""
        if self.rows is None:
            return len(self.lines)
        if width not in self._fitted:
            height = lambda text: len(Text(text.expandtabs(4)).wrap(console, max(width, 1))) or 1  # noqa: E731
            counts, total = [], 0
            for line in self.lines:
                counts.append(height(line))
                total += counts[-1]
                if total > self.rows:
                    break
            shown = len(self.lines)
            if total > self.rows:  # fill the rows the notice leaves with whole lines
                room, shown = self.rows - height(self._notice(len(self.lines))), 0
                while counts[shown] <= room:
                    room -= counts[shown]
                    shown += 1
            self._fitted[width] = shown
        return self._fitted[width]

    @staticmethod
    def _notice(hidden: int) -> str:
        return f"… {hidden} more line{'s' if hidden > 1 else ''} (click)"

    def hidden_lines(self, console: Console, width: int) -> int:
        return len(self.lines) - self.shown_lines(console, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        shown = self.shown_lines(console, options.max_width)
        text = "\n".join(self.lines[:shown])
        if self.diff:
            yield Syntax(text, "diff", theme="ansi_dark", word_wrap=True)
        else:
            yield Text(text)
        if hidden := len(self.lines) - shown:
            yield Text(self._notice(hidden), style="italic")


class ResultPreview(Static):
    """Where a tool call shows its result; a click on a shortened one shows all of it."""

    preview: Preview | None = None

    def update(self, content="", *, layout: bool = True) -> None:  # type: ignore[override]
        if isinstance(content, Preview):
            self.preview = content
        super().update(content, layout=layout)

    @property
    def hidden_lines(self) -> int:
        """Lines of the result not shown at the current width (0 before the first layout)."""
        if self.preview is None or not self.content_size.width:
            return 0
        return self.preview.hidden_lines(self.app.console, self.content_size.width)

    def on_click(self, event: events.Click) -> None:
        if self.preview is not None and self.preview.rows is not None:
            event.stop()
            self.update(Preview(self.preview.text, diff=self.preview.diff, rows=None))
