"""One tool call in a reply: the tool, its target file or command, and its result folded (edits as diffs)."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.widgets import Collapsible, Static

from core.events import ToolCallFinished, ToolCallStarted

RESULT_CHARS = 4000  # a folded result shows this much; the rest is in the file or Claude Code's transcript
ACCEPT_EDITS_HINT = "Ctrl+P → “Let Claude Code edit files without asking” allows it for the execution pane"


class ToolCallView(Collapsible):
    """A folded tool call: `⋯ Read src/app.py` while it runs, then ✓/✗ with the result inside."""

    DEFAULT_CSS = """
    ToolCallView { height: auto; padding: 0; margin: 0 1; border: none; background: transparent; }
    ToolCallView.running CollapsibleTitle { color: $text-muted; }
    ToolCallView.failed CollapsibleTitle { color: $warning; }
    ToolCallView.denied CollapsibleTitle { color: $error; }
    ToolCallView .tool-result { height: auto; max-height: 20; overflow-y: auto; color: $text-muted; }
    """

    def __init__(self, call: ToolCallStarted) -> None:
        super().__init__(
            Static("", classes="tool-result"), title=self._heading("⋯", call.tool, call.target), collapsed=True, classes="running"
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
            body: Text | Syntax = Text(f"{result.output.strip()}\n{ACCEPT_EDITS_HINT}.")
        elif result.is_error:
            self.add_class("failed")
            self.title = self._heading("✗", result.tool, result.target)
            body = Text(result.output.strip()[:RESULT_CHARS])
        else:
            self.title = self._heading("✓", result.tool, result.target)
            if result.diff:
                body = Syntax(result.diff, "diff", theme="ansi_dark", word_wrap=True)
                self.collapsed = False  # an edit is what the user wants to see
            else:
                body = Text(result.output.strip()[:RESULT_CHARS])
        self.query_one(".tool-result", Static).update(body)
