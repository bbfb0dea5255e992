"""The opt-in second opinion: a small model reviews only the findings the local check flagged."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from core.costs.usage import TokenUsage
from core.drift.check import Finding
from core.engines.api import TurnRequest, stream_turn
from core.events import TextDelta, TurnDone, TurnFailed, UsageUpdate

MODEL_ALIAS = "haiku"
MAX_TOKENS = 400
REVIEWER = (
    "You are a drift reviewer. A project recorded decisions; an implementation reply may contradict them. "
    "For each numbered finding answer on its own line `N: DRIFT - reason` when the reply really goes against "
    "the decision, or `N: FOLLOWS - reason` when it only mentions the alternative (to reject it, compare, quote)."
)
_VERDICT = re.compile(r"^\s*(\d+)\s*[:.)]\s*(DRIFT|FOLLOWS)\b\W*(.*)$", re.I | re.M)


@dataclass(frozen=True)
class Review:
    """What the reviewer kept (findings it confirmed or did not answer), its cost, and any failure."""

    kept: list[Finding]
    dismissed: list[Finding]
    model: str
    usage: TokenUsage
    error: str = ""


def review_prompt(findings: list[Finding]) -> str:
    lines = ["Findings to review:"]
    for n, finding in enumerate(findings, 1):
        decision = finding.decision
        lines.append(f"{n}. Decision ({decision.where}): {decision.text}\n   Reply says: {finding.evidence}")
    return "\n".join(lines)


async def review(client: Any, model: str, findings: list[Finding]) -> Review:
    """Ask `model` about `findings` through the same streamed-turn path as every pane turn."""
    request = TurnRequest(
        model=model,
        messages=[{"role": "user", "content": review_prompt(findings)}],
        system=[{"type": "text", "text": REVIEWER}],
        max_tokens=MAX_TOKENS,
    )
    text, usage, error = "", TokenUsage(), ""
    async for event in stream_turn(client, request, asyncio.Event()):
        if isinstance(event, TextDelta):
            text += event.text
        elif isinstance(event, UsageUpdate):
            usage = event.usage
        elif isinstance(event, TurnDone):
            usage = event.usage
        elif isinstance(event, TurnFailed):
            usage, error = event.usage, event.message
    verdicts = {int(number): verdict.upper() for number, verdict, _ in _VERDICT.findall(text)}
    kept = [finding for n, finding in enumerate(findings, 1) if verdicts.get(n) != "FOLLOWS"]
    dismissed = [finding for n, finding in enumerate(findings, 1) if verdicts.get(n) == "FOLLOWS"]
    return Review(kept, dismissed, model, usage, error)


def record(session: Any, review_: Review) -> None:
    """The review's cost as a usage row of the execution pane, so the meters count it."""
    store = getattr(session, "store", None)
    if store is None or not session.id or not review_.usage.total:
        return
    cost, all_opus = session.message_cost(review_.model, review_.usage)
    store.add_usage(session.id, None, "exec", review_.model, review_.usage, cost, all_opus)
