"""The hand-off between the panes: save a plan, record a decision, hand off, the files panel, watching.

An object owned by the main screen, with its own state (the reply last saved, what the
execution pane's next message carries, the watcher's last notice); each action is a Binding
on the main screen and a palette command.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Static

from core.atomic_write import with_final_newline
from core.handoff.project_files import project_relative
from core.store.file_versions import keep_version
from tui.messages import ProjectFilesChanged


class Handoff:
    """The main screen's hand-off state and actions."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen  # the MainScreen: session, store, settings, panes, notices
        # The planning reply last saved as a plan file (guard rail: unsaved plan).
        self.saved_plan_reply: Any = None
        self.file_notice = ""
        self.watching = False  # set once the watcher has reported the files it started with
        # What the execution pane's next message carries, as last shown on its context line:
        # the watcher's notices say "the next message uses the new text" only for these files.
        self.context_paths: frozenset[Path] = frozenset()
        self.context_plan: Path | None = None
        self.left_out_paths: frozenset[Path] = frozenset()

    @property
    def session(self) -> Any:
        return self.screen.session

    @property
    def store(self) -> Any:
        return self.screen.store

    @property
    def settings(self) -> Any:
        return self.screen.settings

    def pane(self, name: str) -> Any:
        return self.screen.pane(name)

    def notify(self, *args: Any, **kwargs: Any) -> None:
        self.screen.notify(*args, **kwargs)

    def unsaved_plan(self) -> bool:
        """The planning pane has a reply newer than the last saved plan (the seed's mistake 3).

        A reply that was cancelled or failed (its status line shows) is no plan to save: a
        question the user stopped halfway made every send in the execution pane warn about an
        unsaved plan, the saved and handed-off one in effect all along."""
        reply = self.last_plan_reply()
        return reply is not None and reply is not self.saved_plan_reply and not reply.status_shown

    # -- the planning reply ----------------------------------------------------------------

    def last_plan_reply(self):
        from tui.widgets.conversation import ReplyView

        replies = [reply for reply in self.pane("plan").query(ReplyView) if reply.text.strip()]
        return replies[-1] if replies else None

    def save_plan(self) -> None:
        from core.handoff.plan_naming import propose_plan_name
        from tui.screens.save_plan_dialog import SavePlanDialog

        if self.session.panes["plan"].streaming:
            # Saving now would write half a plan and mark the reply saved.
            self.notify(
                "The planning reply is still streaming: save it once it is done (Esc stops it).",
                severity="warning",
            )
            return
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
                keep_version(self.store, str(path), with_final_newline(reply.text), "saved")
            self.refresh_context_line()
            self.notify(f"Saved {project_relative(path, project)}. Ctrl+O hands it to the execution pane.", title="Plan saved")

        self.screen.app.push_screen(SavePlanDialog(reply.text, project, proposed, pattern=self.settings.plan_pattern), saved)

    def record_decision(self) -> None:
        from core.handoff.context_files import active_plan_path
        from core.handoff.plan_naming import topic_line
        from core.handoff.project_files import FileProblem, read_text_file
        from tui.screens.decision_dialog import DecisionDialog

        reply = self.last_plan_reply()
        plan = active_plan_path(self.session)
        source = reply.text if reply is not None else ""
        if not source and plan is not None:
            try:
                source = read_text_file(plan).text
            except FileProblem:
                source = ""
        heading = _heading_from(topic_line(source)) if source else ""

        def recorded(snapshot) -> None:
            if snapshot is not None:
                if self.store is not None:
                    keep_version(self.store, str(snapshot.path), snapshot.text, "saved")
                self.refresh_context_line()
                self.notify("Decision recorded in CLAUDE.md; the execution pane's next message carries it.")

        plan_name = project_relative(plan, self.session.project_dir) if plan is not None else None
        self.screen.app.push_screen(DecisionDialog(self.session.project_dir, plan_name, heading, suggest_decision(source)), recorded)

    def hand_off(self) -> None:
        from core.handoff.context_files import active_plan_path
        from core.handoff.plan_naming import topic_line
        from core.handoff.project_files import FileProblem, read_text_file

        plan = active_plan_path(self.session)
        if plan is None:
            self.notify("No plan file yet: Ctrl+S saves the planning reply as one.", severity="warning")
            return
        try:
            topic = _heading_from(topic_line(read_text_file(plan).text))
        except FileProblem as error:
            self.notify(f"{error} Fix it before handing it off: the execution pane would not get it.", severity="error")
            return
        name = project_relative(plan, self.session.project_dir)
        pane = self.pane("exec")
        what = topic.lower() if topic else "the plan"
        prompt = pane.prompt_input
        prompt.value = f"Implement {what} according to {name}"
        prompt.cursor_position = len(prompt.value)  # ready to add to, not to retype
        pane.focus_input()
        self.refresh_context_line()
        # No toast: it would sit over the very input the user is about to edit.

    def show_files(self) -> None:
        from core.handoff.context_files import active_plan_path
        from tui.screens.files_screen import FilesScreen

        self.screen.app.push_screen(
            FilesScreen(self.session.project_dir, active_plan_path(self.session), pattern=self.settings.plan_pattern)
        )

    def active_plan_picked(self, event) -> None:
        self.session.pick_plan(event.path)
        self.refresh_context_line()
        self.notify(f"{project_relative(event.path, self.session.project_dir)} is now the active plan.")

    # -- the execution context -------------------------------------------------------------

    def refresh_context_line(self) -> None:
        """Show which files (and versions) the execution pane's next message will carry."""
        from core.handoff.context_files import context_report

        try:
            line = self.screen.pane("exec").query_one("#context-exec", Static)
        except NoMatches:
            return  # the panes are being replaced (a session switch); the new ones refresh it
        try:
            if self.session.context_provider == self.session._default_context:
                report = context_report(self.session, "exec")  # a preview: records nothing
                label = report.label()
                self.context_paths = frozenset(report.paths)
                self.context_plan = report.plan
                self.left_out_paths = frozenset(item.path for item in report.left_out)
            else:  # a context given by the embedding code: show what it says
                label = self.session.context_provider("exec").label()
        except Exception as error:  # noqa: BLE001 - a bad file must not break the screen
            label = f"could not be read ({error})"
        line.update("context: " + label)

    # -- watching --------------------------------------------------------------------------

    async def watch_project_files(self) -> None:
        """Post ProjectFilesChanged for each batch of changes (run in the screen's watch worker)."""
        from core.handoff.file_watch import watch_project

        first = True
        try:
            # initial=True: the first batch lists the files already there, once the watcher is armed.
            async for changes in watch_project(self.session.project_dir, self.settings.plan_pattern, initial=True):
                self.screen.post_message(ProjectFilesChanged(changes, initial=first))
                first = False
        except OSError as error:
            # Out of inotify instances or watches, a project on a file system without
            # notifications...: the app goes on, and every send still reads the files afresh.
            self.screen.log.error(f"file watcher stopped: {error!r}")
            self.notify(
                f"Segue cannot watch {self.session.project_dir.name} for changes ({error.strerror or error}); "
                "CLAUDE.md and the plan are still read afresh at every send. "
                "Setting WATCHFILES_FORCE_POLLING=1 watches by polling instead.",
                title="Not watching files",
                severity="warning",
                timeout=15,
            )

    def files_changed(self, event: ProjectFilesChanged) -> None:
        from core.handoff.project_files import claude_md_path

        project = self.session.project_dir
        plan_before = self.context_plan
        in_context = self.context_paths | self.left_out_paths
        was_unusable = self.left_out_paths
        # Keep every version seen (for the diff viewer) before the context line does: a text
        # already kept (Segue's own save, say) is no news, and the refresh would keep it first.
        known = {
            change.path
            for change in event.changes
            if change.snapshot is not None
            and self.store is not None
            and not keep_version(self.store, str(change.path), change.snapshot.text, "watched")
        }
        self.refresh_context_line()
        in_context |= self.context_paths | self.left_out_paths | {claude_md_path(project)}
        news: list[str] = []
        touches_context = False
        for change in event.changes:
            name = project_relative(change.path, project)
            if change.problem:
                if change.path in in_context:
                    what = "Segue leaves it out of the execution pane's context until it is fixed."
                else:
                    what = "It cannot be used as a plan until it is fixed."
                self.notify(f"{change.problem} {what}", title="File problem", severity="warning", timeout=10)
                news.append(f"{name} unusable")
                continue
            if change.kind == "deleted":
                news.append(f"{name} deleted")
            else:
                if change.path in known and change.path not in was_unusable:
                    continue
                if change.path in was_unusable:
                    news.append(f"{name} usable again")
                    touches_context = True
                    continue
                news.append(f"{name} {'added' if change.kind == 'added' else 'changed'}")
            touches_context = touches_context or change.path in in_context
        self.watching = True
        self._apply_to_files_screen(event.changes)
        if event.initial or not news:
            return
        self.file_notice = f"{', '.join(dict.fromkeys(news))} at {datetime.now():%H:%M:%S}"
        try:
            self.screen.query_one("#file-notice", Static).update(self.file_notice)
        except NoMatches:
            pass
        plans = [change for change in event.changes if change.path != claude_md_path(project)]
        if self.context_plan != plan_before and plans:
            if self.context_plan is None:
                tail = "no plan is in the execution pane's context now"
            else:
                tail = f"the execution pane now follows {project_relative(self.context_plan, project)}"
        elif touches_context:
            tail = "the next message uses the new text"
        elif any(change.kind == "added" and change.snapshot is not None for change in plans):
            tail = "F3, then a, makes it the active plan"
        else:
            tail = ""
        text = self.file_notice + (f"; {tail}." if tail else ".")
        if all(item.endswith("unusable") for item in news):
            return  # the problem notice above already said it
        self.notify(text, timeout=4)

    def _apply_to_files_screen(self, changes: list[Any]) -> None:
        files_screen = sys.modules.get("tui.screens.files_screen")
        if files_screen is None:
            return  # never opened, so not on the stack; importing it (Markdown) cost ~40 ms at start-up
        FilesScreen = files_screen.FilesScreen  # noqa: N806 - the class, under its own name

        for screen in self.screen.app.screen_stack:
            if isinstance(screen, FilesScreen):
                screen.apply_changes(changes)


def _heading_from(topic: str) -> str:
    """'Authentication System Plan' -> 'Authentication System'."""
    words = topic.replace("#", "").split()
    while words and words[-1].lower() in ("plan", "plan:"):
        words.pop()
    return " ".join(words)


_SECTION = re.compile(r"^#{2,6}[ \t]+(.+?)[ \t#]*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])[ \t]+(.+)$")


def suggest_decision(plan_text: str) -> str:
    """The first item of the plan's "Decisions" section, as a one-line decision; "" if there is none.

    Planning replies are asked for "decisions with their reasons" (core.handoff.system_prompts.PLAN_SYSTEM),
    so that section is where the line worth recording in CLAUDE.md usually is.
    """
    in_decisions = False
    for line in plan_text.splitlines():
        heading = _SECTION.match(line.strip())
        if heading:
            in_decisions = "decision" in heading.group(1).lower()
            continue
        if in_decisions:
            item = _ITEM.match(line)
            if item:
                return " ".join(item.group(1).replace("**", "").replace("`", "").split())
    return ""
