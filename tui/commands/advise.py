"""`segue advise`: the decision-matrix advisor from the shell (which model, which route, why)."""

from __future__ import annotations

import json
import sys

import click


@click.command("advise")
@click.argument("prompt", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print {model, route, task_type, reason} as JSON.")
def advise_command(prompt: tuple[str, ...], as_json: bool) -> None:
    """Say whether PROMPT calls for Opus or Sonnet, and whether to plan or execute. '-' reads stdin."""
    words = list(prompt)
    if words == ["-"]:
        words = [sys.stdin.read()]
    text = " ".join(words).strip()
    if not text:
        click.echo("segue advise needs a prompt, e.g. segue advise \"Fix the typo in README.md\".", err=True)
        sys.exit(2)
    from core.advisor.matrix import advise

    advice = advise(text)
    if as_json:
        click.echo(json.dumps(advice.as_dict(), ensure_ascii=False))
    else:
        click.echo(advice.summary())
