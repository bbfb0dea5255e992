"""Asks before a send a guard rail warns about: send anyway, switch to the suggested model and send, or cancel.

Opened within a second of a key (a moment after the Enter that sent), it holds its answers
until the typing pauses and passes the letters on to the prompt (tui/screens/held_keys.py).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from core import models
from core.advisor.guard_rails import GuardNotice
from core.panes import Pane
from tui.screens.held_keys import HeldKeys

GuardAnswer = str  # "send" | "switch" | "cancel"


class GuardDialog(HeldKeys, ModalScreen[GuardAnswer]):
    """Dismisses "send", "switch" (to the notice's suggested model, then send) or "cancel"."""

    CSS_PATH = "guard_dialog.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="guard_cancel", tooltip="Don't send; the prompt stays in the box"),
        Binding("c", "answer('cancel')", "Cancel", id="guard_cancel_c", show=False, tooltip="Don't send; the prompt stays in the box"),
        Binding("s", "answer('switch')", "Switch and send", id="guard_switch", tooltip="Switch the pane to the suggested model, then send"),
        Binding("y", "answer('send')", "Send anyway", id="guard_send", tooltip="Send to the pane's current model"),
    ]

    ANSWERS = frozenset("csy")
    HELD_ACTIONS = frozenset({"answer"})  # Esc (cancel: the prompt stays) is never held

    def __init__(self, notices: list[GuardNotice], pane: str, current_model: str) -> None:
        super().__init__()
        self.notices = notices
        self.pane = Pane(pane)
        self.current_model = current_model
        suggestion = next((notice.suggestion for notice in notices if notice.suggestion), None)
        self.suggested_model = models.resolve_model(suggestion) if suggestion else None

    def compose(self) -> ComposeResult:
        current = models.display_name(self.current_model)
        with Vertical(id="guard-box"):
            yield Static("Guard rail", id="guard-title")
            yield Static("\n".join(notice.message for notice in self.notices), id="guard-message")
            with Horizontal(id="guard-buttons"):
                yield Button(f"Send anyway to {current} (y)", variant="warning", id="guard-send", compact=True)
                if self.suggested_model is not None:
                    target = models.display_name(self.suggested_model)
                    yield Button(f"Switch to {target} and send (s)", variant="primary", id="guard-switch", compact=True)
                yield Button("Cancel: keep the prompt (c)", id="guard-cancel", compact=True)
            yield self.typed_line()

    def on_mount(self) -> None:
        # The safe and cheap answer has focus: Enter switches (or cancels when nothing to switch to).
        self.query_one("#guard-switch" if self.suggested_model else "#guard-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(str(event.button.id).removeprefix("guard-"))

    def action_cancel(self) -> None:
        self.dismiss("cancel")

    def action_answer(self, answer: str) -> None:
        if answer == "switch" and self.suggested_model is None:
            return
        self.dismiss(answer)
