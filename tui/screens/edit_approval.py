"""Asks before the model's edit (or allow-listed command) runs: the change as a diff, then y / n / a / Esc.

Dismisses with a core.events.Decision: "apply", "reject" (with the one-line reason the user
typed, which goes back to the model), "apply_all" (this and the rest of the turn), "cancel".
A file edit that departs from a decision in effect (core.drift) shows the decision above the diff.

The dialog opens when the model gets to an edit, often while the user is typing the next prompt
in the other pane. Opened then, it holds y / n / a until the typing pauses, so the letters of a
sentence don't answer it, and what they type goes on into the prompt they were typing in: a
letter is not lost to a dialog they had not seen yet. A letter that answers nothing (not y, n or
a) means they are still typing: it goes to the prompt too, and holds the answers again.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from tui import keystrokes
from core.drift.check import Finding
from core.events import Decision, EditProposed
from tui.widgets.diff_view import DiffView
from tui.widgets.drift_notice import notice_text


# Opened within this long of a key: the answer keys are held...
TYPING_WITHIN = 1.0
# ...until nobody has pressed a key for this long.
HOLD_UNTIL_QUIET = 0.6
KEYS = "y apply · n reject · a apply the rest of this turn · Esc cancel the turn"
HELD_KEYS = "You were typing: y / n / a work once you pause · Esc cancels the turn"
HELD_KEYS_TO_PROMPT = "You were typing (it goes on into your prompt): y / n / a work once you pause · Esc cancels the turn"
ANSWERS = frozenset("yna")
TYPED_SHOWN = 60  # characters of the prompt's last line shown while it is typed under the dialog


class EditApproval(ModalScreen[Decision]):
    """One proposed change, with focus, until the user answers."""

    CSS_PATH = "edit_approval.tcss"
    BINDINGS = [
        Binding("y", "apply", "Apply", id="edit_apply", tooltip="Write this change"),
        Binding("n", "reject", "Reject", id="edit_reject", tooltip="Don't write it; say why in one line (sent to the model)"),
        Binding("a", "apply_all", "Apply all", id="edit_apply_all", tooltip="Write this and every further change of this turn"),
        Binding("escape", "cancel_turn", "Cancel turn", id="edit_cancel_turn", tooltip="Write nothing and stop the turn"),
    ]

    def __init__(self, proposal: EditProposed, drift: list[Finding] | None = None, *, hold_keys: bool = False,
                 typing_into: TextArea | None = None) -> None:
        """`hold_keys`: someone was typing as it opened. `typing_into`: the prompt they were
        typing in, which gets their letters while the answers are held."""
        super().__init__()
        self.proposal = proposal
        self.drift = drift or []
        self.keys_held = hold_keys
        self.typing_into = typing_into
        self._holds = 0

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
            yield Static(self.held_text if self.keys_held else KEYS, id="approval-keys")
            yield Static(id="approval-typed")  # the prompt's end, once letters go to it from here
            yield Input(placeholder="Why not? (one line for the model; Enter sends, Esc skips)", id="approval-reason")

    def on_mount(self) -> None:
        if self.proposal.edit is not None:
            diff_view = self.query_one(DiffView)
            diff_view.show_diff(self.proposal.edit.diff, "unified")
            diff_view.focus()
        else:
            self.query_one("#approval-box").focus()
        if self.keys_held:
            self._hold_keys()

    def _hold_keys(self) -> None:
        if not self.keys_held:
            self.keys_held = True
            self.query_one("#approval-keys", Static).update(self.held_text)
        # Each hold waits afresh (an older wait still pending finds itself outdated).
        self._holds += 1
        hold = self._holds
        keystrokes.when_quiet(self, HOLD_UNTIL_QUIET, lambda: self._release_keys(hold))

    def _release_keys(self, hold: int) -> None:
        if hold != self._holds:
            return
        self.keys_held = False
        self.query_one("#approval-keys", Static).update(KEYS)

    def on_key(self, event: events.Key) -> None:
        """While the answers are held (or on a letter that answers nothing), the user is typing
        their prompt: the letter, space or backspace goes there."""
        prompt = self.typing_into
        if prompt is None or self.asking_reason or not prompt.is_attached or prompt.read_only:
            return
        typed = event.character if event.is_printable and event.character else None
        if event.key == "backspace":
            if not self.keys_held:
                return
        elif typed is None or (not self.keys_held and typed in ANSWERS):
            return
        event.stop()
        event.prevent_default()
        if typed is None:
            prompt.action_delete_left()
        else:
            prompt.replace(typed, *prompt.selection, maintain_selection_offset=False)
        self._hold_keys()
        self._show_typed(prompt.value)

    def _show_typed(self, text: str) -> None:
        """The prompt is under the dialog: its last line's end shows here as it is typed."""
        from rich.text import Text

        line = text.rsplit("\n", 1)[-1]
        tail = line if len(line) <= TYPED_SHOWN else "…" + line[-(TYPED_SHOWN - 1):]
        shown = self.query_one("#approval-typed", Static)
        shown.update(Text.assemble(("Your prompt: ", "bold"), tail, ("▏", "reverse")))
        shown.add_class("-shown")

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
