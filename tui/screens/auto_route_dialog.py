"""Asks before auto mode sends a prompt to a pick that costs more than the pane's own choice by the user's factor.

Opened within a second of a key (a moment after the Enter that sent), it holds its answers
until the typing pauses and passes the letters on to the prompt (tui/screens/held_keys.py).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from core import models
from core.costs.money import format_usd
from core.panes import Pane
from tui.screens.held_keys import HeldKeys

AutoAnswer = str  # "auto" | "manual" | "cancel"


def _label(model: str, effort: str | None) -> str:
    name = models.display_name(model)
    return f"{name} · {effort}" if effort else name


class AutoRouteDialog(HeldKeys, ModalScreen[AutoAnswer]):
    """Dismisses "auto" (send to the pick), "manual" (send to the pane's own model) or "cancel"."""

    CSS_PATH = "auto_route_dialog.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="auto_cancel", tooltip="Don't send; the prompt stays in the box"),
        Binding("c", "answer('cancel')", "Cancel", id="auto_cancel_c", show=False, tooltip="Don't send; the prompt stays in the box"),
        Binding("y", "answer('auto')", "Send to the pick", id="auto_send", tooltip="Send to the model and effort auto mode picked"),
        Binding("m", "answer('manual')", "Send to the pane's model", id="auto_manual", tooltip="Send to the pane's own model and effort instead"),
    ]

    ANSWERS = frozenset("cym")
    HELD_ACTIONS = frozenset({"answer"})  # Esc (cancel: the prompt stays) is never held

    def __init__(self, pane: str, verdict, manual_model: str, manual_effort: str | None, factor: float) -> None:
        super().__init__()
        self.pane = Pane(pane)
        self.verdict = verdict
        self.manual = _label(manual_model, manual_effort)
        self.factor = factor

    def message(self) -> str:
        verdict = self.verdict
        route = verdict.route
        kind = "" if route.task_type == "other" else f" ({route.task_type.replace('_', ' ')})"
        ratio = f"{verdict.ratio:.1f}×" if verdict.ratio is not None else "more than"
        return (
            f"Auto-route picks {route.label} for this prompt{kind}: about {format_usd(verdict.pick_usd)}, "
            f"{ratio} the {format_usd(verdict.manual_usd)} of the {self.pane.label.lower()} pane's "
            f"{self.manual} (you asked to confirm above {self.factor:g}×).\nWhy: {route.reason}."
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="auto-box"):
            yield Static("Auto-route", id="auto-title")
            yield Static(self.message(), id="auto-message")
            with Vertical(id="auto-buttons"):
                yield Button(f"Send to {self.verdict.route.label} (y)", variant="warning", id="auto-auto", compact=True)
                yield Button(f"Send to {self.manual} instead (m)", variant="primary", id="auto-manual", compact=True)
                yield Button("Cancel: keep the prompt (c)", id="auto-cancel", compact=True)
            yield self.typed_line()

    def on_mount(self) -> None:
        # The cheaper answer has focus, as in the guard-rail question.
        self.query_one("#auto-manual", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(str(event.button.id).removeprefix("auto-"))

    def action_cancel(self) -> None:
        self.dismiss("cancel")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
