"""Asks before the model's edit (or allow-listed command) runs: the change as a diff, then y / n / a / Esc.

Dismisses with a core.events.Decision: "apply", "reject" (with the one-line reason the user
typed, which goes back to the model), "apply_all" (this and the rest of the turn), "cancel".
A file edit that departs from a decision in effect (core.drift) shows the decision above the diff.

The dialog opens when the model gets to an edit, often while the user is typing the next prompt
in the other pane. Opened then, it holds y / n / a until the typing pauses, so the letters of a
sentence don't answer it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui import keystrokes
from core.drift.check import Finding
from core.events import Decision, EditProposed
from tui.widgets.diff_view import DiffView
from tui.widgets.drift_notice import notice_text


# Opened within this long of a key while a prompt has text: the answer keys are held...
TYPING_WITHIN = 1.0
# ...until nobody has pressed a key for this long.
HOLD_UNTIL_QUIET = 0.6
KEYS = "y apply · n reject · a apply the rest of this turn · Esc cancel the turn"
HELD_KEYS = "You were typing: y / n / a work once you pause · Esc cancels the turn"


class EditApproval(ModalScreen[Decision]):
    """One proposed change, with focus, until the user answers."""

    CSS_PATH = "edit_approval.tcss"
    BINDINGS = [
        Binding("y", "apply", "Apply", id="edit_apply", tooltip="Write this change"),
        Binding("n", "reject", "Reject", id="edit_reject", tooltip="Don't write it; say why in one line (sent to the model)"),
        Binding("a", "apply_all", "Apply all", id="edit_apply_all", tooltip="Write this and every further change of this turn"),
        Binding("escape", "cancel_turn", "Cancel turn", id="edit_cancel_turn", tooltip="Write nothing and stop the turn"),
    ]

    def __init__(self, proposal: EditProposed, drift: list[Finding] | None = None, *, hold_keys: bool = False) -> None:
        super().__init__()
        self.proposal = proposal
        self.drift = drift or []
        self.keys_held = hold_keys

    @property
    def title_text(self) -> str:
        edit = self.proposal.edit
        if edit is None:
            return f"Run `{self.proposal.target}`?"
        verb = {"create": "Create" if edit.is_new_file else "Replace", "str_replace": "Edit", "insert": "Insert into"}
        return f"{verb.get(self.proposal.command, self.proposal.command)} {self.proposal.target}?"

    def compose(self) -> ComposeResult:
        with Vertical(id="approval-box"):
            yield Static(self.title_text, id="approval-title")
            if self.drift:
                yield Static(notice_text(self.drift, what="edit"), id="approval-drift")
            if self.proposal.edit is not None:
                yield DiffView(id="approval-diff")
            else:
                yield Static(f"$ {self.proposal.target}", id="approval-command")
            yield Static(HELD_KEYS if self.keys_held else KEYS, id="approval-keys")
            yield Input(placeholder="Why not? (one line for the model; Enter sends, Esc skips)", id="approval-reason")

    def on_mount(self) -> None:
        if self.proposal.edit is not None:
            diff_view = self.query_one(DiffView)
            diff_view.show_diff(self.proposal.edit.diff, "unified")
            diff_view.focus()
        else:
            self.query_one("#approval-box").focus()
        if self.keys_held:
            keystrokes.when_quiet(self, HOLD_UNTIL_QUIET, self._release_keys)

    def _release_keys(self) -> None:
        self.keys_held = False
        self.query_one("#approval-keys", Static).update(KEYS)

    @property
    def asking_reason(self) -> bool:
        return self.has_class("asking-reason")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the reason is typed, y/n/a are letters of it.
        if (self.asking_reason or self.keys_held) and action in ("apply", "reject", "apply_all"):
            return False
        return True

    def action_apply(self) -> None:
        self.dismiss(Decision("apply"))

    def action_apply_all(self) -> None:
        self.dismiss(Decision("apply_all"))

    def action_reject(self) -> None:
        self.add_class("asking-reason")
        self.query_one("#approval-reason", Input).focus()

    def action_cancel_turn(self) -> None:
        if self.asking_reason:
            self.dismiss(Decision("reject"))
            return
        self.dismiss(Decision("cancel"))

    @on(Input.Submitted, "#approval-reason")
    def _reason_given(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(Decision("reject", event.value.strip()))
