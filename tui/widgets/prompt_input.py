"""The prompt box: a text area one line high that grows with what is typed (up to 8 lines).

Enter sends and Ctrl+J adds a line break: Shift+Enter does not reach the app through many
terminals and tmux, while Ctrl+J arrives everywhere (it is the line-feed byte). The text
area keeps its own editing keys (Ctrl+A/E/K/U/W/X/C/V/Z/Y); F6 and F7, which TextArea would
take for selecting a line and everything, stay the app's (sessions, effort).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

# The app's keys: TextArea binds these for selection, which would hide them while typing.
_APP_KEYS = {"f6", "f7"}


def _without_app_keys(binding: Binding) -> Binding | None:
    keys = [key for key in binding.key.split(",") if key.strip() not in _APP_KEYS]
    if not keys:
        return None
    return Binding(",".join(keys), binding.action, binding.description, show=binding.show,
                   key_display=binding.key_display, priority=binding.priority, id=binding.id,
                   tooltip=binding.tooltip)


_TEXT_AREA_BINDINGS = [
    kept for binding in TextArea.BINDINGS
    if isinstance(binding, Binding) and (kept := _without_app_keys(binding)) is not None
]


class PromptInput(TextArea, inherit_bindings=False):
    """The pane's prompt box. `value` is its text, as with an Input."""

    BINDINGS = _TEXT_AREA_BINDINGS
    REPORTS_DRAWN = True  # render_lines tells tui/keystrokes.py (tui/key_first.py relies on it)

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 10;  /* 8 lines inside the border */
    }
    PromptInput.-textual-compact {
        min-height: 1;
        max-height: 4;
    }
    """

    @dataclass
    class Submitted(Message):
        """Enter in the prompt box: `value` is the whole prompt, line breaks included."""

        input: PromptInput
        value: str

        @property
        def control(self) -> PromptInput:
            return self.input

    def __init__(self, value: str = "", *, placeholder: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(value, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
                         highlight_cursor_line=False, placeholder=placeholder, id=id, classes=classes)

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        # Filled in by the app (the hand-off prompt): ready to add to, not to retype.
        self.load_text(text)
        self.move_cursor(self.document.end)

    @property
    def cursor_position(self) -> int:
        """The cursor as a character offset into `value`."""
        return self.document.get_index_from_location(self.cursor_location)

    @cursor_position.setter
    def cursor_position(self, offset: int) -> None:
        self.move_cursor(self.document.get_location_from_index(max(0, min(offset, len(self.text)))))

    def edit(self, edit):
        result = super().edit(edit)
        # A key's change (a character, a paste, an undo): the next paint of the prompt is the
        # frame that shows it. Noted here, before anything can paint it (tui/key_first.py paints
        # a key's prompt as soon as its change reaches the screen, before the Changed message is
        # handled), so a paint of the old text never counts as the key's frame.
        from tui import keystrokes

        keystrokes.changed_by_key()
        return result

    def render_lines(self, crop):
        lines = super().render_lines(crop)
        # The frame with the last key in it is being made: streamed text waiting to be drawn
        # after it may go now (tui/widgets/reply_sections.py).
        from tui import keystrokes

        keystrokes.drawn()
        return lines

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key == "ctrl+j":
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self.replace("\n", start, end, maintain_selection_offset=False)
            return
        await super()._on_key(event)
