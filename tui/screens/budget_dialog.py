"""Asks before a send that would cross a budget: dismisses True to send anyway, False to hold it.

Opened within a second of a key (a moment after the Enter that sent), it holds its answers
until the typing pauses and passes the letters on to the prompt (tui/screens/held_keys.py).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from core.costs.budget import BudgetCheck
from tui.screens.held_keys import HeldKeys


class BudgetDialog(HeldKeys, ModalScreen[bool]):
    """"This message would take the session to $X of $Y. Send anyway?" — the safe answer has focus."""

    CSS_PATH = "budget_dialog.tcss"
    BINDINGS = [
        Binding("escape", "hold", "Don't send", id="budget_hold", tooltip="Keep the prompt and don't send it"),
        Binding("n", "hold", "Don't send", id="budget_hold_n", show=False, tooltip="Keep the prompt and don't send it"),
        Binding("y", "send", "Send anyway", id="budget_send", tooltip="Send past the budget"),
    ]

    ANSWERS = frozenset("ny")
    HELD_ACTIONS = frozenset({"send"})  # not sending is never held

    def __init__(self, check: BudgetCheck) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="budget-box"):
            yield Static("Over budget", id="budget-title")
            yield Static(self.question, id="budget-question")
            with Horizontal(id="budget-buttons"):
                yield Button("Send anyway (y)", variant="warning", id="budget-send")
                yield Button("Don't send (n)", variant="primary", id="budget-hold")
            yield self.typed_line()

    @property
    def question(self) -> str:
        return f"{self.check.message} Send anyway?".strip()

    def on_mount(self) -> None:
        self.query_one("#budget-hold", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "budget-send")

    def action_send(self) -> None:
        self.dismiss(True)

    def action_hold(self) -> None:
        self.dismiss(False)
