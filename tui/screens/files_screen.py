"""The files panel: CLAUDE.md and the plan files, the active plan marked, one shown rendered beside the list."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from core.atomic_write import FileSnapshot
from core.handoff.file_watch import FileChange
from core.handoff.project_files import (
    FileProblem,
    active_plan,
    claude_md_path,
    find_plan_files,
    is_plan_file,
    read_text_file,
)
from core.terminal_text import printable


@dataclass(frozen=True)
class FileEntry:
    """A row of the panel: the file's text, or why it can't be used, or that it does not exist yet."""

    path: Path
    snapshot: FileSnapshot | None = None
    problem: str | None = None
    missing: bool = False


def read_entry(path: Path) -> FileEntry:
    if not path.exists():
        return FileEntry(path, missing=True)
    try:
        return FileEntry(path, snapshot=read_text_file(path))
    except FileProblem as error:
        return FileEntry(path, problem=str(error))


def editor_command() -> list[str] | None:
    """$VISUAL, else $EDITOR, split like a shell would ("code --wait" is two words)."""
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError:
                continue
            if words:
                return words
    return None


class FilesScreen(ModalScreen[None]):
    """Lists the handoff files; `a` makes the highlighted plan active, `e` opens it in $EDITOR."""

    CSS_PATH = "files_screen.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="files_close", tooltip="Close the files panel"),
        Binding("a", "make_active", "Make active", id="files_make_active",
                tooltip="Make the highlighted plan the one the execution pane follows"),
        Binding("e", "edit", "Edit", id="files_edit", tooltip="Open the highlighted file in $VISUAL or $EDITOR"),
        Binding("r", "refresh_files", "Refresh", id="files_refresh", tooltip="Read the files from disk again"),
    ]

    class ActivePlanPicked(Message):
        """The user picked `path` as the active plan (bubbles to the app)."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, project_dir: Path, active_plan: Path | None, *, pattern: str = "*_PLAN.md") -> None:
        super().__init__()
        self.project_dir = Path(project_dir)
        self.picked = Path(active_plan) if active_plan is not None else None
        self.pattern = pattern
        self.entries: dict[Path, FileEntry] = {}
        self.shown: Path | None = None

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="files-box"):
            yield Static(Content(printable(f"Files · {self.project_dir}")), id="files-title")
            with Horizontal(id="files-body"):
                yield OptionList(id="files-list")
                with Vertical(id="files-view"):
                    yield Static("", id="files-meta")
                    with VerticalScroll(id="files-scroll"):
                        yield Markdown("", id="files-markdown")
            yield Static("", id="files-note")
            yield Footer(compact=True, show_command_palette=False)  # its keys (a, e, r, Esc) on screen

    def on_mount(self) -> None:
        self.load_entries()
        self.query_one(OptionList).focus()

    # -- state --------------------------------------------------------------------------

    @property
    def active(self) -> Path | None:
        return active_plan(self.project_dir, self.picked, self.pattern)

    def load_entries(self) -> None:
        """Read CLAUDE.md and every plan file from disk."""
        paths = [claude_md_path(self.project_dir), *find_plan_files(self.project_dir, self.pattern)]
        self.entries = {path: read_entry(path) for path in paths}
        self.render_list()

    def apply_changes(self, changes: list[FileChange]) -> None:
        """Bring the panel up to date from a watcher batch, without reading the disk again."""
        names = []
        for change in changes:
            if change.kind == "deleted":
                if change.path == claude_md_path(self.project_dir):
                    self.entries[change.path] = FileEntry(change.path, missing=True)
                else:
                    self.entries.pop(change.path, None)
            else:
                self.entries[change.path] = FileEntry(change.path, change.snapshot, change.problem)
            names.append(f"{self.relative_name(change.path)} {change.kind}")
        if names:
            self.note("Changed on disk: " + ", ".join(names))
        self.render_list()

    def relative_name(self, path: Path) -> str:
        from core.handoff.project_files import project_relative

        return project_relative(path, self.project_dir)

    def _ordered(self) -> list[FileEntry]:
        claude = claude_md_path(self.project_dir)
        plans = sorted((e for p, e in self.entries.items() if p != claude), key=lambda e: self.relative_name(e.path))
        plans.sort(key=lambda e: "/" in self.relative_name(e.path))  # root plans first, then plans/
        first = [self.entries[claude]] if claude in self.entries else []
        return first + plans

    def _prompt(self, entry: FileEntry, active: Path | None) -> Text:
        text = Text()
        is_active = active is not None and entry.path == active
        text.append("● " if is_active else "  ", style="bold")
        text.append(self.relative_name(entry.path), style="bold" if is_active else "")
        if is_active:
            text.append("  active", style="italic")
        if entry.missing:
            text.append("  not created yet", style="dim")
        elif entry.problem:
            text.append(f"  ⚠ {entry.problem}")
        return text

    def render_list(self) -> None:
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        active = self.active
        option_list.set_options(
            Option(self._prompt(entry, active), id=str(entry.path)) for entry in self._ordered()
        )
        ids = [str(entry.path) for entry in self._ordered()]
        if keep in ids:
            option_list.highlighted = ids.index(keep)
        elif ids:
            option_list.highlighted = ids.index(str(active)) if active is not None and str(active) in ids else 0
        target = option_list.highlighted_option
        if target is not None:
            self.show(Path(target.id))

    def highlighted_entry(self) -> FileEntry | None:
        option = self.query_one(OptionList).highlighted_option
        return None if option is None else self.entries.get(Path(option.id))

    # -- showing a file -----------------------------------------------------------------

    def show(self, path: Path) -> None:
        entry = self.entries.get(path)
        if entry is None:
            return
        self.shown = path
        meta = self.query_one("#files-meta", Static)
        meta.set_class(bool(entry.problem), "problem")
        if entry.missing:
            meta.update(f"{self.relative_name(path)} does not exist yet; recording a decision creates it.")
            text = ""
        elif entry.problem:
            meta.update(entry.problem)
            text = ""
        else:
            snapshot = entry.snapshot
            assert snapshot is not None
            lines = snapshot.text.count("\n") + (0 if snapshot.text.endswith("\n") or not snapshot.text else 1)
            meta.update(f"{self.relative_name(path)} · {lines} lines · {snapshot.size:,} bytes")
            text = snapshot.text
        markdown = self.query_one("#files-markdown", Markdown)
        if markdown.source != text:
            markdown.update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.show(Path(event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.show(Path(event.option.id))
            self.query_one("#files-scroll").focus()  # Enter: read it; Tab/Shift+Tab back to the list

    def note(self, message: str, *, problem: bool = False) -> None:
        note = self.query_one("#files-note", Static)
        note.set_class(problem, "problem")
        note.update(message)

    # -- actions ------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_refresh_files(self) -> None:
        self.load_entries()
        self.note("Read again from disk.")

    def action_make_active(self) -> None:
        entry = self.highlighted_entry()
        if entry is None:
            return
        name = self.relative_name(entry.path)
        if not is_plan_file(entry.path, self.project_dir, self.pattern):
            self.note(f"{name} is not a plan file; only a plan can be the active plan.", problem=True)
            return
        if entry.problem:
            self.note(f"{entry.problem} Fix it before making it the active plan.", problem=True)
            return
        self.picked = entry.path
        self.post_message(self.ActivePlanPicked(entry.path))
        self.note(f"{name} is now the active plan: the execution pane follows it.")
        self.render_list()

    def action_edit(self) -> None:
        entry = self.highlighted_entry()
        if entry is None:
            return
        command = editor_command()
        if command is None:
            self.note("Set $EDITOR (or $VISUAL) to open files in your editor, e.g. export EDITOR=vim.", problem=True)
            return
        from textual.app import SuspendNotSupported

        argv = [*command, str(entry.path)]
        try:
            try:
                with self.app.suspend():
                    result = subprocess.run(argv, check=False)
            except SuspendNotSupported:
                if not self.app.is_headless:
                    self.note("This terminal cannot hand the screen to an editor; edit the file from another shell.",
                              problem=True)
                    return
                # Headless (tests, scripted runs): nothing to hand over, run it directly.
                result = subprocess.run(argv, check=False, stdin=subprocess.DEVNULL, capture_output=True)
        except OSError as error:
            self.note(f"Could not start the editor {command[0]!r}: {error.strerror or error}.", problem=True)
            return
        self.entries[entry.path] = read_entry(entry.path)
        if result.returncode != 0:
            self.note(f"The editor exited with status {result.returncode}.", problem=True)
        else:
            self.note(f"Back from the editor; {self.relative_name(entry.path)} read again.")
        self.render_list()
