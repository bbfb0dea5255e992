"""The notice under an execution reply that departs from a decision: the decision quoted, with file:line."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from core.drift.check import Finding

SHOWN = 3  # decisions quoted in full; the decisions view (F9) lists the rest
EVIDENCE_PER_DECISION = 2  # lines of the reply quoted under each decision


def notice_text(findings: list[Finding], note: str = "", what: str = "reply") -> Text:
    """The notice's text: each decision quoted once with where it is, then the words of the reply (or edit)."""
    text = Text.assemble(("⚠ Drift: ", "bold"), f"this {what} departs from a decision in effect.")
    # One quote per decision, however many places in the reply break it.
    by_decision: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        by_decision.setdefault((finding.decision.text, finding.decision.where), []).append(finding.evidence)
    for (decision, where), evidence in list(by_decision.items())[:SHOWN]:
        text.append(f'\n  "{decision}"', style="italic")
        text.append(f" — {where}", style="bold")
        for line in evidence[:EVIDENCE_PER_DECISION]:
            text.append(f"\n    {what}: {line}", style="dim")
        if len(evidence) > EVIDENCE_PER_DECISION:
            more = len(evidence) - EVIDENCE_PER_DECISION
            text.append(f"\n    …and {more} more place{'s' if more > 1 else ''}", style="dim")
    if len(by_decision) > SHOWN:
        text.append(f"\n  …and {len(by_decision) - SHOWN} more decisions: F9 lists every decision.")
    if note:
        text.append(f"\n  {note}", style="dim")
    return text


class DriftNotice(Static):
    DEFAULT_CSS = """
    DriftNotice { margin: 0 1 1 1; padding: 0 1; border-left: thick $warning; color: $text; height: auto; }
    """

    def __init__(self, findings: list[Finding], note: str = "") -> None:
        self.findings = findings
        super().__init__(notice_text(findings, note), classes="drift-notice")


async def check_exec_reply(pane: Any, reply_view: Any, text: str) -> list[Finding]:
    """Check a finished execution reply; mount a DriftNotice under it when it drifts.

    With the `drift_second_opinion` setting, Haiku reviews the flagged findings first (its cost
    is recorded as a usage row of the execution pane and shown by the meters).
    """
    from core.drift.check import check_reply
    from core.drift.decisions import session_decisions

    import asyncio

    session = pane.session
    # Off the event loop: a 40k-token reply takes tens of milliseconds to check.
    findings = await asyncio.to_thread(lambda: check_reply(text, session_decisions(session)))
    note = ""
    if findings and getattr(session.settings, "drift_second_opinion", False):
        from core import models
        from core.drift.second_opinion import MODEL_ALIAS, record, review
        from tui.messages import UsageUpdated

        result = await review(await session.ready_client(), models.resolve_model(MODEL_ALIAS), findings)
        record(session, result)
        if result.usage.total:
            pane.post_message(UsageUpdated("exec", result.model, result.usage, live=False))
        if result.error:
            note = f"Second opinion unavailable ({result.error}); showing the local check."
        else:
            findings = result.kept
            note = f"Confirmed by {models.display_name(result.model)}."
    if findings and reply_view.is_attached:
        await pane.log_view.mount(DriftNotice(findings, note), after=reply_view.status_line)
    return findings
