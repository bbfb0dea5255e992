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
    from core.project_files import is_plan_file

    for match in PLAN_NAME.finditer(prompt):
        candidate = project / match.group(1)
        if candidate.is_file() and is_plan_file(candidate, project):
            return candidate
    return None


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 6))


@click.command("ask")
@click.argument("prompt", nargs=-1, required=True)
@click.option("--pane", type=click.Choice(["plan", "exec"]), default="plan", show_default=True, help="Which pane's model and context to use.")
@click.option("--model", "model_name", help="opus, sonnet, haiku or a full model id (default: the pane's model).")
@click.option("--session", "session_ref", help="Add the turn to this session (id or prefix) instead of a new one.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), help="Plan file for the exec pane's context.")
@click.option("--demo", is_flag=True, help="Use the embedded simulator even if ANTHROPIC_API_KEY is set.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end instead of streaming text.")
def ask_command(prompt, pane, model_name, session_ref, plan_file, demo, as_json) -> None:
    """Send PROMPT as one turn and stream the reply to stdout."""
    text = " ".join(prompt).strip()
    if not text:
        raise click.UsageError("The prompt is empty.")
    try:
        code = asyncio.run(_ask(text, pane, model_name, session_ref, plan_file, demo, as_json))
    except click.ClickException:
        raise
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback
        raise click.ClickException(f"{type(error).__name__}: {error}") from None
    sys.exit(code)


async def _ask(text, pane, model_name, session_ref, plan_file, demo, as_json) -> int:
    from core import models
    from core.events import TextDelta, TurnDone, TurnFailed
    from core.session import Session
    from core.settings import load_settings
    from core.store import Store
    from tui.launch import choose_endpoint

    project = Path.cwd()
    settings = load_settings()
    store = Store()
    session_id = None
    if session_ref:
        try:
            session_id = store.resolve_session_id(session_ref)
        except LookupError as error:
            raise click.ClickException(str(error)) from None
    endpoint, simulator = choose_endpoint(demo)
    try:
        session = Session(endpoint, settings, project, store=store, session_id=session_id)
        if model_name:
            session.set_model(pane, models.resolve_model(model_name))
        if pane == "exec":
            chosen = plan_file or plan_named_in(text, project)
            if plan_file is not None and not plan_file.is_file():
                raise click.ClickException(f"The plan file {plan_file} does not exist.")
            if chosen is not None:
                session.pick_plan(chosen.resolve())
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, session.cancel, pane)
        final = None
        async for event in session.send(pane, text):
            if isinstance(event, TextDelta) and not as_json:
                sys.stdout.write(event.text)
                sys.stdout.flush()
            elif isinstance(event, (TurnDone, TurnFailed)):
                final = event
        loop.remove_signal_handler(signal.SIGINT)
        await session.aclose()
    finally:
        if simulator is not None:
            simulator.stop()
    if not as_json and final is not None and final.text and not final.text.endswith("\n"):
        sys.stdout.write("\n")
    if final is None:
        raise click.ClickException("The turn ended without a reply.")
    if as_json:
        cost, all_opus = session.message_cost(final.model or session.panes[pane].model, final.usage)
        print(
            json.dumps(
                {
                    "session": session.id,
                    "pane": pane,
                    "model": final.model or session.panes[pane].model,
                    "text": final.text,
                    "usage": final.usage.as_dict(),
                    "cost_usd": _money(cost),
                    "all_opus_cost_usd": _money(all_opus),
                }
            )
        )
    if isinstance(final, TurnFailed):
        click.echo(f"Error: {final.message}", err=True)
        return 1
    if final.cancelled:
        click.echo("Cancelled; the partial reply is kept in the session.", err=True)
        return 130
    return 0
