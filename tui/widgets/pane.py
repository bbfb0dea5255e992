"""A conversation pane (planning or execution): title and badge, the log, the input.

The main screen runs each turn in the pane's worker and hands the pane the turn's events to
show; the pane posts messages (a prompt submitted, a model asked for) and never calls up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from core import models
from core.panes import Pane
from core.session import Session
from tui.messages import CancelRequested, ModelSwitchRequested, PromptSubmitted
from tui.widgets.conversation_log import ConversationLog
from tui.widgets.cost_meter import PaneCostLine
from tui.widgets.engine_badge import EngineBadge
from tui.widgets.model_badge import ModelBadge
from tui.widgets.prompt_input import PromptInput

if TYPE_CHECKING:  # imported by the first turn, not by the first frame (core/session.py)
    from core.events import EditProposed, StepCompleted, ToolCallFinished, ToolCallStarted, TurnStarted

HISTORY_PAGE = 40  # stored messages mounted per page on resume
# A pane narrower than this shows the advisor's hint under the prompt, not beside it: beside it
# ("advisor: Sonnet · ^G" takes 22 columns) the prompt would be too narrow to type in.
ADVISOR_BESIDE_WIDTH = 60


class ConversationPane(Vertical):
    BINDINGS = [
        Binding("escape", "cancel_reply", "Stop", id="cancel_reply", tooltip="Stop the streaming reply; the partial text is kept"),
        Binding("ctrl+b", "jump_bottom", "Bottom", id="jump_bottom", show=False, tooltip="Jump back to the newest message and follow the stream"),
        Binding("ctrl+l", "load_older", "Older", id="load_older", show=False, tooltip="Show older messages of a resumed session"),
        Binding("f8", "toggle_thinking", "Thinking", id="toggle_thinking", show=False, tooltip="Fold or unfold the thinking of the reply in view"),
        Binding("ctrl+g", "apply_advice", "Advice", id="apply_advice", show=False, tooltip="Switch this pane to the model the advisor suggests for the prompt being typed"),
    ]

    def __init__(self, pane: str, session: Session, **kwargs) -> None:
        super().__init__(id=f"pane-{pane}", classes=f"pane {pane}-pane", **kwargs)
        self.pane = Pane(pane)
        self.session = session
        self.advice = None
        self._advisor_text = ""  # what the advisor label shows
        self._older_rows: list = []  # stored messages not mounted yet (oldest first)
        self._stored_tool_calls: dict = {}  # reply message id -> its stored ToolCallRows

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        state = self.session.panes[self.pane]
        with Horizontal(classes="pane-title"):
            yield Static(self.pane.title, classes="pane-name")
            yield ModelBadge(
                state.model,
                self.session.effective_effort(self.pane) or "",
                auto=self.pane in self.session.auto_route,
                id=f"badge-{self.pane}",
            )
            if self.session.engines.get(self.pane) == "claude-code":  # else mounted if it ever is
                yield self._engine_badge()
        yield ConversationLog(id=f"log-{self.pane}", classes="log")
        if self.pane == Pane.EXEC:  # what the execution pane sends as its system context
            yield Static("", id=f"context-{self.pane}", classes="context-line")
        yield PaneCostLine(self.session.panes[self.pane].model, id=f"cost-{self.pane}", classes="cost-line")
        with Horizontal(classes="input-row"):
            yield PromptInput(id=f"input-{self.pane}")
            yield Static("", id=f"advisor-{self.pane}", classes="advisor -empty")

    @property
    def log_view(self) -> ConversationLog:
        return self.query_one(f"#log-{self.pane}", ConversationLog)

    @property
    def prompt_input(self) -> PromptInput:
        return self.query_one(f"#input-{self.pane}", PromptInput)  # by id: a type query walks every reply

    @property
    def badge(self) -> ModelBadge:
        return self.query_one(ModelBadge)

    @property
    def streaming(self) -> bool:
        return self.session.panes[self.pane].streaming

    def focus_input(self) -> None:
        self.prompt_input.focus()

    def set_model(self, model_id: str) -> None:
        self.badge.model = model_id
        self.badge.effort = self.session.effective_effort(self.pane) or ""
        name = models.display_name(model_id).split(" ")[0]
        self.prompt_input.placeholder = f"Ask {name} to {self.pane.verb}… (Enter sends, Ctrl+J new line)"
        if self.is_mounted and self.prompt_input.value:
            self.show_advice(self.prompt_input.value)
        self._paint_frame()

    def _paint_frame(self, *_) -> None:
        from tui.widgets.pane_frame import paint_frame

        paint_frame(self, self.badge.model)

    def on_mount(self) -> None:
        self.set_model(self.session.panes[self.pane].model)
        self.log_view.anchor()
        self.app.theme_changed_signal.subscribe(self, self._paint_frame)
        if self.pane == "plan" and self.session.endpoint.demo and not any(
            state.history for state in self.session.panes.values()
        ):
            from tui.widgets.first_run import TryPrompts

            self.log_view.mount(TryPrompts())

    def on_descendant_focus(self) -> None:
        self._paint_frame()

    def on_descendant_blur(self) -> None:
        self._paint_frame()

    def on_resize(self) -> None:
        self._paint_frame()
        # A class on the input row, not the pane: a pane's classes restyle every reply in it.
        self.prompt_input.parent.set_class(self.size.width < ADVISOR_BESIDE_WIDTH, "-advisor-below")

    async def show_history(self, rows, tool_calls: dict | None = None) -> None:
        """Mount stored messages (on resume) without streaming them: the newest first.

        A long session mounts only its last HISTORY_PAGE messages; a line at the top loads
        older ones on demand, so resuming thousands of messages stays instant. `tool_calls`
        (reply message id -> store ToolCallRows) shows each reply's tool calls as they were.
        """
        self._older_rows = list(rows)
        self._stored_tool_calls = tool_calls or {}
        await self._mount_older(scroll_to_end=True)

    async def _mount_older(self, scroll_to_end: bool = False) -> None:
        from tui.widgets.conversation import OlderMessages

        rows = self._older_rows
        cut = max(0, len(rows) - HISTORY_PAGE)
        # Start a page on a prompt, so a reply is never shown without its question.
        while 0 < cut < len(rows) and rows[cut].role != "user":
            cut -= 1
        page, self._older_rows = rows[cut:], rows[:cut]
        log = self.log_view
        marker = log.query(OlderMessages)
        widgets = self._history_widgets(page)
        if marker:
            await log.mount_all(widgets, after=marker.first())
        elif widgets:
            await log.mount_all(widgets)
        if self._older_rows:
            if marker:
                marker.first().count = len(self._older_rows)
            else:
                await log.mount(OlderMessages(len(self._older_rows)), before=0)
        elif marker:
            await marker.first().remove()
        if scroll_to_end:
            log.scroll_end(animate=False)
            log.anchor()
        log.fit_soon()  # fold what the new page pushed out of view
        from tui import gc_pauses

        gc_pauses.settle()

    async def _prune(self) -> None:
        """Keep a live conversation as light as a resumed one: past two pages of messages, the
        oldest page goes behind the "older messages" line (every mounted block costs time in
        each layout, and a layout follows every streamed update and every Ctrl+T)."""
        from tui.widgets.conversation import OlderMessages, ReplyView, UserMessage

        log = self.log_view
        shown = [widget for widget in log.children if isinstance(widget, (UserMessage, ReplyView))]
        if len(shown) < 2 * HISTORY_PAGE:
            return
        cut = len(shown) - HISTORY_PAGE
        while cut > 0 and not isinstance(shown[cut], UserMessage):
            cut -= 1
        first_kept = shown[cut]
        gone = []
        for widget in list(log.children):
            if widget is first_kept:
                break
            if not isinstance(widget, OlderMessages):
                gone.append(widget)
        self._older_rows += [_row_of(widget) for widget in gone if isinstance(widget, (UserMessage, ReplyView))]
        await log.remove_children(gone)
        marker = log.query(OlderMessages)  # cheap: the old page is gone
        if marker:
            marker.first().count = len(self._older_rows)
        else:
            await log.mount(OlderMessages(len(self._older_rows)), before=0)

    def _history_widgets(self, rows) -> list:
        from tui.widgets.conversation import ReplyView, UserMessage

        widgets = []
        for row in rows:
            if row.role == "user":
                widgets.append(UserMessage(row.text))
                continue
            reply = ReplyView(row.model, row.text, row.thinking, self._tool_calls_of(row))
            if row.status in ("cancelled", "failed", "partial"):
                reply.stored_status = f"{row.status} — partial reply kept"
            widgets += reply.widgets()
        return widgets

    def _tool_calls_of(self, row) -> tuple:
        """A shown-then-pruned reply keeps its calls; a stored one's come from the store's rows."""
        if isinstance(row, _ShownMessage):
            return row.tool_calls
        return tuple(_call_events(call) for call in self._stored_tool_calls.get(getattr(row, "id", None), ()))

    def on_older_messages_requested(self, event) -> None:
        event.stop()
        self.run_worker(self._mount_older(), group=f"older-{self.pane}", exclusive=True)

    def action_load_older(self) -> None:
        if self._older_rows:
            self.run_worker(self._mount_older(), group=f"older-{self.pane}", exclusive=True)

    # -- the advisor -----------------------------------------------------------------------

    @on(PromptInput.Changed)
    def _prompt_changed(self, event: PromptInput.Changed) -> None:
        from tui.widgets.reply_sections import flush_after_keystroke

        # The prompt noted its new text when it changed (PromptInput.edit); its frame may be
        # out already, so it is not noted again here.
        flush_after_keystroke()
        self.show_advice(event.text_area.text)

    def show_advice(self, prompt: str) -> None:
        label = self.query_one(f"#advisor-{self.pane}", Static)
        self.advice = None
        if len(prompt.strip()) < 8:
            if self._advisor_text:
                self._advisor_text = ""
                label.update("")
            label.remove_class("agrees", "disagrees")
            label.add_class("-empty")
            return
        from core.advisor.matrix import advise

        self.advice = advise(prompt)
        current = models.family_of(self.session.panes[self.pane].model)
        auto = self.pane in self.session.auto_route  # auto mode follows the advisor: nothing to apply
        agrees = auto or current == self.advice.model
        name = self.advice.model.capitalize()
        text = f"auto → {name}" if auto else f"advisor: {name} ✓" if agrees else f"advisor: {name} · ^G"
        if text != self._advisor_text:  # every keystroke lands here; a new text re-lays out the screen
            self._advisor_text = text
            label.update(text)
        label.set_class(agrees, "agrees")
        label.set_class(not agrees, "disagrees")
        label.remove_class("-empty")
        label.tooltip = f"{self.advice.reason} (route: {self.advice.route})"

    def action_apply_advice(self) -> None:
        advice = getattr(self, "advice", None)
        if advice is None:
            self.notify("Type a prompt first: the advisor suggests a model for it.", severity="information")
            return
        if models.family_of(self.session.panes[self.pane].model) == advice.model:
            self.notify(f"This pane already uses {advice.model.capitalize()}.", severity="information")
            return
        self.post_message(ModelSwitchRequested(self.pane, models.resolve_model(advice.model)))

    # -- sending ---------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        prompt = event.value.strip()
        if not prompt:
            return
        if self.streaming:
            self.notify("A reply is still streaming here; Esc cancels it.", severity="warning")
            return
        self.post_message(PromptSubmitted(self.pane, prompt))

    async def start_turn(self, prompt: str, model: str | None = None):
        """Clear the input and mount the prompt and an empty reply (from `model`, default the
        pane's; auto mode's pick may differ); returns the reply to fill."""
        # Imported here: a new session's first frame needs no Markdown machinery.
        from tui.widgets.conversation import ReplyView, UserMessage

        self.prompt_input.value = left_after_send(self.prompt_input.value, prompt)
        self.app.query("#try-prompts").remove()  # the first prompt is away: the page is the conversation now
        self._tool_calls: dict = {}  # this turn's tool calls by id
        log = self.log_view
        reply = ReplyView(model or self.session.panes[self.pane].model)
        await self._prune()
        await log.mount_all([UserMessage(prompt), *reply.widgets()])
        log.scroll_end(animate=False)
        log.anchor()
        return reply

    async def show_event(self, reply, event) -> None:
        """Show one event of the turn streaming into `reply`."""
        from core.events import (
            EditProposed,
            Retrying,
            StepCompleted,
            TextDelta,
            ThinkingDelta,
            ToolCallFinished,
            ToolCallStarted,
            TurnDone,
            TurnFailed,
            TurnStarted,
        )

        if isinstance(event, TextDelta):
            reply.clear_status()
            # After Segue's own tool calls the stored reply starts a new paragraph; so does the view.
            prefix = "\n\n" if self._tool_calls.pop("_after", False) and reply.text else ""
            await reply.append_text(prefix + event.text)
        elif isinstance(event, (EditProposed, StepCompleted)):
            await self._tool_event(event)
        elif isinstance(event, ThinkingDelta):
            await reply.append_thinking(event.text)
        elif isinstance(event, TurnStarted):
            self._show_context(event)
        elif isinstance(event, (ToolCallStarted, ToolCallFinished)):
            await self._show_tool_call(reply, self._tool_calls, event)
        elif isinstance(event, Retrying):
            keeps = "keeping the text so far" if reply.text else "starting over"
            if not reply.text:
                reply.reset_thinking()
            reply.text = reply.text.rstrip()  # as the retry's prefill does
            reply.show_status(
                f"{event.reason}; retrying in {event.delay:.0f} s (attempt {event.attempt + 1}), {keeps}…",
                "warning",
            )
        elif isinstance(event, TurnDone):
            if event.cancelled:
                reply.show_status("cancelled — partial reply kept", "warning")
            else:
                reply.clear_status()  # a retry that succeeded leaves no notice behind
        elif isinstance(event, TurnFailed):
            reply.show_status(event.message, "error")
            self.notify(event.message, title="Reply failed", severity="error", timeout=8)

    async def _tool_event(self, event: EditProposed | StepCompleted) -> None:
        """A proposed edit waits for the approval dialog; a ticked plan step is announced."""
        from core.events import EditProposed

        if isinstance(event, EditProposed):
            from core.drift.edits import check_proposed_edit

            # Issue #16: the user sees a decision the edit breaks before pressing y or a.
            drift = await check_proposed_edit(self.session, event.edit) if self.pane == "exec" else []
            if not event.decision.done():
                from tui.screens.edit_approval import EditApproval

                # Opened while someone types, it holds its answers and passes their letters on
                # to their prompt ("a" would apply the rest of the turn).
                event.decision.set_result(await self.app.push_screen_wait(EditApproval(event, drift)))
            elif drift:  # "apply the rest of this turn" was chosen: written, but not unnoticed
                where = ", ".join(dict.fromkeys(finding.decision.where for finding in drift))
                self.notify(f"{event.target} departs from a decision ({where}); F9 lists them.",
                            title="Drift in an applied edit", severity="warning", timeout=10)
        else:
            self.notify(f"Step {event.step} ticked: {event.text}", title="Plan", severity="information")

    async def _show_tool_call(self, reply, calls: dict, event: ToolCallStarted | ToolCallFinished) -> None:
        from core.events import ToolCallStarted
        from tui.widgets.tool_call import ACCEPT_EDITS_HINT, ToolCallView

        if isinstance(event, ToolCallStarted):
            calls[event.call_id] = view = ToolCallView(event)
            await reply.add_tool_call(view)
            return
        view = calls.get(event.call_id)
        if view is not None:
            view.finish(event)
        if self.session.engines.get(self.pane, "api") == "api":
            calls["_after"] = True
        if event.denied:
            self.notify(f"Claude Code was not allowed to {event.tool} {event.target}: {ACCEPT_EDITS_HINT}.",
                        title="Edit denied", severity="warning", timeout=10)

    def refresh_engine(self) -> None:
        """The engine badge after the engine or the accept-edits toggle changed."""
        badges = self.query(EngineBadge)
        if badges:
            badges.first().refresh_label()
        elif self.session.engines.get(self.pane) == "claude-code":
            # Composed only for a pane that starts on Claude Code: most never show it. It labels
            # itself once mounted.
            self.query_one(".pane-title").mount(self._engine_badge())

    def _engine_badge(self) -> EngineBadge:
        return EngineBadge(self.session, self.pane, id=f"engine-{self.pane}")

    def check_drift(self, reply, text: str) -> None:
        """Check a finished execution reply against the recorded decisions, in a worker of its own."""
        from tui.widgets.drift_notice import check_exec_reply

        # Its own worker (the pane's group name first, so waits for sends include it): a second
        # opinion must not hold the pane busy.
        self.run_worker(check_exec_reply(self, reply, text), group=f"{self.pane}-drift", name="drift-check")

    def _show_context(self, event: TurnStarted) -> None:
        lines = self.query(f"#context-{self.pane}")  # the execution pane's
        if event.context_files and lines:
            lines.first(Static).update("context: " + " · ".join(f"{name} (v{version})" for name, version in event.context_files))
        if event.trimmed_exchanges:
            self.notify(
                f"{event.trimmed_exchanges} oldest exchange(s) left out so the conversation fits the context window.",
                severity="warning",
            )

    # -- actions ---------------------------------------------------------------------------

    def action_cancel_reply(self) -> None:
        if not self.session.cancel(self.pane):
            self.post_message(CancelRequested())

    def action_toggle_thinking(self) -> None:
        from tui.widgets.conversation import reply_in_view

        reply = reply_in_view(self.log_view)
        if reply is None:
            self.notify("No reply here has thinking to show.", severity="information")
            return
        reply.toggle_thinking()

    def action_jump_bottom(self) -> None:
        self.log_view.scroll_end(animate=False)
        self.log_view.anchor()


@dataclass(frozen=True)
class _ShownMessage:
    """A message taken off the screen by pruning, as `_history_widgets` reads stored rows."""

    role: str
    text: str
    model: str = ""
    thinking: str = ""
    status: str = "complete"
    tool_calls: tuple = ()  # (ToolCallStarted, ToolCallFinished or None) pairs


def _call_events(call) -> tuple:
    """A stored tool call (core.store.database.ToolCallRow) as the events a live turn showed."""
    from core.events import ToolCallFinished, ToolCallStarted

    started = ToolCallStarted("", call.tool, call.target)
    if call.outcome == "unfinished":  # the turn stopped before it ran: it stays "⋯"
        return started, None
    finished = ToolCallFinished(
        "", call.tool, call.target, call.error, is_error=call.outcome != "ok", denied=call.outcome == "denied", diff=call.diff
    )
    return started, finished


def _row_of(widget) -> _ShownMessage:
    from tui.widgets.conversation import UserMessage

    if isinstance(widget, UserMessage):
        return _ShownMessage("user", widget.prompt)
    status = "partial" if widget.status_shown or widget.stored_status else "complete"
    return _ShownMessage("assistant", widget.text, widget.model, widget.thinking_text, status, widget.tool_calls)


def left_after_send(text: str, sent: str) -> str:
    """What stays in the prompt box once `sent` went. A dialog may have asked first (guard rail,
    budget), and what the user typed meanwhile went on into the box after the prompt: that stays.
    A box that no longer starts with the prompt was changed since: none of it is wiped."""
    rest = text.lstrip()
    if not rest.startswith(sent):
        return text
    return rest[len(sent):].lstrip()
