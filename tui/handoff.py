"""The app's handoff actions: save a plan, record a decision, hand off, the files panel, watching.

A mixin of SegueApp so app.py stays about layout and turns; every action here is a Binding
there and a palette command.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Static


class ProjectFilesChanged(Message):
    """The watcher saw CLAUDE.md or plan files change on disk."""

    def __init__(self, changes: list[Any], initial: bool = False) -> None:
        super().__init__()
        self.changes = changes
        self.initial = initial  # the files found when watching started, not edits


class HandoffActions:
    """Needs: self.session, self.store, self.settings, self.pane(name), self.saved_plan_reply."""

    # -- the planning reply ----------------------------------------------------------------

    def last_plan_reply(self):
        from tui.widgets.conversation import ReplyView

        replies = [reply for reply in self.pane("plan").query(ReplyView) if reply.text.strip()]
        return replies[-1] if replies else None

    def action_save_plan(self) -> None:
        from core.plan_naming import propose_plan_name
        from tui.screens.save_plan_dialog import SavePlanDialog

        reply = self.last_plan_reply()
        if reply is None:
            self.notify("There is no planning reply to save yet: ask the planning pane first.", severity="warning")
            return
        project = self.session.project_dir
        proposed = propose_plan_name(reply.text, project)

        def saved(path: Path | None) -> None:
            if path is None:
                return
            self.saved_plan_reply = reply
            self.session.pick_plan(path)
            if self.store is not None:
                self.store.record_file_version(str(path), reply.text, "saved")
            self.refresh_context_line()
            self.notify(f"Saved {path.name}. Ctrl+O hands it to the execution pane.", title="Plan saved")

        self.push_screen(SavePlanDialog(reply.text, project, proposed), saved)

    def action_record_decision(self) -> None:
        from core.context_files import active_plan_path
        from core.plan_naming import topic_line
        from tui.screens.decision_dialog import DecisionDialog

        reply = self.last_plan_reply()
        plan = active_plan_path(self.session)
        source = reply.text if reply is not None else (plan.read_text(encoding="utf-8", errors="replace") if plan else "")
        heading = _heading_from(topic_line(source)) if source else ""

        def recorded(snapshot) -> None:
            if snapshot is not None:
                if self.store is not None:
                    self.store.record_file_version(str(snapshot.path), snapshot.text, "saved")
                self.refresh_context_line()
                self.notify("Decision recorded in CLAUDE.md; the execution pane's next message carries it.")

        self.push_screen(
            DecisionDialog(self.session.project_dir, plan.name if plan else None, heading, ""),
            recorded,
        )

    def action_hand_off(self) -> None:
        from core.context_files import active_plan_path
        from core.plan_naming import topic_line

        plan = active_plan_path(self.session)
        if plan is None:
            self.notify("No plan file yet: Ctrl+S saves the planning reply as one.", severity="warning")
            return
        try:
            topic = _heading_from(topic_line(plan.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            topic = ""
        pane = self.pane("exec")
        what = topic.lower() if topic else "the plan"
        pane.prompt_input.value = f"Implement {what} according to {plan.relative_to(self.session.project_dir)}"
        pane.focus_input()
        self.refresh_context_line()
        self.notify(f"Handing {plan.name} to the execution pane: edit the prompt, Enter sends.", title="Hand off")

    def action_show_files(self) -> None:
        from core.context_files import active_plan_path
        from tui.screens.files_screen import FilesScreen

        self.push_screen(FilesScreen(self.session.project_dir, active_plan_path(self.session)))

    def on_files_screen_active_plan_picked(self, event) -> None:
        self.session.pick_plan(event.path)
        self.refresh_context_line()
        self.notify(f"{Path(event.path).name} is now the active plan.")

    # -- the execution context -------------------------------------------------------------

    def refresh_context_line(self) -> None:
        """Show which files (and versions) the execution pane's next message will carry."""
        try:
            context = self.session.context_provider("exec")
        except Exception as error:  # noqa: BLE001 - a bad file must not break the screen
            text = f"context: could not be read ({error})"
        else:
            text = "context: " + context.label()
        self.pane("exec").query_one("#context-exec", Static).update(text)

    # -- watching --------------------------------------------------------------------------

    @work(exclusive=True, group="watch-project", name="watch-project")
    async def watch_project_files(self) -> None:
        from core.file_watch import watch_project

        first = True
        # initial=True: the first batch lists the files already there, once the watcher is armed.
        async for changes in watch_project(self.session.project_dir, self.settings.plan_pattern, initial=True):
            self.post_message(ProjectFilesChanged(changes, initial=first))
            first = False

    def on_project_files_changed(self, event: ProjectFilesChanged) -> None:
        self.watching = True
        names = []
        for change in event.changes:
            if change.problem:
                names.append(change.path.name)
                self.notify(f"{change.path.name}: {change.problem}", severity="warning", timeout=8)
            elif change.snapshot is not None:
                # A text Segue already has (its own save, say) is no news.
                known = self.store is not None and not self.store.record_file_version(
                    str(change.path), change.snapshot.text, "watched"
                )
                if not known:
                    names.append(change.path.name)
            else:
                names.append(change.path.name)
        self.refresh_context_line()
        if event.initial or not names:
            return
        self.file_notice = f"{', '.join(sorted(set(names)))} changed at {datetime.now():%H:%M:%S}"
        self.notify(f"{self.file_notice}; the next message uses the new text.", timeout=4)
        self.query_one("#file-notice", Static).update(self.file_notice)
        from tui.screens.files_screen import FilesScreen

        for screen in self.screen_stack:
            if isinstance(screen, FilesScreen):
                screen.apply_changes(event.changes)


def _heading_from(topic: str) -> str:
    """'Authentication System Plan' -> 'Authentication System'."""
    words = topic.replace("#", "").split()
    while words and words[-1].lower() in ("plan", "plan:"):
        words.pop()
    return " ".join(words)
