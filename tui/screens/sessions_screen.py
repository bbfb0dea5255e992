"""The session list: a project's stored sessions to open, rename, delete or search; the start screen when some exist."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Static

from core import models
from core.costs.money import format_usd
from core.store.database import SessionSummary, Store, StoreError
from core.terminal_text import printable


class RenameSessionModal(ModalScreen[str | None]):
    """Asks for a session's new title; dismisses with it, or None when cancelled."""

    CSS_PATH = "sessions_screen.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="rename_cancel", tooltip="Keep the old title"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.old_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box", classes="session-dialog"):
            yield Static("Rename session", classes="dialog-title")
            yield Input(self.old_title, placeholder="A title you will recognise", id="rename-input")
            yield Static("Enter saves · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        event.stop()
        title = event.value.strip()
        self.dismiss(title if title else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDeleteModal(ModalScreen[bool]):
    """Asks before a session and its messages are deleted for good."""

    CSS_PATH = "sessions_screen.tcss"
    BINDINGS = [
        Binding("y", "confirm", "Delete", id="delete_confirm", tooltip="Delete the session and its messages"),
        Binding("escape", "cancel", "Keep", id="delete_cancel", tooltip="Keep the session"),
        Binding("n", "cancel", "Keep", id="delete_cancel_n", show=False, tooltip="Keep the session"),
    ]

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        title = printable(self.summary.title) if self.summary.title else "(untitled)"
        count = self.summary.message_count
        with Vertical(id="delete-box", classes="session-dialog"):
            yield Static("Delete session?", classes="dialog-title")
            yield Static(
                Content(f"“{title}” and its {count} message{'s' if count != 1 else ''} will be deleted. This can't be undone."),
                id="delete-question",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete (y)", variant="error", id="delete-yes")
                yield Button("Keep (n)", id="delete-no")

    def on_mount(self) -> None:
        # The safe choice has focus, so a stray Enter keeps the session.
        self.query_one("#delete-no", Button).focus()

    @on(Button.Pressed, "#delete-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#delete-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class SessionsTable(DataTable):
    """The list of sessions; typing on it goes to the search box."""

    def on_key(self, event) -> None:
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            search = self.screen.query_one("#sessions-search", Input)
            search.focus()
            if event.character != "/":  # `/` still just opens the search, as before
                search.insert_text_at_cursor(event.character)


class SessionsScreen(Screen[str | None]):
    """Lists the sessions of `project_dir`. Dismisses with the id to open, or None for a new session.

    With `current_id` (opened from inside a session), Esc goes back to that session.
    """

    CSS_PATH = "sessions_screen.tcss"
    BINDINGS = [
        Binding("enter", "open_session", "Open", id="sessions_open", tooltip="Resume the highlighted session"),
        # No letter keys: typing filters the list (a letter would otherwise delete or rename).
        Binding("ctrl+n", "new_session", "New", id="sessions_new", tooltip="Start a fresh session in this project"),
        Binding("ctrl+r", "rename_session", "Rename", id="sessions_rename", tooltip="Give the highlighted session a new title"),
        Binding("delete", "delete_session", "Delete", id="sessions_delete", tooltip="Delete the highlighted session (asks first)"),
        Binding("escape", "back", "Back", id="sessions_back", tooltip="Clear the search, or go back to the current session"),
    ]

    def __init__(self, store: Store, project_dir: str, *, current_id: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.project_dir = str(project_dir)
        self.current_id = current_id
        self.summaries: dict[str, SessionSummary] = {}
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="sessions-box"):
            yield Static(Content(printable(f"Sessions · {self.project_dir}")), id="sessions-title")
            yield Input(placeholder="Search titles and messages…", id="sessions-search", select_on_focus=False)
            yield SessionsTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="sessions-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The title takes what the other columns leave, so the row fits an 80-column terminal.
        table.add_column("Title", key="title", width=max(12, self.app.size.width - 64))
        table.add_column("Last used", key="date")
        table.add_column("Models", key="models")
        table.add_column(Text("Cost", justify="right"), key="cost")
        table.add_column(Text("Msgs", justify="right"), key="messages")
        table.focus()
        self.reload()

    # -- loading ----------------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        self.load_sessions(self.query_text, keep)

    @work(thread=True, exclusive=True, group="sessions-list")
    def load_sessions(self, search: str, keep: str | None) -> None:
        # Searching message text reads every message; a thread keeps typing responsive.
        try:
            found = self.store.list_sessions(self.project_dir, search or None, include_empty=False)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.show_sessions, found, search, keep)

    def show_sessions(self, found: list[SessionSummary], search: str, keep: str | None) -> None:
        if search != self.query_text or not self.is_attached:
            return  # an older search finished after a newer one was typed
        table = self.query_one(DataTable)
        table.clear()
        self.summaries = {summary.id: summary for summary in found}
        for summary in found:
            table.add_row(
                Text(printable(summary.title)) if summary.title else Text("(untitled)", style="italic"),
                summary.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                self._models_cell(summary),
                Text(format_usd(summary.cost_usd) + ("+?" if summary.unknown_cost_rows else ""), justify="right"),
                Text(str(summary.message_count), justify="right"),
                key=summary.id,
            )
        if keep in self.summaries:
            table.move_cursor(row=table.get_row_index(keep))
        empty = self.query_one("#sessions-empty", Static)
        if found:
            empty.update("")
        elif search:
            empty.update(f"No session mentions “{search}”. Esc clears the search.")
        else:
            empty.update("No sessions for this project yet. Press n to start one.")
        empty.set_class(not found, "shown")

    def _models_cell(self, summary: SessionSummary) -> Text:
        # Opus and Sonnet keep their accent colours everywhere; read them from the theme.
        variables = self.app.theme_variables
        cell = Text()
        for index, model_id in enumerate(summary.models):
            if index:
                cell.append(" · ")
            colour = variables.get(models.family_of(model_id))
            cell.append(models.display_name(model_id), style=colour or "")
        return cell

    # -- selection --------------------------------------------------------------------

    @property
    def highlighted(self) -> SessionSummary | None:
        table = self.query_one(DataTable)
        if not self.summaries or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.summaries.get(key)

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_session()

    # -- actions ----------------------------------------------------------------------

    def action_open_session(self) -> None:
        summary = self.highlighted
        if summary is not None:
            self.dismiss(summary.id)

    def action_new_session(self) -> None:
        self.dismiss(None)

    def action_search(self) -> None:
        self.query_one("#sessions-search", Input).focus()

    @on(Input.Changed, "#sessions-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#sessions-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(DataTable).focus()

    def action_back(self) -> None:
        search = self.query_one("#sessions-search", Input)
        if search.value:
            search.value = ""  # Input.Changed reloads the full list
            self.query_one(DataTable).focus()
        elif search.has_focus:
            self.query_one(DataTable).focus()
        elif self.current_id is not None:
            self.dismiss(self.current_id)

    def action_rename_session(self) -> None:
        summary = self.highlighted
        if summary is None:
            return

        def renamed(title: str | None) -> None:
            if title and title != summary.title:
                try:
                    self.store.rename_session(summary.id, title)
                except StoreError as error:
                    self.notify(str(error), severity="error")
                    return
                self.reload(keep=summary.id)

        self.app.push_screen(RenameSessionModal(summary.title), renamed)

    def action_delete_session(self) -> None:
        summary = self.highlighted
        if summary is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.delete_session(summary.id)
            except StoreError as error:
                self.notify(str(error), severity="error")
                return
            if summary.id == self.current_id:
                self.current_id = None  # there is nothing to go back to any more
            self.notify(f"Deleted “{summary.title or '(untitled)'}”.")
            self.reload()

        self.app.push_screen(ConfirmDeleteModal(summary), confirmed)
