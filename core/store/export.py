"""A stored session as a readable Markdown transcript or a stable JSON document.

JSON money is exact: dollar amounts are decimal *strings* ("0.041235"), never floats,
because an export is an archive and the store keeps costs exactly (nanodollars). Parse
them with Decimal (Python) or `tonumber` (jq). Unknown costs (a model with no price) are
null. Timestamps are UTC ISO 8601. Keys never change meaning; new ones may be added, and
`format_version` goes up if one ever has to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from core import models
from core.costs.money import format_usd
from core.costs.pricing import format_tokens
from core.store.database import CostTotals, MessageRow, SessionRow, Store, UsageRow
from core.costs.usage import TokenUsage

FORMAT_NAME = "segue-session"
FORMAT_VERSION = 1
PANE_NAMES = {"plan": "Plan", "exec": "Execute"}
STATUS_NOTES = {
    "streaming": "interrupted while streaming; the text is what was saved",
    "cancelled": "cancelled; partial reply",
    "failed": "failed",
    "partial": "failed after a partial reply",
}


def decimal_text(amount: Decimal | None) -> str | None:
    """'0.041235', '0', '12.5': exact, fixed-point, no exponent; None stays None."""
    if amount is None:
        return None
    if amount == 0:
        return "0"
    return format(amount.normalize(), "f")


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def totals_dict(totals: CostTotals) -> dict[str, Any]:
    """The JSON shape of a CostTotals, shared by exports and `segue cost --json`."""
    return {
        **totals.usage.as_dict(),
        "messages": totals.messages,
        "cost_usd": decimal_text(totals.cost_usd),
        "all_opus_cost_usd": decimal_text(totals.all_opus_cost_usd),
        "savings_usd": decimal_text(totals.savings_usd),
        "unknown_cost_rows": totals.unknown_cost_rows,
    }


def session_dict(session: SessionRow) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "project_dir": session.project_dir,
        "created_at": iso(session.created_at),
        "updated_at": iso(session.updated_at),
        "plan_model": session.plan_model,
        "exec_model": session.exec_model,
        "active_plan": session.active_plan,
    }


def _usage_by_message(rows: Iterable[UsageRow]) -> dict[int, list[UsageRow]]:
    grouped: dict[int, list[UsageRow]] = {}
    for row in rows:
        if row.message_id is not None:
            grouped.setdefault(row.message_id, []).append(row)
    return grouped


def _message_cost(rows: list[UsageRow]) -> tuple[TokenUsage, Decimal | None, Decimal | None]:
    usage = TokenUsage()
    cost: Decimal | None = Decimal(0)
    all_opus: Decimal | None = Decimal(0)
    for row in rows:
        usage = usage + row.usage
        cost = None if cost is None or row.cost_usd is None else cost + row.cost_usd
        all_opus = None if all_opus is None or row.all_opus_cost_usd is None else all_opus + row.all_opus_cost_usd
    return usage, cost, all_opus


def _load(store: Store, session_id: str) -> tuple[SessionRow, list[MessageRow], dict[int, list[UsageRow]]]:
    session = store.get_session(session_id)
    if session is None:
        from core.store.database import SessionNotFound

        raise SessionNotFound(f"No session has the id {session_id!r}.")
    return session, store.messages(session_id), _usage_by_message(store.usage_rows(session_id))


def export_json(store: Store, session_id: str) -> dict[str, Any]:
    """The whole session as plain JSON-able data (see the module docstring for the rules)."""
    session, messages, usage = _load(store, session_id)
    items = []
    for message in messages:
        rows = usage.get(message.id)
        item: dict[str, Any] = {
            "id": message.id,
            "pane": message.pane,
            "role": message.role,
            "model": message.model,
            "status": message.status,
            "created_at": iso(message.created_at),
            "updated_at": iso(message.updated_at),
            "text": message.text,
            "thinking": message.thinking,
            "usage": None,
            "cost_usd": None,
            "all_opus_cost_usd": None,
        }
        if rows:
            tokens, cost, all_opus = _message_cost(rows)
            item.update(usage=tokens.as_dict(), cost_usd=decimal_text(cost), all_opus_cost_usd=decimal_text(all_opus))
        items.append(item)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "session": session_dict(session),
        "messages": items,
        "totals": {
            **totals_dict(store.totals(session_id)),
            "panes": {pane: totals_dict(store.totals(session_id, pane=pane)) for pane in PANE_NAMES},
            "models": {model: totals_dict(line) for model, line in store.totals_by_model(session_id).items()},
        },
        # pane -> Claude Code's own session id for panes run by Claude Code (`claude --resume ID`)
        "claude_code_sessions": store.claude_code_sessions(session_id),
    }


def _tokens_line(usage: TokenUsage) -> str:
    text = f"{format_tokens(usage.total_input)} in"
    if usage.cache_read_input_tokens:
        text += f" ({format_tokens(usage.cache_read_input_tokens)} cached)"
    if usage.cache_creation_input_tokens:
        text += f" ({format_tokens(usage.cache_creation_input_tokens)} written to cache)"
    return f"{text} · {format_tokens(usage.output_tokens)} out"


def _details(thinking: str) -> str:
    # A literal </details> in the model's thinking would close the fold early.
    safe = thinking.strip().replace("</details", "&lt;/details")
    return f"<details>\n<summary>Thinking</summary>\n\n{safe}\n\n</details>\n"


def export_markdown(store: Store, session_id: str) -> str:
    """A readable transcript: header, each message with pane, model and time, costs, totals."""
    session, messages, usage = _load(store, session_id)
    title = session.title or "Untitled session"
    lines = [
        f"# {title}",
        "",
        f"- Session: `{session.id}`",
        f"- Project: `{session.project_dir}`",
        f"- Started: {_when(session.created_at)} · last activity: {_when(session.updated_at)}",
        f"- Models: planning {models.display_name(session.plan_model)} (`{session.plan_model}`)"
        f" · execution {models.display_name(session.exec_model)} (`{session.exec_model}`)",
    ]
    if session.active_plan:
        lines.append(f"- Active plan: `{session.active_plan}`")
    for pane, claude_id in sorted(store.claude_code_sessions(session_id).items()):
        lines.append(f"- {PANE_NAMES[pane]} pane's Claude Code session: `{claude_id}` (`claude --resume {claude_id}`)")
    lines.append("")
    for message in messages:
        who = "You" if message.role == "user" else models.display_name(message.model)
        lines += ["---", "", f"### {who} · {PANE_NAMES.get(message.pane, message.pane)} · {_when(message.created_at)}", ""]
        if message.role == "user" and message.model:
            lines += [f"*to {models.display_name(message.model)}*", ""]
        if message.thinking.strip():
            lines.append(_details(message.thinking))
        lines.append(message.text.rstrip() if message.text.strip() else "*(no text)*")
        lines.append("")
        note = STATUS_NOTES.get(message.status)
        if note:
            lines += [f"> {note}", ""]
        rows = usage.get(message.id)
        if message.role == "assistant" and rows:
            tokens, cost, all_opus = _message_cost(rows)
            lines += [f"*{_tokens_line(tokens)} · {format_usd(cost)} · all-Opus {format_usd(all_opus)}*", ""]
    lines += ["---", "", "## Totals", "", "| | API requests | tokens | cost | all-Opus |", "|---|---:|---|---:|---:|"]
    for label, line in [
        *((PANE_NAMES[pane], store.totals(session_id, pane=pane)) for pane in PANE_NAMES),
        ("**Session**", store.totals(session_id)),
    ]:
        cost = format_usd(line.cost_usd) + (f" + {line.unknown_cost_rows} unpriced" if line.unknown_cost_rows else "")
        lines.append(
            f"| {label} | {line.messages} | {_tokens_line(line.usage)} | {cost} | {format_usd(line.all_opus_cost_usd)} |"
        )
    total = store.totals(session_id)
    lines.append("")
    saved = total.savings_usd
    if saved is not None and total.all_opus_cost_usd:
        share = saved / total.all_opus_cost_usd * 100
        lines.append(f"Saved {format_usd(saved)} ({share:.0f}%) against all-Opus pricing of the same tokens.")
    elif total.unknown_cost_rows:
        lines.append("Some replies used a model without a known price; their cost is not in the sums.")
    lines.append("")
    return "\n".join(lines)
