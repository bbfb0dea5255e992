"""The app's doors to its other screens: costs, Claude Code usage, sessions, the plan diff."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path


class ScreenActions:
    """Needs: self.session, self.store, self.settings."""

    def action_show_costs(self) -> None:
        from tui.screens.cost_screen import CostScreen

        if self.store is None:
            self.notify("Costs need the session store.", severity="warning")
            return
        midnight = datetime.combine(datetime.now().date(), time()).astimezone()
        self.push_screen(
            CostScreen(
                self.store.usage_rows(self.session.id),
                self.settings.opus_model,
                today_rows=self.store.usage_rows(since=midnight),
            )
        )

    def action_show_usage(self) -> None:
        from tui.screens.usage_screen import UsageScreen

        self.push_screen(UsageScreen(opus_model=self.settings.opus_model))

    def action_show_diff(self) -> None:
        from core.handoff.context_files import active_plan_path
        from core.handoff.project_files import claude_md_path
        from tui.screens.diff_screen import DiffScreen

        path = active_plan_path(self.session)
        if path is None:
            path = claude_md_path(self.session.project_dir)
            if not path.exists():
                self.notify("No plan file or CLAUDE.md to compare yet: Ctrl+S saves a plan.", severity="warning")
                return
        seen = self.store.file_versions(str(path)) if self.store is not None else ()
        self.push_screen(DiffScreen(Path(path), self.session.project_dir, seen))

    def action_show_sessions(self) -> None:
        from tui.screens.sessions_screen import SessionsScreen

        if self.store is None:
            return

        def chosen(session_id: str | None) -> None:
            self.run_worker(self.open_session(session_id), group="open-session", exclusive=True)

        self.push_screen(SessionsScreen(self.store, str(self.session.project_dir), current_id=self.session.id), chosen)
