"""The deterministic local drift check: does a reply (or a proposed edit) keep the decisions in effect?"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.drift.clauses import Segment, negated, segments
from core.drift.decisions import Decision, subject_terms
from core.drift.vocabulary import MENTIONS, quantities

EVIDENCE_CHARS = 160
# Words that say a number is about something else than the decision's number ("refresh tokens
# last 7 days" next to "access tokens expire after 15 minutes").
QUALIFIERS = frozenset(
    """link links refresh reset verification verify invite idle remember email otp csrf cache cookie session lock backoff
    connection read write poll heartbeat keepalive ping retry upload download page batch log""".split()
)
# Subject words too common to tie a number to a decision on their own.
GENERIC_TERMS = frozenset("expiry limit rate attempt iteration memory timeout size length".split())
FOLLOWED, DRIFTED, UNTOUCHED = "followed", "drifted", "untouched"


@dataclass(frozen=True)
class Finding:
    """A decision the reply contradicts, with the words that contradict it."""

    decision: Decision
    evidence: str
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "decision": self.decision.text,
            "source": self.decision.source,
            "line": self.decision.line,
            "evidence": self.evidence,
        }


def _evidence(segment: Segment) -> str:
    text = segment.text
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1].rstrip() + "…"


def _technology_findings(decisions: list[Decision], parts: list[Segment]) -> Iterable[Finding]:
    allowed: dict[str, set[str]] = {}
    for decision in decisions:
        for group, member in decision.chosen:
            allowed.setdefault(group, set()).add(member)
    rejected = {key: decision for decision in decisions for key in decision.rejected}
    deciding = {}  # group -> the first decision that chose in it
    for decision in decisions:
        for group, _ in decision.chosen:
            deciding.setdefault(group, decision)
    for segment in parts:
        for group, member, pattern in MENTIONS:
            if group not in allowed and (group, member) not in rejected:
                continue
            if member in allowed.get(group, set()) and (group, member) not in rejected:
                continue
            for match in pattern.finditer(segment.text):
                if negated(segment.text, match.start(), match.end()):
                    continue
                decision = rejected.get((group, member)) or deciding[group]
                chose = ", ".join(sorted(allowed.get(group, ()))) or "something else"
                yield Finding(decision, _evidence(segment), f"{member} where the decision is {chose}")
                break


def _phrase_findings(decisions: list[Decision], parts: list[Segment]) -> Iterable[Finding]:
    for decision in decisions:
        for phrase in decision.ruled_out:
            pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.I)
            for segment in parts:
                match = pattern.search(segment.text)
                if match and not negated(segment.text, match.start(), match.end()):
                    yield Finding(decision, _evidence(segment), f"uses {phrase}, which the decision rules out")
                    break


def _about_same_thing(decision: Decision, segment: str) -> bool:
    """The segment talks about the decision's subject, not a namesake ("refresh tokens" vs "JWTs")."""
    subject = decision.subject - {"minute", "second", "hour", "day", "week"}
    terms = subject_terms(segment)
    shared = subject & terms
    if not shared:
        return False
    if not shared - GENERIC_TERMS:
        # Only words like "expiry" in common: any other qualifier means another thing expires.
        return not ((terms & QUALIFIERS) - decision.subject)
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", segment).replace("_", " ")
    for qualifier, following in re.findall(r"\b([A-Za-z]+)[\s-]+([A-Za-z]+)", spaced):
        if qualifier.lower() in QUALIFIERS and qualifier.lower() not in decision.subject:
            if subject_terms(following) & subject:
                return False
    return True


def _quantity_findings(decisions: list[Decision], parts: list[Segment]) -> Iterable[Finding]:
    for segment in parts:
        found = quantities(segment.text)
        if not found:
            continue
        for decision in decisions:
            if not decision.quantities or not _about_same_thing(decision, segment.text):
                continue
            for dimension in dict.fromkeys(q.dimension for q in decision.quantities):
                decided = [q for q in decision.quantities if q.dimension == dimension]
                mine = [
                    q for q in found
                    if q.dimension == dimension
                    and not negated(segment.text, q.start, q.start + len(q.text), comparisons=False)
                ]
                if not mine or any(q.same_as(d) for q in mine for d in decided):
                    continue
                yield Finding(decision, _evidence(segment), f"{mine[0].text} where the decision says {decided[0].text}")
                break


def check_reply(reply: str, decisions: list[Decision]) -> list[Finding]:
    """Findings for `reply`: alternatives to decided technologies, ruled-out phrases, changed numbers."""
    parts = list(segments(reply))
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for finding in [
        *_technology_findings(decisions, parts),
        *_phrase_findings(decisions, parts),
        *_quantity_findings(decisions, parts),
    ]:
        key = (finding.decision.source, finding.decision.line, finding.evidence)
        if key not in seen:
            seen.add(key)
            findings.append(finding)
    return findings


def check_edit(path: str, new_text: str, decisions: list[Decision]) -> list[Finding]:
    """Findings for a proposed file edit: the text it would write, checked like a reply."""
    return check_reply(new_text, decisions)


def follows(reply: str, decision: Decision) -> bool:
    """The reply takes up the decision: names what it chose, or states its number."""
    parts = list(segments(reply))
    for segment in parts:
        for group, member, pattern in MENTIONS:
            if (group, member) not in decision.chosen:
                continue
            for match in pattern.finditer(segment.text):
                if not negated(segment.text, match.start(), match.end()):
                    return True
        if decision.quantities:
            found = quantities(segment.text)
            if any(q.same_as(d) for q in found for d in decision.quantities):
                if _about_same_thing(decision, segment.text):
                    return True
    return False


def statuses(replies: list[str], decisions: list[Decision]) -> list[tuple[Decision, str, Finding | None]]:
    """For each decision: followed, drifted (with the latest finding) or untouched by the replies."""
    out: list[tuple[Decision, str, Finding | None]] = []
    findings = [finding for reply in replies for finding in check_reply(reply, decisions)]
    for decision in decisions:
        mine = [finding for finding in findings if finding.decision == decision]
        if mine:
            out.append((decision, DRIFTED, mine[-1]))
        elif any(follows(reply, decision) for reply in replies):
            out.append((decision, FOLLOWED, None))
        else:
            out.append((decision, UNTOUCHED, None))
    return out
