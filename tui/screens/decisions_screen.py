"""The decisions view (F9): each decision in effect and whether the execution followed it, drifted, or not yet."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from core.drift.check import DRIFTED, FOLLOWED, UNTOUCHED

LABELS = {FOLLOWED: ("✓ followed", "green"), DRIFTED: ("✗ drifted", "bold red"), UNTOUCHED: ("· not yet", "dim")}


def exec_replies(session: Any) -> list[str]:
    """The execution pane's finished replies in this session, oldest first (derived from the store)."""
    store = getattr(session, "store", None)
    if store is None or not session.id:
        return [message["content"] for message in session.panes["exec"].history if message["role"] == "assistant"]
    return [row.text for row in store.messages(session.id, "exec") if row.role == "assistant" and row.text.strip()]


class DecisionsScreen(Screen[None]):
    """Decisions from CLAUDE.md and the active plan, checked against every execution reply so far."""

    CSS_PATH = "decisions_screen.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="close_decisions", tooltip="Back to the panes"),
        Binding("q", "close", "Close", id="close_decisions_q", show=False, tooltip="Back to the panes"),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.rows: list[tuple[Any, str, Any]] = []
        self.loaded = False  # set once the check has run and the table is filled

    def compose(self) -> ComposeResult:
        with Vertical(id="decisions"):
            yield Static("Decisions in effect", id="decisions-title")
            yield Static("", id="decisions-summary")
            yield DataTable(id="decisions-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="decisions-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("status", width=11, key="status")
        table.add_column("source", key="source")
        table.add_column("decision", key="decision")
        table.focus()
        self.query_one("#decisions-summary", Static).update("Checking the execution replies…")
        self.run_worker(self._check, thread=True, group="decisions", name="decisions-check")

    def _check(self) -> None:
        """Every execution reply and edit against every decision: in a thread, long sessions take a moment."""
        from core.drift.check import statuses
        from core.drift.decisions import session_decisions
        from core.drift.edits import edits_in_place

        replies = exec_replies(self.session)
        # The edits as the approval dialog judged them, so a decision it flagged is not "not yet" here.
        edits = edits_in_place(self.session)
        rows = statuses(replies, session_decisions(self.session), edits)
        self.app.call_from_thread(self._show, rows, len(replies), len(edits))

    def _show(self, rows: list[tuple[Any, str, Any]], replies: int, edits: int = 0) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        for index, (decision, status, _) in enumerate(rows):
            label, style = LABELS[status]
            table.add_row(Text(label, style=style), decision.where, decision.text, key=str(index))
        counts = {status: sum(1 for _, s, _ in rows if s == status) for status in LABELS}
        summary = self.query_one("#decisions-summary", Static)
        if not rows:
            summary.update("No decisions found: CLAUDE.md and the active plan state none this check can read.")
        else:
            summary.update(
                f"{len(rows)} decisions · {counts[FOLLOWED]} followed · {counts[DRIFTED]} drifted · "
                f"{counts[UNTOUCHED]} not touched yet · checked against {replies} execution "
                + ("reply" if replies == 1 else "replies")
                + (f" and {edits} file edit{'s' if edits != 1 else ''}" if edits else "")
            )
        self.loaded = True
        self._show_detail(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, index: int) -> None:
        detail = self.query_one("#decisions-detail", Static)
        if not 0 <= index < len(self.rows):
            detail.update("")
            return
        decision, status, finding = self.rows[index]
        text = Text.assemble((decision.where, "bold"), "  ", decision.text)
        if finding is not None:
            where = f"edit {finding.place}" if finding.place else "reply"
            text.append(f"\n{where}: {finding.evidence}", style="italic")
        detail.update(text)

    def action_close(self) -> None:
        self.dismiss(None)
