"""Anthropic's text editor tool (`str_replace_based_edit_tool`) run against the project.

`view` answers at once. `create`, `str_replace` and `insert` become a ProposedEdit: the
whole change as a diff, applied only when the user (or `--apply-edits`) approves it, written
atomically and never over a file that changed on disk since the model viewed it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.atomic_write import ConflictError, FileSnapshot, read_snapshot, write_atomic
from core.handoff.plan_diff import PlanDiff, diff_texts
from core.tools.paths import PathRefused, resolve_in_project, shown

TOOL_NAME = "str_replace_based_edit_tool"
TOOL_SPEC = {"type": "text_editor_20250728", "name": TOOL_NAME}
EDIT_COMMANDS = ("create", "str_replace", "insert")
MAX_VIEW_CHARS = 60_000  # a view longer than this is clipped; the model can ask for a range
LISTING_SKIP = {".git", "node_modules", "__pycache__", ".venv", "venv"}


@dataclass(frozen=True)
class ToolAnswer:
    """What goes back to the model as the tool_result."""

    content: str
    is_error: bool = False


@dataclass(frozen=True)
class ProposedEdit:
    """A change the model asked for, shown as a diff; nothing is written until `apply`."""

    command: str
    path: Path
    display_path: str
    old_text: str
    new_text: str
    expected: FileSnapshot | None  # None: the file must not exist yet
    success: str
    diff: PlanDiff = field(compare=False, repr=False)

    @property
    def is_new_file(self) -> bool:
        return self.expected is None


def _numbered(text: str, start: int = 1) -> str:
    return "\n".join(f"{number}: {line}" for number, line in enumerate(text.split("\n"), start))


class TextEditor:
    """One pane's text editor over `root`; remembers what the model viewed, to catch edits made since."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = Path(root)
        self.read_only = read_only
        self.viewed: dict[Path, FileSnapshot] = {}

    # -- the tool call ---------------------------------------------------------------------

    def handle(self, tool_input: Any) -> ToolAnswer | ProposedEdit:
        """Answer a `view`, or turn an edit into a ProposedEdit; bad input is an error answer."""
        if not isinstance(tool_input, dict):
            return ToolAnswer("Error: the tool input must be an object.", True)
        command = tool_input.get("command")
        try:
            if command == "view":
                return self._view(tool_input)
            if command in EDIT_COMMANDS:
                if self.read_only:
                    return ToolAnswer(
                        f"Error: {command} is not available in the planning pane; it can only view files. "
                        "Write the change into the plan for the execution pane.",
                        True,
                    )
                return getattr(self, f"_{command}")(tool_input)
            if command == "undo_edit":
                return ToolAnswer("Error: undo_edit is not supported by text_editor_20250728.", True)
            return ToolAnswer(f"Error: unknown command {command!r}; use view, create, str_replace or insert.", True)
        except PathRefused as refused:
            return ToolAnswer(str(refused), True)

    def apply(self, edit: ProposedEdit) -> ToolAnswer:
        """Write an approved edit; a file changed on disk since it was read is left alone."""
        try:
            if edit.expected is None:
                edit.path.parent.mkdir(parents=True, exist_ok=True)
                written = write_atomic(edit.path, edit.new_text, expected=None, create_only=True)
            else:
                written = write_atomic(edit.path, edit.new_text, expected=edit.expected)
        except ConflictError:
            return ToolAnswer(
                f"Error: {edit.display_path} changed on disk since you viewed it; nothing was written. "
                "View it again before editing.",
                True,
            )
        except FileExistsError:
            return ToolAnswer(f"Error: {edit.display_path} appeared on disk meanwhile; nothing was written.", True)
        except OSError as error:
            return ToolAnswer(f"Error: could not write {edit.display_path}: {error.strerror or error}.", True)
        self.viewed[edit.path] = written
        return ToolAnswer(edit.success)

    # -- commands --------------------------------------------------------------------------

    def _view(self, tool_input: dict[str, Any]) -> ToolAnswer:
        path = resolve_in_project(self.root, tool_input.get("path"))
        if path.is_dir():
            return ToolAnswer(self._listing(path))
        snapshot = read_snapshot(path)
        if snapshot is None:
            return ToolAnswer(f"Error: File not found: {tool_input.get('path')}", True)
        self.viewed[path] = snapshot
        text = snapshot.text
        view_range = tool_input.get("view_range")
        start = 1
        if view_range is not None:
            lines = text.split("\n")
            if (
                not isinstance(view_range, list)
                or len(view_range) != 2
                or not all(isinstance(n, int) for n in view_range)
            ):
                return ToolAnswer("Error: view_range must be two line numbers [start, end].", True)
            first, last = view_range
            last = len(lines) if last == -1 else last
            if first < 1 or first > len(lines) or last < first:
                return ToolAnswer(f"Error: invalid view_range {view_range}: the file has {len(lines)} lines.", True)
            start, text = first, "\n".join(lines[first - 1 : last])
        body = _numbered(text, start)
        if len(body) > MAX_VIEW_CHARS:
            body = body[:MAX_VIEW_CHARS] + "\n<response clipped: view a smaller view_range>"
        return ToolAnswer(body)

    def _listing(self, directory: Path) -> str:
        entries: list[str] = []
        for current, dirs, files in os.walk(directory):
            depth = len(Path(current).relative_to(directory).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in LISTING_SKIP)
            if depth >= 1:
                dirs[:] = []  # two levels deep, as the tool's spec says
            base = Path(current)
            for name in dirs:
                entries.append(shown(self.root, base / name) + "/")
            for name in sorted(files):
                if not name.startswith("."):
                    entries.append(shown(self.root, base / name))
        return "\n".join(sorted(entries)) or "(empty directory)"

    def _current(self, raw: Any, command: str) -> tuple[Path, FileSnapshot]:
        """The file an edit works on, as the model last saw it; refuses a file changed since."""
        path = resolve_in_project(self.root, raw, for_write=True)
        snapshot = read_snapshot(path)
        if snapshot is None or path.is_dir():
            raise PathRefused(f"Error: File not found: {raw}")
        seen = self.viewed.get(path)
        if seen is not None and seen.sha256 != snapshot.sha256:
            raise PathRefused(
                f"Error: {raw} changed on disk since you viewed it; view it again before {command}."
            )
        return path, snapshot

    def _proposal(
        self, command: str, path: Path, old: str, new: str, expected: FileSnapshot | None, success: str
    ) -> ProposedEdit | ToolAnswer:
        if expected is not None and old == new:
            # Nothing would change (a file created again as it is, a replacement by itself): no
            # dialog asking about an empty diff, and the model hears so.
            return ToolAnswer(f"No change: {shown(self.root, path)} already has exactly this content; nothing was written.")
        return ProposedEdit(command, path, shown(self.root, path), old, new, expected, success, diff_texts(old, new))

    def _create(self, tool_input: dict[str, Any]) -> ToolAnswer | ProposedEdit:
        raw = tool_input.get("path")
        text = tool_input.get("file_text")
        if not isinstance(text, str):
            return ToolAnswer("Error: create needs file_text.", True)
        path = resolve_in_project(self.root, raw, for_write=True)
        if path.is_dir():
            return ToolAnswer(f"Error: {raw} is a directory.", True)
        if os.path.lexists(path):
            # Over an existing file: the whole replacement is shown as a diff against it.
            path, snapshot = self._current(raw, "overwriting it")
            return self._proposal("create", path, snapshot.text, text, snapshot, f"File overwritten: {raw}")
        return self._proposal("create", path, "", text, None, f"File created successfully at: {raw}")

    def _str_replace(self, tool_input: dict[str, Any]) -> ToolAnswer | ProposedEdit:
        raw = tool_input.get("path")
        old, new = tool_input.get("old_str"), tool_input.get("new_str", "")
        if not isinstance(old, str) or not old or not isinstance(new, str):
            return ToolAnswer("Error: str_replace needs old_str (not empty) and new_str.", True)
        path, snapshot = self._current(raw, "replacing text in it")
        found = snapshot.text.count(old)
        if found == 0:
            return ToolAnswer("Error: No match found for replacement. Please check your text and try again.", True)
        if found > 1:
            return ToolAnswer(
                f"Error: Found {found} matches for replacement text. Please provide more context to make a unique match.",
                True,
            )
        updated = snapshot.text.replace(old, new, 1)
        return self._proposal("str_replace", path, snapshot.text, updated, snapshot, "Successfully replaced text at exactly one location.")

    def _insert(self, tool_input: dict[str, Any]) -> ToolAnswer | ProposedEdit:
        raw = tool_input.get("path")
        line, new = tool_input.get("insert_line"), tool_input.get("new_str")
        if not isinstance(line, int) or isinstance(line, bool) or not isinstance(new, str):
            return ToolAnswer("Error: insert needs insert_line (a line number) and new_str.", True)
        path, snapshot = self._current(raw, "inserting into it")
        lines = snapshot.text.splitlines(keepends=True)
        if line < 0 or line > len(lines):
            return ToolAnswer(f"Error: insert_line {line} is out of range: the file has {len(lines)} lines.", True)
        if line and not lines[line - 1].endswith(("\n", "\r")):
            lines[line - 1] += "\n"
        piece = new if new.endswith("\n") else new + "\n"
        updated = "".join(lines[:line]) + piece + "".join(lines[line:])
        return self._proposal("insert", path, snapshot.text, updated, snapshot, f"Text inserted after line {line} of {raw}.")


def target_of(tool_input: Any) -> str:
    """The path a call is about, for display."""
    if isinstance(tool_input, dict):
        return str(tool_input.get("path") or tool_input.get("command") or "")
    return ""
