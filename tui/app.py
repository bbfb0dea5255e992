"""SegueApp: a thin shell around the main screen, with the app-wide keys, the keymap and errors."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from core import models
from core.engines.client import Endpoint
from core.panes import PANES
from core.session import Session
from core.settings import Settings
from tui.model_commands import ModelCommands
from tui.screens.main_screen import MainScreen
from tui.theming import ThemedApp

log = logging.getLogger(__name__)


class SegueApp(ThemedApp):
    TITLE = "Segue"
    CSS_PATH = "screens/main_screen.tcss"
    CSS = """
    /* Notices appear under the top bar, not over the execution pane's input. */
    ToastRack { dock: top; align: right top; margin-top: 1; }
    """
    COMMANDS = ThemedApp.COMMANDS | {ModelCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False, tooltip="Quit Segue (the session is saved)"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        settings: Settings | None = None,
        store: Any = None,
        resumed: bool = False,
        **kwargs: Any,
    ) -> None:
        settings = settings or session.settings
        super().__init__(theme=settings.theme, **kwargs)
        self.settings = settings
        self.main = MainScreen(
            session, settings=settings, store=store if store is not None else session.store, resumed=resumed
        )

    async def on_event(self, event) -> None:
        from textual import events

        if isinstance(event, events.Key):
            # As early as a key can be seen: streamed text due to be drawn now waits for this
            # key's frame (tui/widgets/reply_sections.py), so the key is not drawn behind it.
            from tui import gc_pauses, keystrokes

            keystrokes.note()
            gc_pauses.hold_for_key()  # no collection pass in the key's way to the screen
        await super().on_event(event)

    def get_default_screen(self) -> Screen:
        return self.main

    def on_mount(self) -> None:
        self._apply_keymap()

    def _apply_keymap(self) -> None:
        """The [keys] table of settings.toml: binding id -> keys, for every binding that has an id."""
        if not self.settings.keys:
            return
        known = _binding_ids()
        unknown = sorted(set(self.settings.keys) - known)
        if unknown:
            self.notify(
                f"settings.toml [keys]: no key has the id {', '.join(unknown)}; F1 lists the ids.",
                severity="warning",
                timeout=10,
            )
        self.set_keymap({name: keys for name, keys in self.settings.keys.items() if name in known})

    # What the rest of Segue (the CLI, tests, the palette) asks the app about: the main screen's.
    @property
    def session(self) -> Session:
        return self.main.session

    @property
    def store(self) -> Any:
        return self.main.store

    @property
    def endpoint(self) -> Endpoint:
        return self.main.session.endpoint

    def pane(self, name: str):
        return self.main.pane(name)

    async def on_unmount(self) -> None:
        from tui import gc_pauses

        gc_pauses.release()
        await self.main.session.aclose()

    def on_files_screen_active_plan_picked(self, event) -> None:
        # The files panel is a screen of its own: its messages reach the app, not the main screen.
        self.main.handoff.active_plan_picked(event)

    # -- errors ----------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's unexpected error ends up: a notice, and the traceback in the log."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("worker %s failed", event.worker.name, exc_info=error)
        self.log.error(f"worker {event.worker.name} failed: {error!r}")
        self.notify(f"{type(error).__name__}: {error}", title="Something went wrong", severity="error", timeout=15)

    # -- keys ------------------------------------------------------------------------------

    def action_show_help(self) -> None:
        from tui.screens.help_screen import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tui.engine_commands import engine_system_commands

        yield from super().get_system_commands(screen)
        main = self.main
        for pane in PANES:
            current = main.session.panes[pane].model
            target = models.toggle_model(current)
            yield SystemCommand(
                f"Toggle {pane.label.lower()} pane model ({models.display_name(current)} → {models.display_name(target)})",
                " ".join(filter(None, ["Ctrl+T in that pane; the conversation is kept.", main.costs.switch_penalty_text(pane, target)])),
                lambda pane=pane, target=target: main.switch_model(pane, target),
            )
        yield from engine_system_commands(main)
        from tui.auto_route import system_commands as auto_route_commands

        yield from auto_route_commands(main)
        yield SystemCommand("Save plan", "Ctrl+S: the last planning reply as a plan file", main.action_save_plan)
        yield SystemCommand("Hand off the active plan", "Ctrl+O: to the execution pane", main.action_hand_off)
        yield SystemCommand("Record a decision in CLAUDE.md", "Ctrl+R", main.action_record_decision)
        yield SystemCommand("Files: CLAUDE.md and plans", "F3", main.action_show_files)
        yield SystemCommand("Plan diff viewer", "Ctrl+D: the active plan across its versions", main.action_show_diff)
        yield SystemCommand("Costs of this session", "F4: messages, models, spend over time", main.action_show_costs)
        yield SystemCommand("Claude Code usage", "F5: what Claude Code cost, per model, vs all-Opus", main.action_show_usage)
        yield SystemCommand("Sessions", "F6: open, rename, delete, search, new", main.action_show_sessions)
        yield SystemCommand("Pick a model", "F2: any model in the catalog, with prices", main.action_pick_model)
        yield SystemCommand("Cycle the focused pane's effort", "F7: through the levels its model has", main.action_cycle_effort)
        yield SystemCommand("Decisions: followed, drifted or not touched", "F9: every decision in CLAUDE.md and the plan", main.action_show_decisions)
        yield SystemCommand("Help: keys", "Every key and what it does (F1)", self.action_show_help)


def _binding_ids() -> set[str]:
    """Every binding id the user can remap: the app's, the main screen's and the panes'."""
    from tui.widgets.pane import ConversationPane

    return {
        binding.id
        for source in (SegueApp, MainScreen, ConversationPane)
        for binding in source.BINDINGS
        if isinstance(binding, Binding) and binding.id
    }
