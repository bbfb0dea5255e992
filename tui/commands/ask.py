"""`segue ask`: one headless turn, recorded in the session store like a TUI turn."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from decimal import Decimal
from pathlib import Path

import click

PLAN_NAME = re.compile(r"(?<![\w/.-])((?:plans/)?[\w.-]+\.md)\b")


def plan_named_in(prompt: str, project: Path) -> Path | None:
    """The first plan file the prompt names that exists in the project ("… according to AUTH_PLAN.md")."""
    from core.handoff.project_files import is_plan_file

    for match in PLAN_NAME.finditer(prompt):
        candidate = project / match.group(1)
        if candidate.is_file() and is_plan_file(candidate, project):
            return candidate
    return None


def _money(value: Decimal | None) -> float | None:
    # float() of a nanodollar-exact Decimal prints back as the same decimal digits in JSON;
    # rounding to fewer places would turn a one-token cache read into 0.
    return None if value is None else float(value)


class _Stdout:
    """Text to stdout that survives a reader going away (`segue ask … | head -3`) or a full disk.

    When a write fails, output stops but the turn runs on, so the whole reply (status and
    usage) is still recorded in the session; stdout is pointed at /dev/null so Python's exit
    flush is quiet. A closed pipe is the reader's choice; any other failure is reported.
    """

    def __init__(self) -> None:
        self.closed = False
        self.error: OSError | None = None

    def write(self, text: str) -> None:
        if self.closed:
            return
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as error:
            from tui.commands.output import silence_stdout

            self.closed = True
            if not isinstance(error, BrokenPipeError):
                self.error = error
            silence_stdout()


def _report_left_out(session) -> list[str]:
    """Sentences for context files left out of this turn (binary, a FIFO, ...), filled when the turn starts.

    The TUI names them on its context line; a script gets them on stderr and in --json.
    """
    from core.handoff.context_files import context_report

    warnings: list[str] = []

    def provider(pane: str):
        report = context_report(session, pane)
        warnings[:] = [f"{item.path.name} was left out of the context: it is {item.reason}." for item in report.left_out]
        return report.context

    session.context_provider = provider
    return warnings


def _turn_cost(session, model: str, final) -> tuple[Decimal | None, Decimal | None]:
    """The turn's cost: each request of a tool loop priced on its own, then summed."""
    cost = all_opus = Decimal(0)
    for request_model, usage in list(final.requests) or [(model, final.usage)]:
        one, opus = session.message_cost(request_model or model, usage)
        if one is None or opus is None:
            return session.message_cost(model, final.usage)
        cost, all_opus = cost + one, all_opus + opus
    return cost, all_opus


def _fail(message: str) -> click.ClickException:
    return click.ClickException(message)


@click.command("ask")
@click.argument("prompt", nargs=-1, required=True)
@click.option("--pane", type=click.Choice(["plan", "exec"]), default="plan", show_default=True, help="Which pane's model and context to use.")
@click.option("--model", "model_name", help="opus, sonnet, haiku or a full model id (default: the pane's model).")
@click.option("--engine", type=click.Choice(["api", "claude-code"]), default=None, help="Run the turn directly on the API or through Claude Code (default: the pane's setting).")
@click.option("--effort", type=click.Choice(["low", "medium", "high", "xhigh", "max"]), help="How hard the model works (default: the pane's setting); a level the model lacks goes to the nearest it has.")
@click.option("--session", "session_ref", help="Add the turn to this session (id or prefix) instead of a new one.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), help="Plan file for the exec pane's context.")
@click.option("--apply-edits", is_flag=True, help="Write the edits the model proposes (exec pane); without it they are only proposed.")
@click.option("--demo", is_flag=True, help="Use the embedded simulator even if ANTHROPIC_API_KEY is set.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end instead of streaming text.")
def ask_command(prompt, pane, model_name, engine, effort, session_ref, plan_file, apply_edits, demo, as_json) -> None:
    """Send PROMPT as one turn and stream the reply to stdout."""
    text = " ".join(prompt).strip()
    if not text:
        raise _fail('The prompt is empty; say what to ask, e.g. segue ask "Plan a cache".')
    # Everything that can be refused is checked before a session is created or a request sent.
    model_id = None
    if model_name is not None:
        from core import models

        try:
            model_id = models.resolve_model(model_name)
        except ValueError:
            raise _fail("The --model name is empty; use opus, sonnet, haiku or a full model id.") from None
    if plan_file is not None:
        if pane != "exec":
            raise _fail("--plan gives the execution pane its plan; add --pane exec.")
        plan_file = plan_file.expanduser().resolve()
        from core.regular_files import NotRegularFile, refuse_special

        try:
            refuse_special(plan_file)
        except NotRegularFile as error:
            raise _fail(f"The plan file {plan_file} is {error.kind}, not a regular file.") from None
        if not plan_file.is_file():
            raise _fail(f"The plan file {plan_file} does not exist.")
    from core.store.database import Store, StoreError

    try:
        store = Store()
    except StoreError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        from tui.commands.output import store_open_sentence

        raise _fail(store_open_sentence(error)) from None
    try:
        code = asyncio.run(
            _ask(store, text, pane, model_id, session_ref, plan_file, demo, as_json, engine, effort, apply_edits)
        )
    except click.ClickException:
        raise
    except StoreError as error:
        raise _fail(str(error)) from None
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback
        raise _fail(f"Unexpected error: {type(error).__name__}: {error}") from None
    sys.exit(code)


async def _check_budget(session, store, settings, pane: str, text: str, new_session: bool) -> None:
    """The TUI's budget question, for a script: near a limit a warning on stderr; a send that
    would cross one is refused before anything is spent or recorded (no one is there to say yes).
    An unset budget (0) never refuses."""
    from datetime import date
    from decimal import Decimal

    from core.costs.budget import BudgetLimits
    from core.preflight import budget_verdict

    limits = BudgetLimits.from_settings(settings)
    if not limits.active:
        return
    spent_session = Decimal(0) if new_session else (store.totals(session.id).cost_usd or Decimal(0))
    spent_today = store.totals(day=date.today()).cost_usd or Decimal(0)
    check = await budget_verdict(session, pane, text, limits, spent_session, spent_today)
    if check is None or check.level == "ok":
        return
    if check.level == "warn":
        click.echo(f"Warning: {check.message}", err=True)
        return
    if new_session:
        store.delete_session(session.id)  # made for this send, which does not happen
    raise _fail(
        f"Not sent: {check.message.rstrip('.')}. Raise or unset the budget "
        "(daily_budget_usd / session_budget_usd, or SEGUE_DAILY_BUDGET / SEGUE_SESSION_BUDGET) to send it."
    )


async def _check_model(endpoint, model_id: str) -> None:
    """Refuse a model the endpoint does not offer, before anything is recorded, when its list is fresh.

    With only the bundled table (offline, or a gateway without the Models API) an unknown id
    is a warning and the API decides.
    """
    from core import capabilities

    catalog = await capabilities.load(endpoint, remember=not endpoint.demo)
    capabilities.use(catalog)
    if catalog.knows(model_id):
        return
    if catalog.fresh:
        raise _fail(f"There is no model {model_id!r} at this endpoint; models: {', '.join(catalog.ids)}.")
    click.echo(f"Warning: {model_id!r} is not a model Segue knows; sending it anyway and letting the API decide.", err=True)


NOT_APPLIED = "not applied: run with --apply-edits"


async def _edit_drift(session, proposal) -> list:
    """The decisions a proposed edit breaks (core.drift), each as one warning line on stderr."""
    from core.drift.edits import check_proposed_edit

    findings = await check_proposed_edit(session, proposal.edit)
    if findings:
        # One line per edit, each decision once (the JSON's "drift" has the evidence).
        quoted = dict.fromkeys(f'"{finding.decision.text}" ({finding.decision.where})' for finding in findings)
        click.echo(f"Drift: the edit to {proposal.target} departs from {'; '.join(quoted)}", err=True)
    return findings


async def _ask(store, text, pane, model_id, session_ref, plan_file, demo, as_json, engine, effort, apply_edits=False) -> int:
    from core.events import (
        Decision,
        EditProposed,
        Retrying,
        TextDelta,
        ToolCallFinished,
        ToolCallStarted,
        TurnDone,
        TurnFailed,
        TurnStarted,
    )
    from core.session import Session
    from core.settings import load_settings
    from core.engines.client import choose_claude_code_endpoint, choose_endpoint

    project = Path.cwd().resolve()
    settings = load_settings()
    for problem in settings.problems:
        click.echo(f"Warning: {problem}", err=True)
    simulator = None
    try:
        session_id = None
        if session_ref:
            try:
                session_id = store.resolve_session_id(session_ref)
            except LookupError as error:
                raise _fail(str(error)) from None
        endpoint, simulator = choose_endpoint(demo)
        await _check_model(endpoint, model_id or (settings.plan_model if pane == "plan" else settings.exec_model))
        session = Session(
            endpoint, settings, project, store=store, session_id=session_id,
            engines={pane: engine} if engine else None, claude_code_endpoint=choose_claude_code_endpoint(demo, endpoint),
            origin="cli",
        )
        # --model and the plan are for this turn; they become the session's own choices only
        # when this command created the session (a TUI session keeps what its user picked).
        new_session = session_id is None
        if model_id:
            if new_session:
                session.set_model(pane, model_id)
            else:
                session.panes[pane].model = model_id
        if effort:
            if new_session:
                session.set_effort(pane, effort)
            else:
                session.panes[pane].effort = effort
        if pane == "exec":
            chosen = plan_file or plan_named_in(text, project)
            if chosen is not None:
                if new_session:
                    session.pick_plan(chosen.resolve())
                else:
                    session.picked_plan = chosen.resolve()
        warnings = _report_left_out(session)
        await _check_budget(session, store, settings, pane, text, new_session)
        out = _Stdout()
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGINT, session.cancel, pane)
        except (NotImplementedError, RuntimeError):
            pass  # no signal handlers here (not the main thread, or Windows): Ctrl+C interrupts
        final = None
        after_tool = False
        drift: dict[str, list] = {}  # tool_use id -> drift findings of that proposed edit
        try:
            async for event in session.send(pane, text):
                if isinstance(event, TextDelta):
                    if not as_json:
                        # Text after a tool call is a new paragraph, as the stored reply joins it.
                        out.write(("\n\n" if after_tool else "") + event.text)
                    after_tool = False
                elif isinstance(event, EditProposed):
                    if pane == "exec" and event.edit is not None:
                        drift[event.id] = await _edit_drift(session, event)
                    # Headless approval: the flag decides; the model hears why an edit was not made.
                    if not event.decision.done():
                        event.decision.set_result(Decision("apply") if apply_edits else Decision("reject", NOT_APPLIED))
                elif isinstance(event, TurnStarted):
                    for warning in warnings:
                        click.echo(f"Warning: {warning}", err=True)
                    if not event.trimmed_exchanges:
                        continue
                    click.echo(
                        f"Note: the {event.trimmed_exchanges} oldest exchange(s) were left out so the "
                        "conversation fits the model's context window.",
                        err=True,
                    )
                elif isinstance(event, ToolCallStarted):
                    click.echo(f"[{event.tool}] {event.target}".rstrip(), err=True)
                elif isinstance(event, ToolCallFinished) and event.applied is not None:
                    after_tool = True  # Segue's own tool loop (Claude Code's text is not joined so)
                    click.echo(f"[{event.tool}] {event.target}: " + ("applied" if event.applied else "not applied"), err=True)
                elif isinstance(event, ToolCallFinished) and (event.denied or event.diff):
                    if event.denied:
                        click.echo(f"[{event.tool}] denied: {event.output.strip()}", err=True)
                    else:
                        click.echo(event.diff.rstrip(), err=True)
                elif isinstance(event, ToolCallFinished):
                    after_tool = session.engines.get(pane, "api") == "api"
                elif isinstance(event, Retrying):
                    click.echo(f"{event.reason}; retrying in {event.delay:.0f} s (attempt {event.attempt + 1})…", err=True)
                elif isinstance(event, (TurnDone, TurnFailed)):
                    final = event
        finally:
            try:
                loop.remove_signal_handler(signal.SIGINT)
            except (NotImplementedError, RuntimeError):
                pass
            await session.aclose()
    finally:
        if simulator is not None:
            simulator.stop()
        store.close()
    if final is None:
        raise _fail("The turn ended without a reply.")
    if not as_json and final.text and not final.text.endswith("\n"):
        out.write("\n")
    if as_json:
        model = final.model or session.panes[pane].model
        cost, all_opus = _turn_cost(session, model, final)
        out.write(
            json.dumps(
                {
                    "session": session.id,
                    "pane": pane,
                    "model": model,
                    "text": final.text,
                    "usage": final.usage.as_dict(),
                    "cost_usd": _money(cost),
                    "all_opus_cost_usd": _money(all_opus),
                    "context_warnings": warnings,
                    "edits": [
                        {
                            "path": edit.path, "command": edit.command, "applied": edit.applied, "error": edit.error,
                            "drift": [finding.to_json() for finding in drift.get(edit.call_id, [])],
                        }
                        for edit in final.edits
                    ],
                }
            )
            + "\n"
        )
    if out.error is not None:
        reason = out.error.strerror or out.error
        click.echo(f"Error: Could not write the reply ({reason}); the whole turn is saved in session {session.id}.", err=True)
        return 1
    if isinstance(final, TurnFailed):
        click.echo(f"Error: {final.message}", err=True)
        return 1
    if final.cancelled:
        click.echo("Cancelled; the partial reply is kept in the session.", err=True)
        return 130
    return 0
