"""F1: every key Segue answers to, where it works, and what it does."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class KeyTable(DataTable):
    """Key, id, action: the actions wrap to the width the table has (a description longer than
    the line was cut off), so the columns are laid out again when that width changes."""

    def __init__(self, rows: list[tuple[str, str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.key_rows = rows
        self._laid_out_for = 0

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._laid_out_for:
            self._laid_out_for = width
            self._lay_out(width)

    def _lay_out(self, width: int) -> None:
        row = self.cursor_row
        self.clear(columns=True)
        padding = 2 * self.cell_padding
        key_width = max(cell_len(text) for text in ["Key", *(key for key, _, _ in self.key_rows)])
        id_width = max(cell_len(text) for text in ["id", *(binding_id for _, binding_id, _ in self.key_rows)])
        self.add_column("Key", width=key_width)
        self.add_column("id", width=id_width)
        self.add_column("Action", width=max(20, width - key_width - id_width - 3 * padding))
        for key, binding_id, description in self.key_rows:
            self.add_row(key, binding_id, Text(description), height=None)
        self.move_cursor(row=row)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 100%; max-width: 110; height: 100%; max-height: 40; border: round $primary; background: $surface; padding: 0 1; }
    HelpScreen #help-title { text-style: bold; padding: 0 0 1 0; }
    HelpScreen DataTable { height: 1fr; scrollbar-gutter: stable; }
    HelpScreen #help-foot { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close_help", tooltip="Close the help"),
        Binding("f1", "dismiss", "Close", id="close_help_f1", show=False, tooltip="Close the help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Segue — keys", id="help-title")
            # The id (what a keymap remaps) goes before the long description, so it is on
            # screen at 80 columns; a pane's keys say so at the start of their description.
            rows = [(key, binding_id or "", f"{where}: {description}" if where == "in a pane" else description)
                    for where, key, description, binding_id in self.key_rows()]
            yield KeyTable(rows, id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Ctrl+P opens the command palette: every action is there too. Keys can be remapped by id.",
                id="help-foot",
            )

    def on_mount(self) -> None:
        self.query_one(KeyTable).focus()

    def key_rows(self) -> list[tuple[str, str, str, str | None]]:
        """(where, key, description, id) for the app's and the panes' bindings."""
        from tui.screens.main_screen import MainScreen
        from tui.widgets.pane import ConversationPane

        rows: list[tuple[str, str, str, str | None]] = []
        seen: set[str] = set()
        sources = [("everywhere", type(self.app)), ("main screen", MainScreen), ("in a pane", ConversationPane)]
        for where, source in sources:
            for binding in source.BINDINGS:
                if not isinstance(binding, Binding) or binding.id in seen:
                    continue
                seen.add(binding.id or binding.key)
                # The user's keymap ([keys] in settings.toml) wins over the default keys.
                key = self.app._keymap.get(binding.id, binding.key) if binding.id else binding.key
                keys = ", ".join(self.app.get_key_display(Binding(k.strip(), "")) for k in key.split(","))
                rows.append((where, keys, binding.tooltip or binding.description, binding.id))
        rows.append(("everywhere", "Ctrl+P", "Command palette: search every action", "command_palette"))
        rows.append(("in a pane", "Enter", "Send the prompt", None))
        rows.append(("in a pane", "Ctrl+J", "Add a line break to the prompt", None))
        rows.append(("main screen", "Space", "In the plan checklist (Tab reaches it): tick or untick the highlighted step in the plan file", None))
        return rows
