"""Asks before the model's edit (or allow-listed command) runs: the change as a diff, then y / n / a / Esc.

Dismisses with a core.events.Decision: "apply", "reject" (with the one-line reason the user
typed, which goes back to the model), "apply_all" (this and the rest of the turn), "cancel".
A file edit that departs from a decision in effect (core.drift) shows the decision above the diff.

The dialog opens when the model gets to an edit, often while the user is typing the next prompt
in the other pane: opened then, it holds y / n / a until the typing pauses, and what they type
goes on into their prompt (tui/screens/held_keys.py).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.drift.check import Finding
from core.events import Decision, EditProposed
from tui.screens.held_keys import HeldKeys
from tui.widgets.diff_view import DiffView
from tui.widgets.drift_notice import notice_text


KEYS = "y apply · n reject · a apply the rest of this turn · Esc cancel the turn"
HELD_KEYS = "You were typing: y / n / a work once you pause · Esc cancels the turn"
HELD_KEYS_TO_PROMPT = "You were typing (it goes on into your prompt): y / n / a work once you pause · Esc cancels the turn"


class EditApproval(HeldKeys, ModalScreen[Decision]):
    """One proposed change, with focus, until the user answers."""

    CSS_PATH = "edit_approval.tcss"
    BINDINGS = [
        Binding("y", "apply", "Apply", id="edit_apply", tooltip="Write this change"),
        Binding("n", "reject", "Reject", id="edit_reject", tooltip="Don't write it; say why in one line (sent to the model)"),
        Binding("a", "apply_all", "Apply all", id="edit_apply_all", tooltip="Write this and every further change of this turn"),
        Binding("escape", "cancel_turn", "Cancel turn", id="edit_cancel_turn", tooltip="Write nothing and stop the turn"),
    ]

    ANSWERS = frozenset("yna")
    HELD_ACTIONS = frozenset({"apply", "reject", "apply_all"})
    NOTE_WHEN_HELD = False  # the keys line says it

    def __init__(self, proposal: EditProposed, drift: list[Finding] | None = None, *, hold_keys: bool | None = None,
                 typing_into=None) -> None:
        """`hold_keys`, `typing_into`: as HeldKeys finds them on opening, unless given."""
        super().__init__()
        self.proposal = proposal
        self.drift = drift or []
        self.hold_keys = hold_keys
        self.typing_into = typing_into

    @property
    def held_text(self) -> str:
        return HELD_KEYS_TO_PROMPT if self.typing_into is not None else HELD_KEYS

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
            yield Static(KEYS, id="approval-keys")
            yield self.typed_line()
            yield Input(placeholder="Why not? (one line for the model; Enter sends, Esc skips)", id="approval-reason")

    def on_mount(self) -> None:
        if self.proposal.edit is not None:
            diff_view = self.query_one(DiffView)
            diff_view.show_diff(self.proposal.edit.diff, "unified")
            diff_view.focus()
        else:
            self.query_one("#approval-box").focus()

    def held_changed(self, held: bool) -> None:
        self.query_one("#approval-keys", Static).update(self.held_text if held else KEYS)
        super().held_changed(held)

    def _typing_paused(self) -> bool:
        return self.asking_reason  # y/n/a are letters of the reason

    @property
    def asking_reason(self) -> bool:
        return self.has_class("asking-reason")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the reason is typed, y/n/a are letters of it.
        if self.asking_reason and action in self.HELD_ACTIONS:
            return False
        return super().check_action(action, parameters)

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
