"""SegueApp: the two panes side by side, the top bar and the session cost bar."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from core import models, pricing
from core.client import Endpoint
from core.session import PANES, Session
from core.settings import Settings
from themes import ThemedApp
from tui.messages import ModelSwitched, PromptSubmitted, TurnFinished, UsageUpdated
from tui.model_commands import ModelCommands
from tui.widgets.pane import ConversationPane


def _short_path(path: Path) -> str:
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home)) if path != home else "~"
    except ValueError:
        return str(path)


class TopBar(Horizontal):
    DEFAULT_CSS = """
    TopBar { height: 1; background: $panel; }
    TopBar #title { width: auto; padding: 0 1; text-style: bold; }
    TopBar #where { width: 1fr; color: $text-muted; }
    TopBar #demo { width: auto; padding: 0 1; background: $demo; color: $background; text-style: bold; display: none; }
    TopBar.demo #demo { display: block; }
    TopBar #today { width: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Segue", id="title")
        yield Static("", id="where")
        yield Static("DEMO · simulated replies, no API key", id="demo")
        yield Static("", id="today")


class SegueApp(ThemedApp):
    TITLE = "Segue"
    CSS_PATH = "app.tcss"
    COMMANDS = ThemedApp.COMMANDS | {ModelCommands}
    BINDINGS = [
        Binding("f1", "show_help", "Help", id="show_help", tooltip="Every key, and what it does"),
        Binding("tab", "next_pane", "Next pane", id="next_pane", priority=True, show=False, tooltip="Move focus to the other pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", id="previous_pane", priority=True, show=False, tooltip="Move focus to the other pane"),
        Binding("ctrl+t", "toggle_model", "Model", id="toggle_model", tooltip="Switch the focused pane between Opus and Sonnet"),
        Binding("f2", "pick_model", "Models", id="pick_model", tooltip="Pick any model from the catalog for the focused pane"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, tooltip="Quit Segue (the session is saved)"),
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
        self.session = session
        self.settings = settings
        self.store = store if store is not None else session.store
        self.resumed = resumed
        self.live_usage: dict[str, Any] = {}

    @property
    def endpoint(self) -> Endpoint:
        return self.session.endpoint

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(id="top-bar")
        with Horizontal(id="panes"):
            for pane in PANES:
                yield ConversationPane(pane, self.session)
        yield Static("", id="session-bar")
        yield Footer()

    def on_mount(self) -> None:
        bar = self.query_one(TopBar)
        bar.set_class(self.endpoint.demo, "demo")
        where = _short_path(self.session.project_dir)
        if self.session.title:
            where += f' · session "{self.session.title}"'
        bar.query_one("#where", Static).update(f"· {where}")
        self._apply_width(self.size.width)
        self.pane("plan").focus_input()
        if self.store is not None and self.resumed:
            self.call_after_refresh(self._restore_history)
        self.refresh_costs()

    async def _restore_history(self) -> None:
        for pane in PANES:
            await self.pane(pane).show_history(self.store.messages(self.session.id, pane))

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        # Below 100 columns two panes side by side are too narrow to read: stack them.
        self.screen.set_class(width < 100, "narrow")

    def pane(self, name: str) -> ConversationPane:
        return self.query_one(f"#pane-{name}", ConversationPane)

    def focused_pane(self) -> ConversationPane:
        node = self.focused
        while node is not None:
            if isinstance(node, ConversationPane):
                return node
            node = node.parent
        return self.pane("plan")

    # -- turns -----------------------------------------------------------------------------

    @on(PromptSubmitted)
    def _prompt_submitted(self, event: PromptSubmitted) -> None:
        self.pane(event.pane).send(event.prompt)

    @on(UsageUpdated)
    def _usage_updated(self, event: UsageUpdated) -> None:
        if event.live:
            self.live_usage[event.pane] = (event.model, event.usage)
        else:
            self.live_usage.pop(event.pane, None)
        self.refresh_costs()

    @on(TurnFinished)
    def _turn_finished(self, event: TurnFinished) -> None:
        self.live_usage.pop(event.pane, None)
        self.refresh_costs()

    def refresh_costs(self) -> None:
        for pane in PANES:
            live = self.live_usage.get(pane)
            if live is None:
                continue
            model, usage = live
            text = (
                f"{pricing.format_tokens(usage.total_input)} in · {pricing.format_tokens(usage.output_tokens)} out"
                f" · {pricing.format_usd(pricing.cost(model, usage))}"
            )
            self.pane(pane).query_one(f"#cost-{pane}", Static).update(text)

    def action_cancel_any_reply(self) -> None:
        for pane in PANES:
            if self.session.cancel(pane):
                return

    # -- keys ------------------------------------------------------------------------------

    def action_next_pane(self) -> None:
        self._move_focus(1)

    def action_previous_pane(self) -> None:
        self._move_focus(-1)

    def _move_focus(self, step: int) -> None:
        if not isinstance(self.screen, Screen) or self.screen is not self.screen_stack[0]:
            # On dialogs Tab keeps its usual meaning.
            if step > 0:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        current = self.focused_pane().pane
        index = (PANES.index(current) + step) % len(PANES)
        self.pane(PANES[index]).focus_input()

    def action_toggle_model(self) -> None:
        pane = self.focused_pane()
        old = self.session.panes[pane.pane].model
        self.switch_model(pane.pane, models.toggle_model(old))

    def action_pick_model(self) -> None:
        from tui.screens.model_picker import ModelPicker

        pane = self.focused_pane().pane
        current = self.session.panes[pane].model

        def picked(model_id: str | None) -> None:
            if model_id:
                self.switch_model(pane, model_id)

        self.push_screen(ModelPicker(pane_label(pane).lower(), current, self.session.client), picked)

    def switch_model(self, pane: str, model_id: str) -> None:
        """The one action behind Ctrl+T, the model picker and the palette."""
        old = self.session.panes[pane].model
        if old == model_id:
            return
        self.session.set_model(pane, model_id)
        self.pane(pane).set_model(model_id)
        self.post_message(ModelSwitched(pane, old, model_id))
        self.notify(f"{pane_label(pane)} pane now uses {models.display_name(model_id)}", timeout=3)

    def action_show_help(self) -> None:
        from tui.screens.help_screen import HelpScreen

        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for pane in PANES:
            current = self.session.panes[pane].model
            target = models.toggle_model(current)
            yield SystemCommand(
                f"Toggle {pane_label(pane).lower()} pane model ({models.display_name(current)} → {models.display_name(target)})",
                "Ctrl+T in that pane; the conversation is kept",
                lambda pane=pane, target=target: self.switch_model(pane, target),
            )
        yield SystemCommand("Pick a model", "F2: any model in the catalog, with prices", self.action_pick_model)
        yield SystemCommand("Help: keys", "Every key and what it does (F1)", self.action_show_help)


def pane_label(pane: str) -> str:
    return "Planning" if pane == "plan" else "Execution"
