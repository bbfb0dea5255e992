"""`segue drift`: check a reply against the decisions in CLAUDE.md and the plan, from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _read_reply(reply_file: str) -> str:
    if reply_file == "-":
        data = sys.stdin.buffer.read()
        where = "standard input"
    else:
        path = Path(reply_file).expanduser()
        if not path.is_file():
            _fail(f"The reply file {path} does not exist.")
        try:
            data = path.read_bytes()
        except OSError as error:
            _fail(f"The reply file {path} cannot be read ({error.strerror or error}).")
        where = str(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        _fail(f"The reply on {where} is not UTF-8 text.")
    raise AssertionError("unreachable")


@click.command("drift")
@click.argument("reply_file", required=False, metavar="[REPLY_FILE | -]")
@click.option("--project", "project_dir", type=click.Path(path_type=Path), help="Project holding CLAUDE.md and plans (default: here).")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path), help="Plan file (default: the most recent plan in the project).")
@click.option("--json", "as_json", is_flag=True, help='Print {"decisions": [...], "findings": [...]} as JSON.')
def drift_command(reply_file: str | None, project_dir: Path | None, plan_file: Path | None, as_json: bool) -> None:
    """Check REPLY_FILE ('-' reads stdin) against the decisions in CLAUDE.md and the plan.

    Without a reply, lists the decisions in effect. Exit 0: no drift; 1: findings; 2: error.
    The check is the local, deterministic one (no API call).
    """
    from core.drift.check import check_reply
    from core.drift.decisions import decisions_in_effect
    from core.handoff.project_files import FileProblem, active_plan
    from core.settings import load_settings

    project = (project_dir or Path.cwd()).expanduser()
    if not project.is_dir():
        _fail(f"The project folder {project} does not exist.")
    project = project.resolve()
    if plan_file is not None:
        plan = plan_file.expanduser()
        if not plan.is_absolute() and not plan.exists():
            plan = project / plan
        if not plan.is_file():
            _fail(f"The plan file {plan_file} does not exist.")
    else:
        plan = active_plan(project, None, load_settings().plan_pattern)
    reply = _read_reply(reply_file) if reply_file is not None else None
    try:
        decisions = decisions_in_effect(project, plan)
    except FileProblem as error:
        _fail(f"{error}")
    findings = check_reply(reply, decisions) if reply is not None else []
    if as_json:
        payload = {
            "decisions": [decision.to_json() for decision in decisions],
            "findings": [finding.to_json() for finding in findings],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_text(decisions, findings, reply is not None, plan)
    sys.exit(EXIT_FINDINGS if findings else EXIT_CLEAN)


def _print_text(decisions, findings, checked: bool, plan: Path | None) -> None:
    if not decisions:
        where = "CLAUDE.md" + (f" or {plan.name}" if plan is not None else "")
        click.echo(f"No decisions found in {where}.")
    if not checked:
        for decision in decisions:
            click.echo(f"{decision.where}  {decision.text}")
        return
    for finding in findings:
        decision = finding.decision
        click.echo(f'drift: {decision.where} "{decision.text}"')
        click.echo(f"  reply: {finding.evidence}")
    verdict = f"{len(findings)} finding(s)" if findings else "no drift"
    click.echo(f"{len(decisions)} decision(s) checked: {verdict}.")
