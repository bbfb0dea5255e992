"""Ctrl+S: save the planning reply as a plan file under a proposed, editable name, never overwriting silently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from core.atomic_write import ConflictError, FileSnapshot, link_destination, outside, read_snapshot, with_final_newline, write_atomic
from core.handoff.plan_naming import unique_plan_name
from core.handoff.project_files import PLANS_DIR, is_plan_file


def validate_plan_name(name: str, project_dir: Path, pattern: str = "*_PLAN.md") -> tuple[Path | None, str | None]:
    """(the path to write, None) or (None, a sentence saying what is wrong with `name`)."""
    name = name.strip()
    if not name:
        return None, "Type a file name for the plan."
    if "\\" in name or name.startswith(("/", "~")) or (len(name) > 1 and name[1] == ":"):
        return None, "Use a name inside the project, like AUTH_PLAN.md or plans/auth.md."
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".") or part.startswith(".") for part in parts):
        return None, "Use a name inside the project, like AUTH_PLAN.md or plans/auth.md."
    if not name.lower().endswith(".md"):
        return None, "A plan file name ends in .md."
    if len(parts) > 1 and parts[0] != PLANS_DIR:
        return None, "Plan files live in the project root or under plans/."
    path = Path(project_dir, *parts)
    if not is_plan_file(path, project_dir, pattern):
        return None, f"{name} would not be found as a plan: name it like {pattern} or put it under plans/."
    if path.is_dir():
        return None, f"{name} is a directory."
    return path, None


class SavePlanDialog(ModalScreen[Path | None]):
    """Dismisses with the Path written, or None if the user cancelled."""

    CSS_PATH = "save_plan_dialog.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save_plan_confirm", show=False, tooltip="Save the plan under the name in the box"),
        Binding("escape", "cancel", "Cancel", id="save_plan_cancel", tooltip="Close without saving; the reply stays in the pane"),
    ]

    def __init__(self, text: str, project_dir: Path, proposed: str, *, pattern: str = "*_PLAN.md") -> None:
        super().__init__()
        self.text = with_final_newline(text)  # so `echo ... >> PLAN` starts a line of its own
        self.project_dir = Path(project_dir)
        self.proposed = proposed
        self.pattern = pattern
        # The version of each existing file as it was when the user first saw it named here:
        # an overwrite replaces exactly that version or nothing.
        self.seen: dict[Path, FileSnapshot | None] = {}
        self.confirming: Path | None = None
        self.confirming_outside = False  # the question on screen is "write outside the project?"
        self.outside_ok: set[Path] = set()  # names the user agreed to write through to outside the project

    def compose(self) -> ComposeResult:
        lines = self.text.count("\n") + (1 if self.text and not self.text.endswith("\n") else 0)
        with Vertical(id="save-box"):
            yield Static("Save the plan", id="save-title")
            yield Static(f"{lines} lines · {len(self.text):,} characters from the planning pane", id="save-summary")
            yield Input(self.proposed, placeholder="AUTH_PLAN.md or plans/auth.md", id="save-name")
            yield Static("", id="save-status")
            with Horizontal(id="save-buttons"):
                yield Button("Save", id="save-save", variant="primary")
                yield Button("Overwrite", id="save-overwrite", variant="error")
                yield Button("Pick another name", id="save-rename")
                yield Button("Cancel", id="save-cancel")

    def on_mount(self) -> None:
        self.show_confirm(False)
        self.check_name()
        self.query_one("#save-name", Input).focus()

    # -- state --------------------------------------------------------------------------

    def status(self, message: str, kind: str = "") -> None:
        status = self.query_one("#save-status", Static)
        for name in ("error", "warning", "ok"):
            status.set_class(name == kind, name)
        status.update(message)

    def show_confirm(self, on: bool) -> None:
        self.query_one("#save-save").display = not on
        self.query_one("#save-overwrite").display = on
        self.query_one("#save-rename").display = on

    def check_name(self) -> Path | None:
        """Validate the typed name and say whether it exists; remember what an existing file holds now."""
        name = self.query_one("#save-name", Input).value
        path, error = validate_plan_name(name, self.project_dir, self.pattern)
        if error:
            self.status(error, "error")
            return None
        assert path is not None
        destination = link_destination(path)
        if destination is not None:
            away = outside(path, self.project_dir)
            where = str(destination) if away else self.relative(destination)
            state = "" if destination.exists() else " (nothing there yet)"
            ask = "; it is outside the project, so saving asks first" if away else ""
            self.status(f"{name.strip()} is a link to {where}{state}{ask}.", "warning")
            if path.exists() and path not in self.seen:
                self.seen[path] = read_snapshot(path)
            return path
        if path.exists():
            if path not in self.seen:
                self.seen[path] = read_snapshot(path)
            snapshot = self.seen[path]
            when = ""
            if snapshot is not None:
                when = f" (modified {dt.datetime.fromtimestamp(snapshot.mtime_ns / 1e9):%Y-%m-%d %H:%M})"
            self.status(f"{name.strip()} exists{when}; saving asks before replacing it.", "warning")
        else:
            self.status(f"New file: {name.strip()}", "ok")
        return path

    # -- events -------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.confirming is not None:
            self.confirming, self.confirming_outside = None, False
            self.show_confirm(False)
        self.check_name()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save-save":
            self.save()
        elif event.button.id == "save-overwrite":
            self.overwrite()
        elif event.button.id == "save-rename":
            self.pick_another_name()
        elif event.button.id == "save-cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- saving -------------------------------------------------------------------------

    def action_save(self) -> None:
        self.save()

    def save(self) -> None:
        path = self.check_name()
        if path is None:
            return
        if self.confirming == path:
            return  # already asking; only the Overwrite button replaces a file
        away = outside(path, self.project_dir)
        if away is not None and path not in self.outside_ok:
            # A link (perhaps dangling) leads out of the project: name the place and ask.
            self.ask_overwrite(
                path,
                f"{self.relative(path)} is a link to {away}, outside the project. Write the plan there, or pick another name?",
                outside_project=True,
            )
            return
        if path.exists():
            destination = link_destination(path)
            through = f" (a link to {self.relative(destination) if away is None else destination})" if destination else ""
            self.ask_overwrite(path, f"{self.relative(path)}{through} already exists. Overwrite it with this plan, or pick another name?")
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, self.text, expected=None, create_only=True)
        except FileExistsError:
            self.seen[path] = read_snapshot(path)
            self.ask_overwrite(path, f"{self.relative(path)} was just created by something else. Overwrite it, or pick another name?")
            return
        except OSError as error:
            self.failed(path, error)
            return
        self.dismiss(path)

    def ask_overwrite(self, path: Path, message: str, *, outside_project: bool = False) -> None:
        self.confirming = path
        self.confirming_outside = outside_project
        self.query_one("#save-overwrite", Button).label = "Write there" if outside_project else "Overwrite"
        self.show_confirm(True)
        self.status(message, "warning")
        self.query_one("#save-rename", Button).focus()  # the safe choice has the focus

    def overwrite(self) -> None:
        path = self.confirming
        if path is None:
            return
        if self.confirming_outside:
            # Agreed to write outside the project; an existing file there still asks before replacing.
            self.outside_ok.add(path)
            self.confirming, self.confirming_outside = None, False
            self.show_confirm(False)
            self.save()
            return
        expected = self.seen.get(path)
        try:
            if expected is None:
                # It did not exist when we looked (or vanished): only create, never replace.
                write_atomic(path, self.text, expected=None, create_only=True)
            else:
                write_atomic(path, self.text, expected=expected)
        except (ConflictError, FileExistsError):
            self.keep_both(path)
            return
        except OSError as error:
            self.failed(path, error)
            return
        self.dismiss(path)

    def keep_both(self, path: Path) -> None:
        """The file changed after the user saw it: leave it and save ours under the next free plan name."""
        relative = self.relative(path)
        try:
            for _attempt in range(100):
                other = self.project_dir / unique_plan_name(relative, self.project_dir)
                try:
                    write_atomic(other, self.text, expected=None, create_only=True)
                    break
                except FileExistsError:
                    continue
            else:  # pragma: no cover - a hundred names taken while we tried
                raise FileExistsError(f"no free name like {relative}")
        except OSError as error:
            self.failed(path, error)
            return
        self.app.notify(
            f"{relative} changed on disk after you chose to overwrite it, so Segue left it alone "
            f"and saved the plan as {self.relative(other)}.",
            title="Kept both",
            severity="warning",
            timeout=10,
        )
        self.dismiss(other)

    def failed(self, path: Path, error: OSError) -> None:
        reason = error.strerror or str(error)
        self.confirming = None
        self.show_confirm(False)
        self.status(f"Could not save {self.relative(path)}: {reason}. The plan is still here; fix that or pick another name.", "error")

    def pick_another_name(self) -> None:
        path = self.confirming
        name_input = self.query_one("#save-name", Input)
        if path is not None:
            name_input.value = unique_plan_name(self.relative(path), self.project_dir)
        name_input.focus()

    def relative(self, path: Path) -> str:
        from core.handoff.project_files import project_relative

        return project_relative(path, self.project_dir)
