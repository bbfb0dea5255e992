"""`segue usage`: what Claude Code's own transcripts cost, per model, day or session, and against all-Opus."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import click

_COLUMNS = ("Input", "Output", "Cache Create", "Cache Read", "Total Tokens", "Cost (USD)")
_FIRST_COLUMN = {"day": "Date", "session": "Session", "model": "Model", "project": "Project"}


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise click.UsageError(f"{option} takes a date as YYYY-MM-DD, not {value!r}.")


@click.command("usage")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option(
    "--claude-dir",
    "claude_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A Claude Code config root holding projects/ (repeatable; replaces the default roots).",
)
@click.option(
    "--demo", "demo", is_flag=True,
    help="Read the transcripts Claude Code panes wrote in Segue's demo mode (kept apart from ~/.claude).",
)
@click.option("--since", help="First day to count, YYYY-MM-DD (local time).")
@click.option("--until", help="Last day to count, YYYY-MM-DD (local time).")
@click.option("--by", type=click.Choice(["day", "session", "model"]), help="Group rows by day, session or model (default: model).")
def usage_command(as_json, claude_dirs, demo, since, until, by) -> None:
    """The cost of Claude Code's transcripts, and what the same tokens would cost all on Opus."""
    if demo:
        from core.engines.claude_code_setup import demo_config_dir

        claude_dirs = (*claude_dirs, demo_config_dir())
    since_day, until_day = _parse_day(since, "--since"), _parse_day(until, "--until")
    if since_day and until_day and since_day > until_day:
        raise click.UsageError("--since is after --until.")
    try:
        report, roots_found = _report(list(claude_dirs) or None, by, since_day, until_day)
    except click.ClickException:
        raise
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback
        raise click.ClickException(f"Could not read Claude Code's transcripts: {error}") from None
    if not roots_found:
        from core.claude_usage import default_roots

        where = ", ".join(str(root) for root in (claude_dirs or default_roots()))
        raise click.ClickException(f"No Claude Code transcripts found under {where} (set CLAUDE_CONFIG_DIR or pass --claude-dir).")
    from tui.commands.output import reporting_write_errors

    with reporting_write_errors():
        if as_json:
            from core.claude_usage import report_json
            from core.terminal_text import escape_json_controls

            click.echo(escape_json_controls(json.dumps(report_json(report))))
            return
        click.echo(_render(report, by or "model", color=sys.stdout.isatty()))


def _report(roots, by, since_day, until_day):
    from core.claude_usage import TranscriptScanner, build_report
    from core.settings import load_settings

    opus_model = load_settings().opus_model
    with TranscriptScanner(roots) as scanner:
        roots_found = any((root / "projects").is_dir() for root in scanner.roots)
        scanner.scan()
        report = build_report(
            scanner.records(),
            by=by or "model",
            since=since_day,
            until=until_day,
            opus_model=opus_model,
            skipped_lines=scanner.skipped_lines,
            skipped_reasons=scanner.skipped_reasons,
        )
    if by is None:
        report.by = None  # the JSON keeps DESIGN.md's shape when no grouping was asked for
    return report, roots_found


# -- the human table, drawn like ccusage's ---------------------------------------------------


def _number(value: int) -> str:
    return f"{value:,}"


def _usd(value: Decimal | None) -> str:
    from core.costs.money import format_usd

    return format_usd(value)


def _short_model(model: str) -> str:
    from core.terminal_text import printable

    return printable(model.removeprefix("claude-"))


def _row(label: list[str], models: list[str] | None, totals) -> list[list[str]]:
    cells = [label]
    if models is not None:
        cells.append(models)
    cells += [
        [_number(totals.input_tokens)],
        [_number(totals.output_tokens)],
        [_number(totals.cache_creation_input_tokens)],
        [_number(totals.cache_read_input_tokens)],
        [_number(totals.total_tokens)],
        [_usd(totals.cost)],
    ]
    return cells


def _render(report, by: str, color: bool) -> str:
    from core.terminal_text import printable

    with_models = by != "model"
    header = [_FIRST_COLUMN[by]] + (["Models"] if with_models else []) + list(_COLUMNS)
    rows: list[list[list[str]]] = []
    for key, group in report.groups.items():
        models = [f"- {_short_model(m)}" for m in sorted(group.models)] if with_models else None
        # Keys come from transcripts (session ids, days): shown, never obeyed by the terminal.
        rows.append(_row([_short_model(key) if by == "model" else printable(key)], models, group.totals))
    total = _row(["Total"], [""] if with_models else None, report.overall.totals)
    lines = _table(header, rows, total, color)
    overall = report.overall.totals
    all_opus, saved, actual = overall.all_opus_cost, overall.savings, overall.cost
    summary = f"All-Opus (the same tokens priced at Opus rates, {report.overall.opus_model}): {_usd(all_opus)}"
    if saved is not None and all_opus:
        if saved >= 0:
            summary += f" · the mix saved {_usd(saved)} ({saved / all_opus:.0%})"
        else:  # cache writes or long contexts can make the mix dearer: said so, not "saved -$x"
            summary += f" · the mix cost {_usd(-saved)} more ({-saved / all_opus:.0%})"
    lines.append(summary if not color else click.style(summary, bold=True))
    if overall.unpriced_models:
        unpriced = printable(", ".join(sorted(overall.unpriced_models)))
        lines.append(f"No prices known for {unpriced}: their tokens are counted, not costed.")
    if report.skipped_lines:
        why = ", ".join(f"{count} {reason.replace('_', ' ')}" for reason, count in sorted(report.skipped_reasons.items()))
        lines.append(f"{report.skipped_lines} transcript lines skipped" + (f" ({why})." if why else "."))
    if actual is not None and not overall.messages:
        lines.append("No Claude Code usage in this range.")
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[list[str]]], total: list[list[str]], color: bool) -> list[str]:
    right = set(range(len(header) - len(_COLUMNS), len(header)))
    widths = [len(h) for h in header]
    for row in [*rows, total]:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], *(len(part) for part in cell))

    def rule(left: str, middle: str, end: str) -> str:
        return left + middle.join("─" * (w + 2) for w in widths) + end

    def draw(row: list[list[str]], style: dict | None = None) -> list[str]:
        height = max(len(cell) for cell in row)
        out = []
        for line_index in range(height):
            parts = []
            for index, cell in enumerate(row):
                text = cell[line_index] if line_index < len(cell) else ""
                text = text.rjust(widths[index]) if index in right else text.ljust(widths[index])
                parts.append(click.style(text, **style) if (color and style) else text)
            out.append("│ " + " │ ".join(parts) + " │")
        return out

    lines = [rule("┌", "┬", "┐"), *draw([[h] for h in header], {"fg": "cyan", "bold": True}), rule("├", "┼", "┤")]
    for row in rows:
        lines += draw(row)
    if rows:
        lines.append(rule("├", "┼", "┤"))
    lines += draw(total, {"fg": "yellow", "bold": True})
    lines.append(rule("└", "┴", "┘"))
    return lines
