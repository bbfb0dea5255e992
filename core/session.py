"""A Segue session: two panes (plan, exec), each a conversation with its own model.

`async for event in session.send("plan", prompt)` is the one way a turn happens: the TUI,
the headless CLI and the tests all consume the same events. The session records every
message and usage row in the store as it goes (partial text flushed while streaming), so
a crash loses at most half a second of a reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import capabilities
from core.costs import pricing
from core.engines.client import Endpoint, make_client, sdk_ready
from core.handoff.exec_context import ExecContext
from core.panes import PANES, Pane
from core.history import SAFETY_MARGIN, trim_history
from core.token_estimate import CHARS_PER_TOKEN
from core.settings import Settings
from core.costs.usage import TokenUsage

if TYPE_CHECKING:  # the engines are made at the first turn; importing them is not start-up work
    from core.engines.api import TurnRequest
    from core.engines.base import Engine
    # Nor are the events (13 dataclasses, 5 ms of the first frame): imported by the first turn.
    from core.events import TurnDone, TurnEvent, TurnFailed

FLUSH_INTERVAL = 0.5  # seconds between partial-text writes while streaming (DESIGN.md)
TOOL_ERROR_CHARS = 1000  # of a failed or denied tool call's message, kept with the reply

@dataclass
class PaneState:
    name: str
    model: str
    effort: str = "high"  # asked for; the request uses the nearest level the model has
    # The conversation as the API sees it: alternating user/assistant messages.
    history: list[dict[str, Any]] = field(default_factory=list)
    streaming: bool = False


ContextProvider = Callable[[str], ExecContext]


class Session:
    def __init__(
        self,
        endpoint: Endpoint,
        settings: Settings,
        project_dir: Path,
        *,
        store: Any = None,
        session_id: str | None = None,
        context_provider: ContextProvider | None = None,
        client: Any = None,
        claude_code_endpoint: Endpoint | None = None,
        engines: dict[str, str] | None = None,
        origin: str = "tui",
    ) -> None:
        self.endpoint = endpoint
        self.origin = origin  # where a new stored session says it was started: 'tui' or 'cli'
        # Where a Claude Code pane's turns go and who pays: the same endpoint, except without
        # --demo and without a key, when Claude Code uses the user's own login (claude_code_setup).
        self.claude_code_endpoint = claude_code_endpoint or endpoint
        # pane -> "api" | "claude-code"; settings first, `--engine` or the palette override.
        self.engines = {pane: getattr(settings, f"{pane}_engine", "api") for pane in PANES}
        self.engines.update(engines or {})
        # Panes in auto mode: each prompt goes to the advisor's pick (core.advisor.auto_route).
        self.auto_route: set[Pane] = {Pane(pane) for pane in getattr(settings, "auto_route", ()) if pane in PANES}
        # The execution pane lets Claude Code edit without asking only when the user says so.
        self.accept_edits = False
        # pane -> Claude Code's own session id, stored with this session (resume after a restart).
        self.claude_sessions: dict[str, str] = {}
        self.settings = settings
        self.project_dir = project_dir
        self.store = store
        self.panes = {
            Pane.PLAN: PaneState(Pane.PLAN, settings.plan_model, settings.plan_effort),
            Pane.EXEC: PaneState(Pane.EXEC, settings.exec_model, settings.exec_effort),
        }
        self._cancel = {pane: asyncio.Event() for pane in PANES}
        self._client = client
        # (pane, engine name) -> Engine: switching back and forth keeps each engine's own state.
        self._engine_objects: dict[tuple[str, str], Engine] = {}
        self._claude_preflight: Any = None  # one check that `claude` runs, shared by both panes
        self._toolboxes: dict[str, Any] = {}  # pane -> Toolbox (the text editor remembers what it viewed)
        self.context_provider = context_provider or self._default_context
        self.id = session_id
        self.title = ""
        # The plan the user picked as active; None means the most recent plan file.
        self.picked_plan: Path | None = None
        if store is not None:
            self._open_in_store(session_id)

    # -- store -----------------------------------------------------------------------------

    def _open_in_store(self, session_id: str | None) -> None:
        row = self.store.get_session(session_id) if session_id else None
        if row is None:
            self.id = self.store.create_session(
                str(self.project_dir), "", self.panes["plan"].model, self.panes["exec"].model, origin=self.origin
            )
            return
        from core.history import history_from_messages, settle_interrupted_replies

        settle_interrupted_replies(self.store, row.id)
        self.id = row.id
        self.title = row.title or ""
        self.panes["plan"].model = row.plan_model or self.panes["plan"].model
        self.panes["exec"].model = row.exec_model or self.panes["exec"].model
        self.panes["plan"].effort = getattr(row, "plan_effort", None) or self.panes["plan"].effort
        self.panes["exec"].effort = getattr(row, "exec_effort", None) or self.panes["exec"].effort
        self.picked_plan = Path(row.active_plan) if row.active_plan else None
        self.claude_sessions = self.store.claude_code_sessions(row.id)
        for pane in PANES:
            self.panes[pane].history = history_from_messages(self.store.messages(self.id, pane))

    # -- client ----------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The SDK client, made on first use. Importing the SDK takes most of a second: code on
        the event loop awaits `ready_client()` instead, which imports it in a thread."""
        if self._client is None:
            # Segue retries itself, visibly (core.engines.api); the SDK's silent retries would hide waits.
            self._client = make_client(self.endpoint, max_retries=0)
        return self._client

    @property
    def client_if_made(self) -> Any:
        """The client when one exists already (to share it), else None; never imports the SDK."""
        return self._client

    async def ready_client(self) -> Any:
        """The client, once the SDK is imported (in a thread if it is not yet): a send made
        while the app is still loading the SDK waits here, it is neither refused nor lost."""
        await sdk_ready()
        return self.client

    async def load_models(self, *, refresh: bool = False) -> capabilities.Catalog:
        """Load the endpoint's model capabilities (disk cache, Models API, bundled) and use them.

        Plain HTTP (capabilities.fetch): the list does not wait for the SDK to be imported.
        """
        catalog = await capabilities.load(self.endpoint, refresh=refresh, remember=not self.endpoint.demo)
        capabilities.use(catalog)
        return catalog

    async def aclose(self) -> None:
        for engine in list(self._engine_objects.values()):
            await engine.aclose()
        if self._client is not None:
            await self._client.close()
            self._client = None

    # -- panes -----------------------------------------------------------------------------

    def set_model(self, pane: str, model_id: str) -> None:
        """Switch a pane's model; the history stays and goes to the new model."""
        self.panes[pane].model = model_id
        if self.store is not None and self.id:
            self.store.set_pane_model(self.id, pane, model_id)

    def set_engine(self, pane: str, engine: str) -> None:
        """Run the pane's next turns on "api" or "claude-code"; the conversation is kept."""
        from core.settings import ENGINES

        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}")
        self.engines[pane] = engine

    def permission_mode(self, pane: str) -> str | None:
        """Claude Code's --permission-mode: plan mode for planning; the user's own settings for
        execution unless they turned on accept-edits (a visible palette toggle)."""
        if pane == "plan":
            return "plan"
        return "acceptEdits" if self.accept_edits else None

    def set_effort(self, pane: str, effort: str) -> None:
        """Set a pane's effort level (remembered with the session); ValueError for an unknown level."""
        if effort not in capabilities.EFFORT_LEVELS:
            raise ValueError(f"effort must be one of {', '.join(capabilities.EFFORT_LEVELS)}")
        self.panes[pane].effort = effort
        if self.store is not None and self.id:
            self.store.set_pane_effort(self.id, pane, effort)

    def effective_effort(self, pane: str) -> str | None:
        """The level the pane's next request carries: its effort, moved to one the model has; None if none."""
        state = self.panes[pane]
        return capabilities.caps_for(state.model).nearest_effort(state.effort)

    def pick_plan(self, path: Path | None) -> None:
        self.picked_plan = path
        if self.store is not None and self.id:
            self.store.set_active_plan(self.id, str(path) if path else None)

    def cancel(self, pane: str) -> bool:
        """Stop the pane's streaming reply; what arrived is kept. True if one was streaming."""
        if self.panes[pane].streaming:
            self._cancel[pane].set()
            return True
        return False

    def _default_context(self, pane: str) -> ExecContext:
        """What `pane`'s message carries; sending records the files' versions as "sent"."""
        from core.handoff.context_files import load_context

        return load_context(self, pane)

    def context_for(self, pane: str, *, record: bool = False) -> ExecContext:
        """The context `pane`'s next message carries; recorded as sent only with `record`."""
        if self.context_provider == self._default_context:
            from core.handoff.context_files import context_report

            return context_report(self, pane, record=record).context
        return self.context_provider(pane)

    def request_for(
        self, pane: str, prompt: str, *, record: bool = False, route: Any = None
    ) -> tuple[TurnRequest, ExecContext, int]:
        """The request a send of `prompt` would make. A preview (no side effects) unless `record`.

        `route` (an auto_route.Route) sends it to that model and effort instead of the pane's own.
        """
        state = self.panes[pane]
        model, effort = (route.model, route.effort or state.effort) if route is not None else (state.model, state.effort)
        context = self.context_for(pane, record=record)
        caps = capabilities.caps_for(model)
        max_tokens = min(self.settings.max_tokens, caps.max_tokens)
        room = (
            caps.max_input_tokens
            - max_tokens
            - int(sum(len(block.get("text", "")) for block in context.blocks) * SAFETY_MARGIN) // CHARS_PER_TOKEN
            - int(len(prompt) * SAFETY_MARGIN) // CHARS_PER_TOKEN
        )
        from core.engines.api import TurnRequest

        history, trimmed = trim_history(state.history, max(room, 0))
        messages = [*history, {"role": "user", "content": prompt}]
        # Both panes think where the model can (adaptive models steer it with effort); the
        # planning pane can be told not to.
        wants_thinking = self.settings.plan_thinking if pane == "plan" else True
        thinking = max(self.settings.thinking_budget, 0) if wants_thinking else None
        request = TurnRequest(
            model=model,
            messages=messages,
            system=context.blocks,
            max_tokens=max_tokens,
            thinking_budget=thinking,
            effort=effort,
            caps=caps,
            tools=self.toolbox(pane).specs() if self._uses_tools(pane) else (),
        )
        return request, context, trimmed

    # -- the turn --------------------------------------------------------------------------

    async def send(self, pane: str, prompt: str, *, routing: Any = None) -> AsyncIterator[TurnEvent]:
        """One turn in `pane`: yields TurnStarted, deltas, usage, retries, then TurnDone/TurnFailed.

        `routing` (an auto_route.RouteDecision): auto mode's decision, stored with the reply; the
        turn goes to its pick unless the user declined it.
        """
        from core.events import (
            TextDelta,
            ThinkingDelta,
            ToolCallFinished,
            ToolCallStarted,
            TurnDone,
            TurnFailed,
            TurnStarted,
            UsageUpdate,
        )

        if pane not in PANES:
            raise ValueError(f"unknown pane {pane!r}")
        pane = Pane(pane)
        state = self.panes[pane]
        if state.streaming:
            yield TurnFailed("A reply is already streaming in this pane; Esc cancels it.", "busy")
            return
        state.streaming = True
        cancel = self._cancel[pane]
        cancel.clear()
        try:
            route = routing.route if routing is not None and routing.applied else None
            request, context, trimmed = self.request_for(pane, prompt, record=True, route=route)
            yield TurnStarted(pane, request.model, context.files, trimmed)
            recorder = _Recorder(self, pane, request.model, prompt)
            if routing is not None:
                recorder.record_route(routing)
            final: TurnDone | TurnFailed | None = None
            saved: Future | None = None  # the final writes, once handed to the store's writer
            try:
                if self.engines.get(pane, "api") == "api":
                    await self.ready_client()  # right after start-up the SDK may still be loading
                async for event in self.engine_for(pane).turn(request, cancel):
                    if isinstance(event, TextDelta):
                        recorder.text += event.text
                    elif isinstance(event, ThinkingDelta):
                        recorder.thinking += event.text
                    elif isinstance(event, UsageUpdate):
                        recorder.usage = event.usage
                    elif isinstance(event, (ToolCallStarted, ToolCallFinished)):
                        recorder.tool_call(event)
                    elif isinstance(event, (TurnDone, TurnFailed)):
                        final = event
                        continue  # told only once it is recorded (below): saving can still fail
                    recorder.maybe_flush()
                    yield event
                if final is not None:
                    saved = self._finish(pane, prompt, final, recorder)
                    await asyncio.wrap_future(saved)  # in the writer thread: the loop stays free
                    yield recorder.outcome(final)
            except Exception as error:  # noqa: BLE001 - a surprise in an engine
                # What arrived and what it cost are kept, and the turn ends as failed with one
                # sentence, instead of the reply staying "streaming" with its cost unrecorded.
                if saved is not None:
                    raise
                final = TurnFailed(f"Unexpected error: {type(error).__name__}: {error}", "other", recorder.text,
                                   recorder.thinking, recorder.usage, request.model)
                saved = self._finish(pane, prompt, final, recorder)
                await asyncio.wrap_future(saved)
                yield recorder.outcome(final)
            except (asyncio.CancelledError, GeneratorExit):
                # The consumer went away mid-reply (the app quit, the worker was cancelled):
                # keep what arrived, as a cancelled reply. Not awaited: the writer thread
                # finishes it (Python joins that thread at exit; Store.close drains it).
                if saved is None:
                    final = TurnDone(request.model, recorder.text, recorder.thinking, recorder.usage, "cancelled", cancelled=True)
                    self._finish(pane, prompt, final, recorder)
                raise
        finally:
            state.streaming = False
            cancel.clear()

    def _finish(self, pane: str, prompt: str, final: TurnDone | TurnFailed, recorder: _Recorder) -> Future:
        """Keep the exchange in the pane's history and hand its last writes to the store's writer."""
        from core.events import TurnDone

        state = self.panes[pane]
        text = final.text
        if text.strip():
            # Only exchanges with a reply go back to the model; a cancelled reply's part is kept.
            state.history.append({"role": "user", "content": prompt})
            state.history.append({"role": "assistant", "content": (text.rstrip() or text) + _edits_note(final)})
        if isinstance(final, TurnDone):
            status = "cancelled" if final.cancelled else "complete"
        else:
            status = "partial" if text else "failed"
        return recorder.finish(final, status, title=_title_from(prompt))

    def toolbox(self, pane: str) -> Any:
        """The pane's tools: the text editor (view only in the planning pane), bash, complete_step."""
        toolbox = self._toolboxes.get(pane)
        if toolbox is None:
            from core.engines.tool_loop import Toolbox
            from core.handoff.context_files import active_plan_path
            from core.tools.text_editor import TextEditor

            toolbox = self._toolboxes[pane] = Toolbox(
                TextEditor(self.project_dir, read_only=pane == "plan"),
                allowed_commands=tuple(getattr(self.settings, "allowed_commands", ()) or ()),
                plan=(lambda: active_plan_path(self)) if pane == "exec" else None,
                project_dir=self.project_dir,
            )
        return toolbox

    def _uses_tools(self, pane: str) -> bool:
        return getattr(self.settings, "tools", True) and self.engines.get(pane, "api") == "api"

    def engine_for(self, pane: str) -> Engine:
        """The engine that runs `pane`'s next turn, as `self.engines` names it (made on first use)."""
        name = self.engines.get(pane, "api")
        engine = self._engine_objects.get((pane, name))
        if engine is None:
            engine = self._engine_objects[(pane, name)] = self._make_engine(pane, name)
        return engine

    def _make_engine(self, pane: str, name: str) -> Engine:
        if name == "claude-code":
            from core.engines.claude_code import ClaudeCodeEngine, Preflight

            if self._claude_preflight is None:
                self._claude_preflight = Preflight()
            return ClaudeCodeEngine(
                # Where a Claude Code pane's turns go and who pays (claude_code_setup).
                self.claude_code_endpoint,
                self.project_dir,
                session_id=self.claude_sessions.get(pane),
                permission_mode=lambda: self.permission_mode(pane),
                on_session=lambda claude_id: self._remember_claude_session(pane, claude_id),
                preflight=self._claude_preflight,
            )
        # The API engine: a streamed turn, with the pane's tools unless they are switched off.
        from core.engines.api import ApiEngine

        return ApiEngine(lambda: self.client, lambda: self.toolbox(pane) if self._uses_tools(pane) else None)

    def _remember_claude_session(self, pane: str, claude_session_id: str | None) -> None:
        if not claude_session_id or self.claude_sessions.get(pane) == claude_session_id:
            return
        self.claude_sessions[pane] = claude_session_id
        if self.store is not None and self.id:
            self.store.set_claude_code_session(self.id, pane, claude_session_id)

    def message_cost(self, model: str, usage: Any) -> tuple[Decimal | None, Decimal | None]:
        return pricing.cost(model, usage), pricing.all_opus_cost(usage, self.settings.opus_model)





def _edits_note(final: TurnDone | TurnFailed) -> str:
    """What the turn's tools changed, so the next turn's model knows (the tool blocks are not kept)."""
    if not final.edits:
        return ""
    lines = [
        f"- {edit.command} {edit.path}: " + ("applied" if edit.applied else f"not applied ({edit.error or 'rejected'})")
        for edit in final.edits
    ]
    return "\n\n[Edits in this turn]\n" + "\n".join(lines)


def _title_from(prompt: str) -> str:
    words = prompt.replace("\n", " ").split()
    title = " ".join(words[:8])
    return title if len(title) <= 60 else title[:57] + "…"


_FAILED = object()  # what _Recorder.guard returns for a write the store refused


class _Recorder:
    """Writes one exchange to the store: the user message, then the reply as it streams.

    Every write runs in the store's one writer thread (core.store.writer), in the order it
    was handed over, so a write waiting on another process's lock never stalls the event loop
    and the stream never waits on a flush. Methods named `_..._now` run in that thread.

    A store that refuses a write (disk full, read-only, locked) never stops the turn: the
    reply keeps streaming to the user, every write is tried again at the end (space may be
    back), and only if that fails too does the turn end as failed, its text kept.
    """

    def __init__(self, session: Session, pane: str, model: str, prompt: str) -> None:
        self.session = session
        self.store = session.store
        self.pane = pane
        self.model = model
        self.prompt = prompt
        self.text = ""
        self.thinking = ""
        self.usage = TokenUsage()  # the latest reported (or estimated) usage of the reply
        # call id -> [ToolCallStarted, ToolCallFinished] (None until it arrives), in call order
        self.tool_calls: dict[str, list[Any]] = {}
        self._flushed = (0, 0)  # sizes of the last text/thinking stored (set in the writer thread)
        self._last_flush = time.monotonic()
        self._flush: Future | None = None  # the flush handed over last, while it may still run
        self.reply_id: int | None = None  # set in the writer thread once the reply's row exists
        self.problem: str | None = None  # the last store error, while it is not yet repaired
        self._opened = False
        self._prompt_saved = False
        self._active = self.store is not None and bool(session.id)
        if self._active:
            self._submit(self._open_now)

    def _submit(self, write: Callable[..., Any], *args: Any) -> Future:
        return self.store.writer.submit(write, *args)

    def guard(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one store write and return its result; a StoreError is remembered and gives _FAILED."""
        from core.store.database import StoreError

        try:
            return write(*args, **kwargs)
        except StoreError as error:
            self.problem = str(error)
            return _FAILED

    def _open_now(self) -> None:
        store, session = self.store, self.session
        if not self._prompt_saved:
            if self.guard(store.add_message, session.id, self.pane, "user", self.model, self.prompt, "complete") is _FAILED:
                return
            self._prompt_saved = True
        reply_id = self.guard(store.add_message, session.id, self.pane, "assistant", self.model, "", "streaming")
        if reply_id is not _FAILED:
            self.reply_id, self._opened, self.problem = reply_id, True, None

    def record_route(self, routing: Any) -> None:
        """Store auto mode's decision with the reply (if its row could be written at the start)."""
        if self._active:
            self._submit(self._route_now, routing)

    def _route_now(self, routing: Any) -> None:
        if self.reply_id is not None:
            picked = routing.route
            self.guard(
                self.store.add_route, self.session.id, self.reply_id, self.pane,
                picked.model, picked.effort, picked.task_type, picked.reason, routing.confirmed,
            )

    def maybe_flush(self) -> None:
        """Hand the streamed text to the writer every FLUSH_INTERVAL; never waits for it."""
        if not self._active or (self._flush is not None and not self._flush.done()):
            return  # a flush still queued or running writes the newest text when it runs
        now = time.monotonic()
        first = self._flushed == (0, 0) and bool(self.text or self.thinking)
        if now - self._last_flush < FLUSH_INTERVAL and not first:
            return
        self._last_flush = now
        self._flush = self._submit(self._flush_now)

    def _flush_now(self) -> None:
        if self.reply_id is None:
            return  # the row could not be written at the start: the end tries again
        text, thinking = self.text, self.thinking
        sizes = (len(text), len(thinking))
        if sizes != self._flushed:
            if self.guard(self.store.update_message, self.reply_id, text=text, thinking=thinking) is not _FAILED:
                self._flushed = sizes

    def tool_call(self, event: Any) -> None:
        """Note a ToolCallStarted or ToolCallFinished; the reply's calls are stored with it at the end."""
        from core.events import ToolCallStarted

        pair = self.tool_calls.setdefault(event.call_id, [None, None])
        pair[0 if isinstance(event, ToolCallStarted) else 1] = event

    def tool_call_rows(self) -> list[Any]:
        """The reply's tool calls as the store keeps them: what a resumed pane shows, no results."""
        from core.store.database import ToolCallRow

        rows = []
        for started, finished in self.tool_calls.values():
            if finished is None:
                rows.append(ToolCallRow(started.tool, started.target, "unfinished"))
                continue
            target = started.target if started is not None else finished.target
            if finished.denied or finished.is_error:
                error = finished.output.strip()
                if len(error) > TOOL_ERROR_CHARS:
                    error = error[: TOOL_ERROR_CHARS - 1] + "…"
                rows.append(ToolCallRow(finished.tool, target, "denied" if finished.denied else "error", error))
            else:
                rows.append(ToolCallRow(finished.tool, target, "ok", diff=finished.diff))
        return rows

    def finish(self, final: TurnDone | TurnFailed, status: str, title: str) -> Future:
        """Hand over the final writes (after every earlier one); the future is done once they ran."""
        if not self._active:
            done: Future = Future()
            done.set_result(None)
            return done
        return self._submit(self._finish_now, final, status, title, self.tool_call_rows())

    def _finish_now(self, final: TurnDone | TurnFailed, status: str, title: str, tool_calls: list[Any]) -> None:
        self.problem = None  # this is the last try: only what fails now counts
        if not self._opened:
            self._open_now()  # the prompt (or the reply's row) could not be stored at the start
            if not self._opened:
                return
        from core.store.database import StoreError

        session = self.session
        try:
            self.store.update_message(self.reply_id, text=final.text, thinking=final.thinking, status=status)
            # One usage row per API request: a tool loop's requests are each priced on their own.
            for model, usage in list(final.requests) or [(final.model or self.model, final.usage)]:
                if usage.total:
                    model = model or self.model
                    cost, all_opus = session.message_cost(model, usage)
                    self.store.add_usage(session.id, self.reply_id, self.pane, model, usage, cost, all_opus)
            # After the money: a store that fails here has kept what the reply cost.
            self.store.add_tool_calls(self.reply_id, tool_calls)
        except StoreError as error:
            self.problem = str(error)
        if not session.title and not self.problem:
            session.title = title
            self.guard(self.store.rename_session, session.id, title)

    def outcome(self, final: TurnDone | TurnFailed) -> TurnDone | TurnFailed:
        """`final`, or a failure saying the reply is on screen but not saved."""
        from core.events import TurnFailed

        if self.problem is None:
            return final
        message = f"{self.problem.rstrip('.')}; the reply is shown but not saved. Free some space and send again."
        if isinstance(final, TurnFailed):
            message = f"{final.message.rstrip('.')}. {message}"
        return TurnFailed(
            message, "storage", text=final.text, thinking=final.thinking, usage=final.usage, model=final.model or self.model
        )
