"""Record a decision in CLAUDE.md under a heading, so the executing model works under the same rules."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from core.atomic_write import ConflictError, FileSnapshot, keep_both
from core.handoff.claude_md import add_decision, record_decision, see_plan_line
from core.handoff.project_files import FileProblem, claude_md_path, read_text_file


class DecisionDialog(ModalScreen[FileSnapshot | None]):
    """Dismisses with the CLAUDE.md snapshot written, or None if nothing was added to CLAUDE.md."""

    CSS_PATH = "decision_dialog.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="decision_cancel", tooltip="Close without changing CLAUDE.md"),
    ]

    def __init__(self, project_dir: Path, plan_file: str | None, suggested_heading: str, suggested_decision: str) -> None:
        super().__init__()
        self.project_dir = Path(project_dir)
        self.plan_file = plan_file
        self.suggested_heading = suggested_heading
        self.suggested_decision = suggested_decision
        self.path = claude_md_path(self.project_dir)
        # CLAUDE.md as it was when the dialog opened: the decision is added to exactly this text.
        self.opened: FileSnapshot | None = None
        self.problem: str | None = None
        self.conflict_copy: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="decision-box"):
            yield Static("Record a decision in CLAUDE.md", id="decision-title")
            yield Static("", id="decision-target")
            yield Static("Heading", classes="field-label")
            yield Input(self.suggested_heading, placeholder="Authentication", id="decision-heading")
            yield Static("Decision", classes="field-label")
            yield Input(self.suggested_decision, placeholder="Hash passwords with Argon2id", id="decision-text")
            if self.plan_file:
                yield Checkbox(f"Add “{see_plan_line(self.plan_file)}”", True, id="decision-see")
            yield Static("", id="decision-preview")
            yield Static("", id="decision-status")
            with Horizontal(id="decision-buttons"):
                yield Button("Record", id="decision-record", variant="primary")
                yield Button("Add to the current CLAUDE.md", id="decision-retry", variant="warning")
                yield Button("Cancel", id="decision-cancel")

    def on_mount(self) -> None:
        self.query_one("#decision-retry").display = False
        target = self.query_one("#decision-target", Static)
        if self.path.exists():
            try:
                self.opened = read_text_file(self.path)
                lines = self.opened.text.count("\n")
                target.update(f"{self.path} · {lines} lines")
            except FileProblem as error:
                self.problem = f"{error} Segue will not change it; fix it in an editor first."
                target.update(self.problem)
                target.add_class("problem")
                self.query_one("#decision-record", Button).disabled = True
        else:
            target.update(f"{self.path} does not exist yet; it will be created.")
        self.update_preview()
        focus = "#decision-heading" if not self.suggested_heading.strip() else "#decision-text"
        self.query_one(focus, Input).focus()

    # -- helpers ------------------------------------------------------------------------

    def values(self) -> tuple[str, str, str | None]:
        heading = self.query_one("#decision-heading", Input).value
        decision = self.query_one("#decision-text", Input).value
        see = None
        if self.plan_file and self.query_one("#decision-see", Checkbox).value:
            see = self.plan_file
        return heading, decision, see

    def status(self, message: str, kind: str = "") -> None:
        status = self.query_one("#decision-status", Static)
        for name in ("error", "warning"):
            status.set_class(name == kind, name)
        status.update(message)

    def update_preview(self) -> None:
        heading, decision, see = self.values()
        heading = " ".join(heading.split()).lstrip("#").strip()
        decision = " ".join(decision.split())
        lines = [f"## {heading or '…'}", f"- {decision or '…'}"]
        if see:
            lines.append(f"- {see_plan_line(see)}")
        self.query_one("#decision-preview", Static).update("\n".join(lines))

    # -- events -------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self.update_preview()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.update_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "decision-heading":
            self.query_one("#decision-text", Input).focus()
        elif self.conflict_copy is None:
            self.record()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "decision-record":
            self.record()
        elif event.button.id == "decision-retry":
            self.record(fresh=True)
        elif event.button.id == "decision-cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- writing ------------------------------------------------------------------------

    def record(self, *, fresh: bool = False) -> None:
        """Add the decision to the text read when the dialog opened (or, with `fresh`, to what is on disk now)."""
        if self.problem:
            return
        heading, decision, see = self.values()
        try:
            add_decision("", heading, decision)  # validates both fields
        except ValueError as error:
            self.status(str(error), "error")
            return
        expected = None if fresh else self.opened
        try:
            snapshot = record_decision(self.project_dir, heading, decision, see, expected=expected)
        except ConflictError as error:
            self.on_conflict(error, heading, decision, see)
            return
        except FileExistsError:
            # CLAUDE.md appeared after the dialog opened: add to it as it is now (adding loses nothing).
            self.record(fresh=True)
            return
        except FileProblem as error:
            self.status(f"{error} Segue did not change it.", "error")
            return
        except OSError as error:
            self.status(f"Could not write CLAUDE.md: {error.strerror or error}. Nothing was changed.", "error")
            return
        self.dismiss(snapshot)

    def on_conflict(self, error: ConflictError, heading: str, decision: str, see: str | None) -> None:
        """Someone edited CLAUDE.md while the dialog was open: keep their file, keep ours beside it."""
        assert self.opened is not None
        ours = add_decision(self.opened.text, heading, decision, see)
        try:
            self.conflict_copy = keep_both(self.path, ours)
        except OSError as write_error:
            self.status(f"{error} Saving a copy failed too: {write_error.strerror or write_error}.", "error")
            return
        self.status(
            f"CLAUDE.md changed on disk after this dialog opened, so Segue left it as it is. "
            f"Your version is saved as {self.conflict_copy.name}. "
            "You can also add the decision to the current CLAUDE.md.",
            "warning",
        )
        self.query_one("#decision-record").display = False
        retry = self.query_one("#decision-retry", Button)
        retry.display = True
        retry.focus()
        self.query_one("#decision-cancel", Button).label = "Close"
