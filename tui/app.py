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

from core import models
from core.engines.client import Endpoint
from core.session import PANES, Session
from core.settings import Settings
from themes import ThemedApp
from tui.messages import ModelSwitched, PromptSubmitted, TurnFinished, UsageUpdated
from tui.cost_tracking import CostTracking
from tui.engine_commands import engine_system_commands
from tui.handoff import HandoffActions
from tui.model_commands import ModelCommands
from tui.screen_actions import ScreenActions
from tui.widgets.cost_meter import CostMeter
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
    TopBar #today { width: 28; padding: 0 1; text-align: right; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Segue", id="title")
        yield Static("", id="where")
        yield Static("DEMO · simulated replies, no API key", id="demo")
        yield Static("", id="today")


class SegueApp(HandoffActions, CostTracking, ScreenActions, ThemedApp):
    TITLE = "Segue"
    CSS_PATH = "app.tcss"
    COMMANDS = ThemedApp.COMMANDS | {ModelCommands}
    BINDINGS = [
        Binding("f1", "show_help", "Help", id="show_help", tooltip="Every key, and what it does"),
        Binding("tab", "next_pane", "Next pane", id="next_pane", priority=True, show=False, tooltip="Move focus to the other pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", id="previous_pane", priority=True, show=False, tooltip="Move focus to the other pane"),
        Binding("ctrl+t", "toggle_model", "Model", id="toggle_model", tooltip="Switch the focused pane between Opus and Sonnet"),
        Binding("f2", "pick_model", "Models", id="pick_model", show=False, tooltip="Pick any model from the catalog for the focused pane"),
        Binding("f7", "cycle_effort", "Effort", id="cycle_effort", show=False, tooltip="Cycle the focused pane's effort through the levels its model has"),
        Binding("ctrl+s", "save_plan", "Save plan", id="save_plan", priority=True, tooltip="Save the last planning reply as a plan file"),
        Binding("ctrl+o", "hand_off", "Hand off", id="hand_off", tooltip="Send the active plan to the execution pane"),
        Binding("ctrl+r", "record_decision", "Decision", id="record_decision", show=False, tooltip="Record a decision in CLAUDE.md"),
        Binding("f3", "show_files", "Files", id="show_files", tooltip="CLAUDE.md and the plan files; pick the active plan, open in $EDITOR"),
        Binding("ctrl+d", "show_diff", "Diff", id="show_diff", priority=True, tooltip="Plan diff viewer: the active plan (or CLAUDE.md) across its versions"),
        Binding("f4", "show_costs", "Costs", id="show_costs", tooltip="This session's messages, tokens and dollars, per model and over time"),
        Binding("f5", "show_usage", "CC usage", id="show_usage", show=False, tooltip="Claude Code's own transcripts: cost per model, the 5-hour block, all-Opus comparison"),
        Binding("f6", "show_sessions", "Sessions", id="show_sessions", show=False, tooltip="Open, rename, delete or search sessions; start a new one"),
        Binding("f9", "show_decisions", "Decisions", id="show_decisions", show=False, tooltip="Each decision in CLAUDE.md and the plan: followed, drifted or not touched yet"),
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
        self.init_costs()
        self.prompts_submitted = 0  # Enter presses that reached the send pipeline
        # The planning reply last saved as a plan file (guard rail: unsaved plan).
        self.saved_plan_reply: Any = None
        self.file_notice = ""
        self.watching = False  # set once the watcher has reported the files it started with

    @property
    def endpoint(self) -> Endpoint:
        return self.session.endpoint

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(id="top-bar")
        with Horizontal(id="panes"):
            for pane in PANES:
                yield ConversationPane(pane, self.session)
        with Horizontal(id="session-bar"):
            yield CostMeter(self.settings.opus_model, id="cost-meter")
            yield Static("", id="file-notice")
        yield Footer()

    def on_mount(self) -> None:
        bar = self.query_one(TopBar)
        bar.set_class(self.endpoint.demo, "demo")
        self._show_where()
        self._apply_width(self.size.width)
        self.pane("plan").focus_input()
        if self.store is not None and self.resumed:
            self.call_after_refresh(self._restore_history)
        self.reload_costs()
        self.refresh_context_line()
        # After the first paint: importing and arming the watcher is not worth a later first frame.
        self.call_after_refresh(self.watch_project_files)
        self.call_after_refresh(self.run_worker, _warm_up, thread=True, group="warm-up", name="warm-up")
        # The endpoint's model capabilities (disk cache, then the Models API): offline keeps the bundled table.
        self.call_after_refresh(lambda: self.run_worker(self.session.load_models(), group="models", exclusive=True))

    async def on_unmount(self) -> None:
        await self.session.aclose()

    async def _restore_history(self) -> None:
        for pane in PANES:
            await self.pane(pane).show_history(self.store.messages(self.session.id, pane))

    async def open_session(self, session_id: str | None) -> None:
        """Show another stored session (None: a new one) in the panes."""
        if any(state.streaming for state in self.session.panes.values()):
            self.notify("A reply is streaming: Esc cancels it, then switch sessions.", severity="warning")
            return
        if session_id == self.session.id:
            return
        previous_accept_edits = self.session.accept_edits
        self.session = Session(
            self.session.endpoint,
            self.settings,
            self.session.project_dir,
            store=self.store,
            session_id=session_id,
            client=self.session.client,
            claude_code_endpoint=self.session.claude_code_endpoint,
            engines=dict(self.session.engines),
        )
        self.session.accept_edits = previous_accept_edits
        self.saved_plan_reply = None
        self.init_costs()
        panes = self.query_one("#panes")
        await panes.remove_children()
        await panes.mount_all([ConversationPane(pane, self.session) for pane in PANES])
        self._show_where()
        if session_id is not None:
            await self._restore_history()
        self.reload_costs()
        self.refresh_context_line()
        self.pane("plan").focus_input()

    def _show_where(self) -> None:
        from textual.content import Content

        from core.terminal_text import printable

        where = _short_path(self.session.project_dir)
        if self.session.title:
            where += f' · session "{self.session.title}"'
        # Plain Content, never markup; control characters shown: a title is a user's prompt.
        self.query_one(TopBar).query_one("#where", Static).update(Content(printable(f"· {where}")))

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
        self.prompts_submitted += 1
        self.run_worker(self._checked_send(event.pane, event.prompt), group=f"check-{event.pane}", exclusive=True)

    async def _checked_send(self, pane: str, prompt: str) -> None:
        """Guard rails (notices only), then the budget check, then the turn."""
        from core.advisor.guard_rails import check_send

        notices = check_send(
            pane=pane,
            model_id=self.session.panes[pane].model,
            prompt=prompt,
            unsaved_plan=self.unsaved_plan(),
            silenced=frozenset(self.settings.silenced_guards),
            advice=self.pane(pane).advice,
        )
        for notice in notices:
            self.notify(notice.message, title="Guard rail", severity="warning", timeout=10)
        if not await self.budget_allows(pane, prompt):
            self.notify("Not sent: the prompt is still in the box.", severity="information")
            return
        self.pane(pane).send(prompt)

    def unsaved_plan(self) -> bool:
        """The planning pane has a reply newer than the last saved plan (the seed's mistake 3)."""
        reply = self.last_plan_reply()
        return reply is not None and reply is not self.saved_plan_reply

    @on(UsageUpdated)
    def _usage_updated(self, event: UsageUpdated) -> None:
        if event.live:
            self.live_usage(event.pane, event.model, event.usage)
        else:
            self.reply_finished(event.pane, event.model, event.usage)

    @on(TurnFinished)
    def _turn_finished(self, event: TurnFinished) -> None:
        if event.pane in self.live:
            self.reply_finished(event.pane, "", None)

    @property
    def cost_meter(self) -> CostMeter:
        return self.query_one(CostMeter)

    def show_today(self, today) -> None:
        from core.costs.cost_view import cost_text

        budget = self.cost_meter.budget
        text = f"today {cost_text(today)}"
        if budget is not None and budget.fraction is not None:
            text += f" · budget {budget.fraction:.0%}"
        today = self.query_one("#today", Static)
        if text != getattr(today, "shown", None):
            # A fixed-width label repaints without re-laying out the screen (a streaming reply
            # updates this many times a second).
            today.shown = text
            today.update(text, layout=False)

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
        if self.screen is not self.screen_stack[0]:
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

    def action_cycle_effort(self) -> None:
        from tui.effort import cycle_effort

        cycle_effort(self, self.focused_pane().pane)

    def action_pick_model(self) -> None:
        from tui.screens.model_picker import ModelPicker

        pane = self.focused_pane().pane
        current = self.session.panes[pane].model

        def picked(model_id: str | None) -> None:
            if model_id:
                self.switch_model(pane, model_id)

        self.push_screen(
            ModelPicker(
                pane_label(pane).lower(), current, self.session.client, cached_prefix_tokens=self.cached_prefix_tokens(pane)
            ),
            picked,
        )

    def switch_model(self, pane: str, model_id: str) -> None:
        """The one action behind Ctrl+T, the model picker and the palette."""
        old = self.session.panes[pane].model
        if old == model_id:
            return
        self.session.set_model(pane, model_id)
        self.pane(pane).set_model(model_id)
        self.post_message(ModelSwitched(pane, old, model_id))
        self.notify(f"{pane_label(pane)} pane now uses {models.display_name(model_id)}", timeout=3)

    def action_show_decisions(self) -> None:
        from tui.screens.decisions_screen import DecisionsScreen

        self.push_screen(DecisionsScreen(self.session))

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
                " ".join(filter(None, ["Ctrl+T in that pane; the conversation is kept.", self.switch_penalty_text(pane, target)])),
                lambda pane=pane, target=target: self.switch_model(pane, target),
            )
        yield from engine_system_commands(self)
        yield SystemCommand("Save plan", "Ctrl+S: the last planning reply as a plan file", self.action_save_plan)
        yield SystemCommand("Hand off the active plan", "Ctrl+O: to the execution pane", self.action_hand_off)
        yield SystemCommand("Record a decision in CLAUDE.md", "Ctrl+R", self.action_record_decision)
        yield SystemCommand("Files: CLAUDE.md and plans", "F3", self.action_show_files)
        yield SystemCommand("Plan diff viewer", "Ctrl+D: the active plan across its versions", self.action_show_diff)
        yield SystemCommand("Costs of this session", "F4: messages, models, spend over time", self.action_show_costs)
        yield SystemCommand("Claude Code usage", "F5: what Claude Code cost, per model, vs all-Opus", self.action_show_usage)
        yield SystemCommand("Sessions", "F6: open, rename, delete, search, new", self.action_show_sessions)
        yield SystemCommand("Pick a model", "F2: any model in the catalog, with prices", self.action_pick_model)
        yield SystemCommand("Help: keys", "Every key and what it does (F1)", self.action_show_help)


def _warm_up() -> None:
    """Import the SDK and the price data off the UI thread, so the first send starts at once."""
    import anthropic  # noqa: F401
    import genai_prices  # noqa: F401


def pane_label(pane: str) -> str:
    return "Planning" if pane == "plan" else "Execution"
