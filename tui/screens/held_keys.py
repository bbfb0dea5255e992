"""A dialog that can open while the user is typing: its answer keys wait for a pause in the
typing, and what they type goes on into the prompt they were typing in.

The edit-approval dialog opens when the model reaches an edit, the guard-rail, auto-route and
budget questions a moment after Enter: often mid-sentence, the user's eyes on their prompt. A
letter they type then must neither answer the dialog (a `y` in "they" sent a prompt, applied an
edit) nor be lost. Opened within TYPING_WITHIN of a key, a dialog holds its answers until nobody
has typed for HOLD_UNTIL_QUIET; meanwhile letters, spaces and backspaces go to the prompt that had
focus (its end shows in the dialog, which covers it), Tab moves them to the other pane's prompt
as it would have, and Enter does nothing. A letter that answers nothing means they are still
typing: it goes to the prompt too, and holds the answers again.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Static

from tui import keystrokes

TYPING_WITHIN = 1.0  # opened within this long of a key: the answers are held...
HOLD_UNTIL_QUIET = 0.6  # ...until nobody has pressed a key for this long
TYPED_SHOWN = 60  # characters of the prompt's last line shown while it is typed under the dialog


class HeldKeys:
    """Mixin for a ModalScreen (listed before it). Subclasses name the letters that answer them
    (ANSWERS), the actions those letters run (HELD_ACTIONS, held while typing; Escape's safe
    answer is never held), yield `typed_line()` in compose, and may override `held_changed`.
    `hold_keys` / `typing_into` (set before mount) override what the dialog finds on opening."""

    ANSWERS: frozenset[str] = frozenset()
    HELD_ACTIONS: frozenset[str] = frozenset()
    HELD_NOTE = "You were typing: the keys answer once you pause (Esc still cancels)"
    NOTE_WHEN_HELD = True  # the typed line says so while the keys are held (unless the dialog does)
    _forwarded = False

    keys_held: bool = False
    hold_keys: bool | None = None  # None: hold if a key came within TYPING_WITHIN
    typing_into = None  # the PromptInput that gets the letters; None: the one that had focus
    _holds = 0

    def typed_line(self) -> Static:
        """Where the prompt's end shows once letters go to it from here (hidden until then)."""
        line = Static(id="held-typed")
        line.display = False
        return line

    def on_mount(self) -> None:
        from tui.widgets.prompt_input import PromptInput

        if self.typing_into is None:
            below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
            focused = below.focused if below is not None else None
            self.typing_into = focused if isinstance(focused, PromptInput) else None
        hold = keystrokes.typed_within(TYPING_WITHIN) if self.hold_keys is None else self.hold_keys
        if hold:
            self._hold_keys()

    def held_changed(self, held: bool) -> None:
        """The answers were just held (someone is typing) or released."""
        self._show_typed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.keys_held and action in self.HELD_ACTIONS:
            return False
        return True

    def _hold_keys(self) -> None:
        if not self.keys_held:
            self.keys_held = True
            self.held_changed(True)
        # Each hold waits afresh (an older wait still pending finds itself outdated).
        self._holds += 1
        hold = self._holds
        keystrokes.when_quiet(self, HOLD_UNTIL_QUIET, lambda: self._release_keys(hold))

    def _release_keys(self, hold: int) -> None:
        if hold != self._holds:
            return
        self.keys_held = False
        self.held_changed(False)

    def _typing_paused(self) -> bool:
        """Keys go to the dialog itself (its reason box, say): nothing is forwarded."""
        return False

    def on_key(self, event: events.Key) -> None:
        prompt = self.typing_into
        if prompt is None or self._typing_paused() or not prompt.is_attached or prompt.read_only:
            return
        typed = event.character if event.is_printable and event.character else None
        if event.key in ("backspace", "enter", "tab", "shift+tab"):
            if not self.keys_held:
                return
        elif typed is None or (not self.keys_held and typed in self.ANSWERS):
            return
        event.stop()
        event.prevent_default()
        if event.key == "enter":
            pass  # a send (or a dialog's button) from the middle of someone's typing: neither
        elif event.key in ("tab", "shift+tab"):
            self._move_to_other_prompt(prompt, event.key == "tab")
        elif typed is None:
            prompt.action_delete_left()
        else:
            prompt.replace(typed, *prompt.selection, maintain_selection_offset=False)
        self._forwarded = True
        self._hold_keys()
        self._show_typed()

    def _move_to_other_prompt(self, prompt, forward: bool) -> None:
        from tui.widgets.prompt_input import PromptInput

        prompts = list(prompt.screen.query(PromptInput))
        if len(prompts) < 2 or prompt not in prompts:
            return
        step = 1 if forward else -1
        self.typing_into = target = prompts[(prompts.index(prompt) + step) % len(prompts)]
        target.screen.set_focus(target)  # where focus returns once the dialog is answered

    def _show_typed(self) -> None:
        """The prompt is under the dialog: its last line's end shows here as it is typed, and,
        while the keys are held, that they are."""
        from rich.text import Text

        shown = self.query("#held-typed")
        if not shown:
            return
        parts: list = []
        if self._forwarded and self.typing_into is not None:
            line = self.typing_into.value.rsplit("\n", 1)[-1]
            tail = line if len(line) <= TYPED_SHOWN else "…" + line[-(TYPED_SHOWN - 1):]
            parts += [("Your prompt: ", "bold"), tail, ("▏", "reverse")]
        if self.keys_held and self.NOTE_WHEN_HELD:
            parts += [("  " if parts else "") + self.HELD_NOTE]
        line_widget = shown.first(Static)
        line_widget.update(Text.assemble(*parts))
        line_widget.display = bool(parts)
