"""`segue sessions`, `segue export` and `segue cost`: the session store from the shell.

Output pipes cleanly: click drops the styling when stdout is not a terminal, JSON is one
document with stable keys and exact decimal strings for dollars (see core.store.export), and
every failure is one sentence on stderr with exit status 1.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from core.terminal_text import escape_json_controls, printable
from tui.commands.output import reporting_write_errors, store_open_sentence


def _open_store():
    from core.store.database import Store, StoreError

    try:
        return Store()
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # SEGUE_HOME is a file, or the data directory is not writable
        raise click.ClickException(store_open_sentence(error)) from None


def _resolve(store, reference: str) -> str:
    from core.store.database import StoreError

    try:
        return store.resolve_session_id(reference)
    except StoreError as error:
        raise click.ClickException(str(error)) from None


def _local(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _project(path: Path) -> str:
    # The TUI keys sessions by the resolved project directory; so must we.
    return str(path.expanduser().resolve())


def _echo_json(document: Any) -> None:
    # json.dumps leaves DEL and C1 characters raw; escaped, the document is the same data.
    with reporting_write_errors():
        click.echo(escape_json_controls(json.dumps(document, indent=2, ensure_ascii=False)))


# -- segue sessions ---------------------------------------------------------------------


@click.command("sessions")
@click.option("--json", "as_json", is_flag=True, help='Print {"sessions": [...]} as JSON.')
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Only sessions of this project directory (default: every project).",
)
@click.option("--search", "search", metavar="TEXT", help="Only sessions whose title or messages contain TEXT.")
def sessions_command(as_json: bool, project_dir: Path | None, search: str | None) -> None:
    """List stored sessions, newest first: id, last activity, messages, cost, models, title."""
    from core.store.export import decimal_text, session_dict
    from core.store.database import StoreError

    store = _open_store()
    try:
        summaries = store.list_sessions(_project(project_dir) if project_dir else None, search)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
    if as_json:
        _echo_json(
            {
                "sessions": [
                    {
                        **session_dict(summary),
                        "message_count": summary.message_count,
                        "models": list(summary.models),
                        "cost_usd": decimal_text(summary.cost_usd),
                        "unknown_cost_rows": summary.unknown_cost_rows,
                    }
                    for summary in summaries
                ]
            }
        )
        return
    if not summaries:
        click.echo("No sessions yet." if not (project_dir or search) else "No sessions match.", err=True)
        return
    with reporting_write_errors():
        _print_sessions(summaries, show_project=project_dir is None)


def _print_sessions(summaries, show_project: bool) -> None:
    from core import models
    from core.costs.money import format_usd

    rows = []
    for summary in summaries:
        cost = format_usd(summary.cost_usd) + ("+?" if summary.unknown_cost_rows else "")
        rows.append(
            [
                summary.id,
                _local(summary.updated_at),
                str(summary.message_count),
                cost,
                printable(", ".join(models.display_name(m) for m in summary.models)) or "—",
                printable(summary.title) if summary.title else "(untitled)",
            ]
            + ([printable(summary.project_dir)] if show_project else [])
        )
    header = ["ID", "UPDATED", "MSGS", "COST", "MODELS", "TITLE"] + (["PROJECT"] if show_project else [])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {2, 3}  # numbers line up on the right

    def line(cells: list[str]) -> str:
        parts = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(cells)]
        return "  ".join(parts).rstrip()

    click.echo(click.style(line(header), bold=True))
    for row in rows:
        click.echo(line(row))


# -- segue export -----------------------------------------------------------------------


@click.command("export")
@click.argument("session")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True, help="Markdown transcript or JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), help="Write to FILE instead of stdout (- is stdout).")
@click.option("--force", is_flag=True, help="Replace FILE if it is a regular file that exists.")
def export_command(session: str, fmt: str, output: Path | None, force: bool) -> None:
    """Export SESSION (an id or a unique prefix of one) as Markdown or JSON."""
    from core.store.export import export_json, export_markdown
    from core.store.database import StoreError

    store = _open_store()
    try:
        session_id = _resolve(store, session)
        if fmt == "json":
            text = json.dumps(export_json(store, session_id), indent=2, ensure_ascii=False) + "\n"
        else:
            text = export_markdown(store, session_id)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()
    if output is None or str(output) == "-":
        if fmt == "json":
            text = escape_json_controls(text)
        elif sys.stdout.isatty():
            # On a terminal the transcript is shown, not obeyed; in a pipe or a file it stays verbatim.
            text = printable(text, multiline=True)
        with reporting_write_errors():
            click.echo(text, nl=False)
        return
    from core.atomic_write import write_atomic
    from core.regular_files import NotRegularFile

    try:
        # A file already there may be someone's work: replace it only when asked to, and
        # only a regular file (an atomic replace would swap a FIFO or device for a plain file).
        write_atomic(output, text, expected=None, create_only=not force)
    except NotRegularFile as error:
        raise click.ClickException(f"{output} is {error.kind}, not a regular file; Segue only writes exports to regular files.") from None
    except FileExistsError:
        raise click.ClickException(f"{output} already exists; pass --force to replace it.") from None
    except OSError as error:
        raise click.ClickException(f"Could not write {output}: {error.strerror or error}.") from None
    click.echo(f"Exported session {session_id} to {output}.", err=True)


# -- segue cost -------------------------------------------------------------------------


def _cost_cells(totals) -> str:
    from core.costs.money import format_usd
    from core.costs.pricing import format_tokens

    usage = totals.usage
    text = f"{format_tokens(usage.total_input)} in"
    if usage.cache_read_input_tokens:
        text += f" ({format_tokens(usage.cache_read_input_tokens)} cached)"
    text += f" · {format_tokens(usage.output_tokens)} out · {format_usd(totals.cost_usd)}"
    if totals.unknown_cost_rows:
        text += f" + {totals.unknown_cost_rows} unpriced"
    # Usage rows are API requests: a reply with tools makes several (`segue sessions` counts messages).
    requests = "API request" if totals.messages == 1 else "API requests"
    return f"{text} · {totals.messages} {requests}"


def _savings(totals) -> str:
    from core.costs.money import format_usd

    text = f"all-Opus {format_usd(totals.all_opus_cost_usd)}"
    saved = totals.savings_usd
    if saved is not None and totals.all_opus_cost_usd:
        text += f" · saved {saved / totals.all_opus_cost_usd * 100:.0f}%"
    return text


@click.command("cost")
@click.argument("session", required=False)
@click.option("--json", "as_json", is_flag=True, help='Print {"session": ..., "today": ...} as JSON.')
def cost_command(session: str | None, as_json: bool) -> None:
    """What SESSION cost; without SESSION, this directory's latest session and today's spend."""
    from core.store.export import session_dict, totals_dict
    from core.store.database import StoreError

    today = date.today()
    store = _open_store()
    try:
        if session is not None:
            row = store.get_session(_resolve(store, session))
        else:
            row = store.latest_session(_project(Path.cwd()))
        report: dict[str, Any] = {"session": None, "today": None}
        if row is not None:
            report["session"] = {
                **session_dict(row),
                "totals": store.totals(row.id),
                "panes": {pane: store.totals(row.id, pane=pane) for pane in ("plan", "exec")},
                "models": store.totals_by_model(row.id),
            }
        report["today"] = {"date": today.isoformat(), "totals": store.totals(day=today)}
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        store.close()

    with reporting_write_errors():
        _print_cost(report, as_json)


def _print_cost(report: dict[str, Any], as_json: bool) -> None:
    from core import models
    from core.store.export import totals_dict

    if as_json:
        found = report["session"]
        if found is not None:
            found["totals"] = totals_dict(found["totals"])
            found["panes"] = {pane: totals_dict(line) for pane, line in found["panes"].items()}
            found["models"] = {model: totals_dict(line) for model, line in found["models"].items()}
        report["today"]["totals"] = totals_dict(report["today"]["totals"])
        _echo_json(report)
        return

    found = report["session"]
    if found is None:
        click.echo(f"No session for {_project(Path.cwd())} yet.")
    else:
        title = f' "{printable(found["title"])}"' if found["title"] else ""
        click.echo(click.style(f"Session {found['id']}{title}", bold=True) + f" · {printable(found['project_dir'])}")
        names = {"plan": "Plan", "exec": "Execute"}
        for pane, line in found["panes"].items():
            if line.messages:
                click.echo(f"  {names[pane]:<10} {_cost_cells(line)}")
        for model, line in found["models"].items():
            click.echo(f"  {printable(models.display_name(model)):<10} {_cost_cells(line)}")
        click.echo(f"  {'Total':<10} {_cost_cells(found['totals'])} · {_savings(found['totals'])}")
    spent = report["today"]["totals"]
    click.echo(
        click.style(f"Today {report['today']['date']}", bold=True)
        + f" (all sessions): {_cost_cells(spent)} · {_savings(spent)}"
    )
