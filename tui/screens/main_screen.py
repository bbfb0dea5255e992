"""The main screen: the two panes, their keys, the send path, the top bar and the session bar.

One way through: Enter in a pane posts PromptSubmitted; the screen runs that pane's worker,
which asks core's pre-flight (guard rails, then the budget), then streams the turn and hands
each event to the pane; the turn's end is one TurnFinished, handled here once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from core import models
from core.panes import PANES, Pane
from core.session import Session
from core.settings import Settings
from tui import gc_pauses
from tui.cost_tracker import CostTracker
from tui.handoff import Handoff
from tui.key_first import KeyFirstScreen
from tui.messages import (
    CancelRequested,
    ModelSwitched,
    ModelSwitchRequested,
    ProjectFilesChanged,
    PromptSubmitted,
    TurnFinished,
    UsageUpdated,
)
from tui.widgets.cost_meter import CostMeter
from tui.widgets.pane import ConversationPane
from tui.widgets.top_bar import TopBar


AFTER_START_UP_AT_THE_LATEST = 0.5  # seconds after mounting: a watcher that cannot arm, a slow network


def _short_path(path: Path) -> str:
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home)) if path != home else "~"
    except ValueError:
        return str(path)


class MainScreen(KeyFirstScreen):
    # Styles: main_screen.tcss beside this file, loaded by the app (Textual reads a screen's
    # CSS_PATH only when the screen is pushed, and the default screen never is).
    # Textual focuses this as the screen composes, so the first frame already shows the planning
    # prompt focused. Its default, the first focusable widget, is the planning log: focus then
    # moved to the prompt after the first frame, and both panes painted again.
    AUTO_FOCUS = "#input-plan"
    BINDINGS = [
        Binding("f1", "app.show_help", "Help", id="show_help", tooltip="Every key, and what it does"),
        Binding("tab", "next_pane", "Next pane", id="next_pane", priority=True, show=False, tooltip="Move focus to the next pane (the plan checklist too, while it shows steps)"),
        Binding("shift+tab", "previous_pane", "Previous pane", id="previous_pane", priority=True, show=False, tooltip="Move focus to the previous pane (the plan checklist too, while it shows steps)"),
        Binding("ctrl+t", "toggle_model", "Model", id="toggle_model", tooltip="Switch the focused pane between Opus and Sonnet"),
        Binding("f2", "pick_model", "Models", id="pick_model", show=False, tooltip="Pick any model from the catalog for the focused pane"),
        Binding("f7", "cycle_effort", "Effort", id="cycle_effort", show=False, tooltip="Cycle the focused pane's effort through the levels its model has"),
        Binding("ctrl+s", "save_plan", "Save", id="save_plan", priority=True, tooltip="Save the last planning reply as a plan file"),
        Binding("ctrl+o", "hand_off", "Hand off", id="hand_off", tooltip="Send the active plan to the execution pane"),
        Binding("ctrl+r", "record_decision", "Decision", id="record_decision", show=False, tooltip="Record a decision in CLAUDE.md"),
        Binding("f3", "show_files", "Files", id="show_files", tooltip="CLAUDE.md and the plan files; pick the active plan, open in $EDITOR"),
        Binding("ctrl+d", "show_diff", "Diff", id="show_diff", priority=True, show=False, tooltip="Plan diff viewer: the active plan (or CLAUDE.md) across its versions"),
        Binding("f4", "show_costs", "Costs", id="show_costs", tooltip="This session's messages, tokens and dollars, per model and over time"),
        Binding("f5", "show_usage", "CC usage", id="show_usage", show=False, tooltip="Claude Code's own transcripts: cost per model, the 5-hour block, all-Opus comparison"),
        Binding("f6", "show_sessions", "Sessions", id="show_sessions", show=False, tooltip="Open, rename, delete or search sessions; start a new one"),
        Binding("f9", "show_decisions", "Decisions", id="show_decisions", show=False, tooltip="Each decision in CLAUDE.md and the plan: followed, drifted or not touched yet"),
    ]

    def __init__(self, session: Session, *, settings: Settings, store: Any = None, resumed: bool = False) -> None:
        super().__init__(id="main")
        self.session = session
        self.settings = settings
        self.store = store
        self.resumed = resumed
        self.costs = CostTracker(self)
        self.handoff = Handoff(self)
        self._start_up_steps = {"watcher", "models"}  # then _after_start_up
        self._started_up = False
        self._resumed_before = False
        self._laid_out_at = None  # the size of the last layout a resize (or the first resume) made

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TopBar(id="top-bar")
        with Horizontal(id="panes"):
            for pane in PANES:
                yield ConversationPane(pane, self.session)
            # The plan checklist is mounted after the first frame (_mount_checklist).
        with Horizontal(id="session-bar"):
            yield CostMeter(self.settings.opus_model, id="cost-meter")
            yield Static("", id="file-notice")
        yield Footer(compact=True)

    def _mount_checklist(self) -> None:
        # Hidden until the active plan has steps: its imports and styles wait for the rest of
        # start-up. A session opened meanwhile (open_session) mounted one already.
        panes = self.query_one("#panes")
        if panes.is_attached and not self.query("#plan-checklist"):  # not attached: the app is quitting
            panes.mount(self._checklist())

    def _checklist(self):
        from core.handoff.context_files import active_plan_path
        from tui.widgets.plan_checklist import PlanChecklistView

        return PlanChecklistView(lambda: active_plan_path(self.session), id="plan-checklist")

    async def on_mount(self) -> None:
        self.query_one(TopBar).demo = self.session.endpoint.demo
        self._show_where()
        self._apply_width(self.app.size.width)
        self.pane(Pane.PLAN).focus_input()
        if self.store is not None and self.resumed:
            self.call_after_refresh(self._restore_history)
        self.handoff.refresh_context_line()
        # After the first paint, what start-up needs first: the watcher armed and the endpoint's
        # model capabilities (disk cache, then the Models API over plain HTTP in a thread; offline,
        # the bundled table), neither waiting for the SDK. Then the rest (_after_start_up).
        self.call_after_refresh(self._start_watching)
        self.call_after_refresh(gc_pauses.tune)
        self.call_after_refresh(lambda: self.run_worker(self._load_models(), group="models", exclusive=True))
        self.set_timer(AFTER_START_UP_AT_THE_LATEST, self._after_start_up)
        # The stored totals are read in a thread; awaited here, the read held up the first frame.
        self.call_after_refresh(lambda: self.run_worker(self.costs.reload_costs(resumed=True), group="costs"))

    async def _load_models(self) -> None:
        await self.session.load_models()
        self._start_up_step_done("models")

    def _start_up_step_done(self, step: str) -> None:
        self._start_up_steps.discard(step)
        if not self._start_up_steps:
            self._after_start_up()

    def _after_start_up(self) -> None:
        """The hidden plan checklist and the SDK (most of a second of imports, which would slow
        the steps before by sharing the GIL). The input takes keys meanwhile, and a send made
        before the SDK is ready waits for it (Session.ready_client)."""
        if self._started_up:
            return
        self._started_up = True
        self._mount_checklist()
        self.run_worker(_warm_up, thread=True, group="warm-up", name="warm-up")

    def _start_watching(self) -> None:
        self.run_worker(
            self.handoff.watch_project_files(), group="watch-project", name="watch-project", exclusive=True, exit_on_error=False
        )

    async def _restore_history(self) -> None:
        for pane in PANES:
            rows = self.store.messages(self.session.id, pane)
            await self.pane(pane).show_history(rows, self.store.tool_calls(self.session.id, pane))

    def _show_where(self) -> None:
        from core.terminal_text import printable

        where = _short_path(self.session.project_dir)
        if self.session.title:
            where += f' · session "{self.session.title}"'
        # Control characters shown: a title is a user's prompt.
        self.query_one(TopBar).where = printable(f"· {where}")

    def on_screen_resume(self, event) -> None:
        # Runs before Textual's own handler. The first resume comes right after the mount, which
        # styled every widget (and class changes since restyled theirs): Textual would style
        # them all again, 9 ms of the first frame. Later resumes (after a dialog) still do.
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
            self._laid_out_at = self.app.size  # Textual's resume lays the screen out at this size

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)
        # Runs before Textual's handler, which lays the whole screen out again. At start-up three
        # resizes to the size the first layout already used arrive (the app's, the terminal's,
        # the screen's own): 5-7 ms of the first frame for nothing. A new size goes through.
        if event.size == self._laid_out_at:
            event.prevent_default()
        self._laid_out_at = event.size

    def _apply_width(self, width: int) -> None:
        # Below 100 columns two panes side by side are too narrow to read: stack them.
        self.set_class(width < 100, "narrow")

    def pane(self, name: str) -> ConversationPane:
        return self.query_one(f"#pane-{name}", ConversationPane)

    def focused_pane(self) -> ConversationPane:
        node = self.focused
        while node is not None:
            if isinstance(node, ConversationPane):
                return node
            node = node.parent
        return self.pane(Pane.PLAN)

    @property
    def cost_meter(self) -> CostMeter:
        return self.query_one("#cost-meter", CostMeter)  # by id: a type query walks every reply

    def show_today(self, today) -> None:
        from core.costs.cost_view import cost_text

        budget = self.cost_meter.budget
        text = f"today {cost_text(today)}"
        if budget is not None and budget.fraction is not None:
            text += f" · budget {budget.fraction:.0%}"
        self.query_one(TopBar).today = text  # a repaint of one line: no layout

    # -- sessions --------------------------------------------------------------------------

    async def open_session(self, session_id: str | None) -> None:
        """Show another stored session (None: a new one) in the panes."""
        if any(state.streaming for state in self.session.panes.values()):
            self.notify("A reply is streaming: Esc cancels it, then switch sessions.", severity="warning")
            return
        if session_id == self.session.id:
            return
        previous_accept_edits, previous_auto = self.session.accept_edits, set(self.session.auto_route)
        self.session = Session(
            self.session.endpoint,
            self.settings,
            self.session.project_dir,
            store=self.store,
            session_id=session_id,
            client=self.session.client_if_made,  # shared if made; never imports the SDK here
            claude_code_endpoint=self.session.claude_code_endpoint,
            engines=dict(self.session.engines),
        )
        self.session.accept_edits = previous_accept_edits
        self.session.auto_route = previous_auto
        self.handoff.saved_plan_reply = None
        self.costs = CostTracker(self)
        panes = self.query_one("#panes")
        await panes.remove_children()
        await panes.mount_all([*(ConversationPane(pane, self.session) for pane in PANES), self._checklist()])
        self._show_where()
        if session_id is not None:
            await self._restore_history()
        await self.costs.reload_costs(resumed=True)
        self.handoff.refresh_context_line()
        self.pane(Pane.PLAN).focus_input()

    # -- the send path ---------------------------------------------------------------------

    @on(PromptSubmitted)
    def _prompt_submitted(self, event: PromptSubmitted) -> None:
        event.stop()
        pane = Pane(event.pane)
        # One worker per pane: its pre-flight, then its turn.
        self.run_worker(self._send(pane, event.prompt), group=pane.value, exclusive=True, name=f"send-{pane}", exit_on_error=False)

    async def _send(self, pane: Pane, prompt: str) -> None:
        from core.preflight import guard_notices
        from tui.auto_route import CANCELLED, route_prompt

        # Auto mode first: the guard rails and the budget then judge the model that will answer.
        routing = await route_prompt(self, pane, prompt)
        if routing is CANCELLED:
            self.notify("Not sent: the prompt is still in the box.", severity="information")
            return
        route = routing.route if routing is not None and routing.applied else None
        notices = guard_notices(
            self.session, pane, prompt, unsaved_plan=self.handoff.unsaved_plan(), advice=self.pane(pane).advice, route=route
        )
        if routing is not None and not routing.applied:
            # The user just chose the pane's own model over the pick: no model nudge on top.
            notices = [notice for notice in notices if not notice.suggestion]
        if not any(notice.suggestion for notice in notices):
            # Nothing a model switch fixes (the unsaved plan): a notice, and the send goes on.
            for notice in notices:
                self.notify(notice.message, title="Guard rail", severity="warning", timeout=10)
        else:
            # A model guard rail asks before the money is spent.
            from tui.screens.guard_dialog import GuardDialog

            current = self.session.panes[pane].model
            answer = await self.app.push_screen_wait(GuardDialog(notices, pane, current))
            if answer == "cancel":
                self.notify("Not sent: the prompt is still in the box.", severity="information")
                return
            if answer == "switch":
                suggestion = next(notice.suggestion for notice in notices if notice.suggestion)
                self.switch_model(pane, models.resolve_model(suggestion))
        if not await self.costs.budget_allows(pane, prompt, route=route):
            self.notify("Not sent: the prompt is still in the box.", severity="information")
            return
        await self._turn(pane, prompt, routing)

    async def _turn(self, pane: Pane, prompt: str, routing: Any = None) -> None:
        from core.events import TurnDone, TurnFailed, UsageUpdate

        view = self.pane(pane)
        reply = await view.start_turn(prompt, routing.route.model if routing is not None and routing.applied else None)
        status, model, usage, requests, finished_text = "failed", reply.model, None, (), ""
        try:
            async for event in self.session.send(pane, prompt, routing=routing):
                # Hand the loop over after each event: at full speed the socket always has the
                # next one buffered, so without this the turn ran for long stretches while
                # keys and frames waited.
                await asyncio.sleep(0)
                await view.show_event(reply, event)
                if isinstance(event, UsageUpdate):
                    self.costs.live_usage(pane, event.model, event.usage, event.requests)
                elif isinstance(event, TurnDone):
                    status = "cancelled" if event.cancelled else "complete"
                    model, usage, requests = event.model, event.usage, event.requests
                    finished_text = "" if event.cancelled else event.text
                elif isinstance(event, TurnFailed):
                    status = "partial" if event.text else "failed"
                    if event.kind != "busy":
                        model, usage, requests = event.model or reply.model, event.usage, event.requests
        finally:
            try:
                # Draws what is still pending (a burst takes a moment); a new prompt in this pane
                # cancels the wait, and the reply's text is then drawn at once.
                await reply.finish_streams()
            finally:
                gc_pauses.settle_when_idle(self, busy=lambda: any(self.session.panes[name].streaming for name in PANES))
                if pane is Pane.EXEC and finished_text:
                    view.check_drift(reply, finished_text)
                self.post_message(TurnFinished(pane, status, model, usage, requests))

    @on(TurnFinished)
    async def _turn_finished(self, event: TurnFinished) -> None:
        if Pane(event.pane) is Pane.EXEC:
            # The pane shows the files it sent when a turn starts; afterwards show what the
            # next message carries again (files may have changed meanwhile).
            self.handoff.refresh_context_line()
        await self.costs.reply_finished(event.pane, event.model, event.usage, event.requests)

    @on(UsageUpdated)
    async def _usage_recorded(self, event: UsageUpdated) -> None:
        """Usage recorded outside a turn (the drift check's second opinion): the totals take it in."""
        event.stop()
        if not event.live:
            await self.costs.reload_costs()

    @on(CancelRequested)
    def _cancel_requested(self, event: CancelRequested) -> None:
        event.stop()
        self.action_cancel_any_reply()

    def action_cancel_any_reply(self) -> None:
        for pane in PANES:
            if self.session.cancel(pane):
                return

    # -- models ----------------------------------------------------------------------------

    def action_next_pane(self) -> None:
        self._move_focus(1)

    def action_previous_pane(self) -> None:
        self._move_focus(-1)

    def _move_focus(self, step: int) -> None:
        # The planning prompt, the execution prompt, then the plan's checklist while it shows
        # steps (Space ticks the highlighted one): without it in the cycle only a mouse got there.
        stops: list = [self.pane(pane).prompt_input for pane in PANES]
        checklist = self.query("#plan-checklist")
        if checklist and checklist.first().display and not checklist.first().has_class("empty"):
            stops.append(checklist.first())
        current = self.focused if self.focused in stops else self.focused_pane().prompt_input
        # At once, not at the next turn of the loop as Widget.focus does: keys already queued
        # behind the Tab (typed in one burst, or pasted) go to the pane it moved to.
        self.set_focus(stops[(stops.index(current) + step) % len(stops)])

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

        self.app.push_screen(
            ModelPicker(pane, current, self.session.endpoint, cached_prefix_tokens=self.costs.cached_prefix_tokens(pane)),
            picked,
        )

    @on(ModelSwitchRequested)
    def _model_switch_requested(self, event: ModelSwitchRequested) -> None:
        self.switch_model(event.pane, event.model)

    def switch_model(self, pane: str, model_id: str) -> None:
        """The one action behind Ctrl+T, the model picker, the advisor and the palette."""
        pane = Pane(pane)
        from tui.auto_route import manual_choice

        manual_choice(self, pane, models.display_name(model_id))
        old = self.session.panes[pane].model
        if old == model_id:
            return
        self.session.set_model(pane, model_id)
        self.pane(pane).set_model(model_id)
        self.post_message(ModelSwitched(pane, old, model_id))
        self.notify(f"{pane.label} pane now uses {models.display_name(model_id)}", timeout=3)

    @on(ModelSwitched)
    def _model_switched(self, event: ModelSwitched) -> None:
        """The pane's cost line takes the new model's colour at once; say what the switch costs."""
        self.costs.show_costs()
        penalty = self.costs.switched_cache_notice(event.pane, event.old, event.new)
        if penalty:
            self.notify(penalty, title="Prompt cache", severity="warning", timeout=8)

    # -- hand-off --------------------------------------------------------------------------

    def action_save_plan(self) -> None:
        self.handoff.save_plan()

    def action_hand_off(self) -> None:
        self.handoff.hand_off()

    def action_record_decision(self) -> None:
        self.handoff.record_decision()

    def action_show_files(self) -> None:
        self.handoff.show_files()

    @on(ProjectFilesChanged)
    def _project_files_changed(self, event: ProjectFilesChanged) -> None:
        self.handoff.files_changed(event)
        if event.initial:
            self._start_up_step_done("watcher")

    # -- other screens ---------------------------------------------------------------------

    def action_show_costs(self) -> None:
        from datetime import datetime, time

        from tui.screens.cost_screen import CostScreen

        if self.store is None:
            self.notify("Costs need the session store.", severity="warning")
            return
        midnight = datetime.combine(datetime.now().date(), time()).astimezone()
        self.app.push_screen(
            CostScreen(
                self.store.usage_rows(self.session.id),
                self.settings.opus_model,
                today_rows=self.store.usage_rows(since=midnight),
                routes=self.store.routes(self.session.id),
            )
        )

    def action_show_usage(self) -> None:
        from tui.screens.usage_screen import UsageScreen

        self.app.push_screen(UsageScreen(opus_model=self.settings.opus_model))

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
        self.app.push_screen(DiffScreen(Path(path), self.session.project_dir, seen))

    def action_show_decisions(self) -> None:
        from tui.screens.decisions_screen import DecisionsScreen

        self.app.push_screen(DecisionsScreen(self.session))

    def action_show_sessions(self) -> None:
        from tui.screens.sessions_screen import SessionsScreen

        if self.store is None:
            return

        def chosen(session_id: str | None) -> None:
            self.run_worker(self.open_session(session_id), group="open-session", exclusive=True)

        self.app.push_screen(SessionsScreen(self.store, str(self.session.project_dir), current_id=self.session.id), chosen)


def _warm_up() -> None:
    """Import the SDK, the price data and the reply widgets (Markdown) off the UI thread, so the
    first send starts at once."""
    from core.engines.client import import_sdk

    import_sdk()
    import core.events  # noqa: F401  (the first turn's, not the first frame's: 5 ms)
    import genai_prices  # noqa: F401
    import tui.widgets.conversation  # noqa: F401  (not needed by the first frame: 25 ms)
