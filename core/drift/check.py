"""The deterministic local drift check: does a reply (or a proposed edit) keep the decisions in effect?"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from core.drift.clauses import Segment, negated, segments
from core.drift.decisions import Decision, subject_terms
from core.drift.vocabulary import MENTIONS, quantities

EVIDENCE_CHARS = 160
# Words that say a number is about something else than the decision's number ("refresh tokens
# last 7 days" next to "access tokens expire after 15 minutes").
QUALIFIERS = frozenset(
    """link refresh reset verification invite remember email otp csrf cache cookie session lock
    connection read write poll heartbeat keepalive ping upload download page batch log""".split()
)
# Subject words too common to tie a number to a decision on their own.
GENERIC_TERMS = frozenset("expiry limit rate attempt timeout size length".split())
FOLLOWED, DRIFTED, UNTOUCHED = "followed", "drifted", "untouched"
TIME_WORDS = frozenset("minute second hour day week".split())


@dataclass(frozen=True)
class Finding:
    """A decision the reply contradicts, with the words that contradict it."""

    decision: Decision
    evidence: str
    reason: str
    place: str = ""  # the file a proposed edit writes; empty for a reply

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
    rejected: dict[tuple[str, str], Decision] = {}
    for decision in decisions:  # the first (CLAUDE.md before the plan) names the rule
        for key in decision.rejected:
            rejected.setdefault(key, decision)
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
    """The segment talks about the decision's subject (a shared content word)."""
    subject = decision.subject - TIME_WORDS
    terms = subject_terms(segment)
    shared = subject & terms
    if not shared:
        return False
    # Only words like "expiry" in common ("expired = now - timedelta(seconds=1)"): not enough to
    # say the number is the decision's.
    return bool(shared - GENERIC_TERMS)


_LOCAL_BREAK = re.compile(r"[,;:()\[\]]|\band\b|\bbut\b", re.I)


def local_words(text: str, start: int, end: int) -> frozenset[str]:
    """The words next to a number, within its clause: four before, the number's own, two after."""
    left = _LOCAL_BREAK.split(text[:start])[-1]
    right = _LOCAL_BREAK.split(text[end:])[0]
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", f"{' '.join(left.split()[-4:])} {text[start:end]} {' '.join(right.split()[:2])}")
    return frozenset(re.findall(r"[a-z0-9]+", spaced.replace("_", " ").lower()))


def local_qualifiers(text: str, start: int, end: int) -> frozenset[str]:
    """Qualifiers next to a number ("refresh tokens expire after 14 days"): whose number it is."""
    return frozenset(word for word in local_words(text, start, end) if word.rstrip("s") in QUALIFIERS or word in QUALIFIERS)


def _same_owner(decision: Decision, decided, segment: str, mine) -> bool:
    def owners(text: str, quantity) -> frozenset[str]:
        return frozenset(word.rstrip("s") for word in local_qualifiers(text, quantity.start, quantity.start + len(quantity.text)))

    return owners(decision.text, decided) == owners(segment, mine)


def _quantity_findings(decisions: list[Decision], parts: list[Segment]) -> Iterable[Finding]:
    for segment in parts:
        found = quantities(segment.text)
        if not found:
            continue
        for decision in decisions:
            if not decision.quantities or not _about_same_thing(decision, segment.text):
                continue
            for decided in decision.quantities:
                mine = [
                    q for q in found
                    if q.dimension == decided.dimension
                    and _same_owner(decision, decided, segment.text, q)
                    and not negated(segment.text, q.start, q.start + len(q.text), comparisons=False)
                ]
                if not mine or any(q.same_as(decided) for q in mine):
                    continue
                yield Finding(decision, _evidence(segment), f"{mine[0].text} where the decision says {decided.text}")
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
    return [replace(finding, place=path) for finding in check_reply(new_text, decisions)]


def _mark_pattern(mark: str) -> re.Pattern[str]:
    """A mark as code or prose may spell it: "retry-after" is also Retry-After and RETRY_AFTER."""
    parts = [re.escape(part) for part in re.split(r"[-_]", mark)]
    return re.compile(r"(?<![\w-])" + r"[-_ ]?".join(parts) + r"(?![\w-])", re.I)


def follows(reply: str, decision: Decision) -> bool:
    """The reply takes up the decision: names what it chose, states its number, or (for a rule
    with neither) names every distinctive word of it in one place ("429", "retry-after")."""
    parts = list(segments(reply))
    marks = [_mark_pattern(mark) for mark in decision.marks] if not (decision.chosen or decision.quantities) else []
    for segment in parts:
        for group, member, pattern in MENTIONS:
            if (group, member) not in decision.chosen:
                continue
            for match in pattern.finditer(segment.text):
                if not negated(segment.text, match.start(), match.end()):
                    return True
        if decision.quantities:
            found = quantities(segment.text)
            if any(q.same_as(d) and _same_owner(decision, d, segment.text, q) for q in found for d in decision.quantities):
                # The same number of the same kind: one shared word, even a common one, ties it.
                if decision.subject - TIME_WORDS & subject_terms(segment.text):
                    return True
        if marks and all(_unnegated(pattern, segment.text) for pattern in marks):
            return True
    return False


def _unnegated(pattern: re.Pattern[str], text: str) -> bool:
    return any(not negated(text, match.start(), match.end()) for match in pattern.finditer(text))


def statuses(
    replies: list[str], decisions: list[Decision], edits: Iterable[tuple[str, str]] = ()
) -> list[tuple[Decision, str, Finding | None]]:
    """For each decision: followed, drifted (with the latest finding) or untouched by the execution's
    replies and the (path, text) of its edits, each judged as the reply notice and the approval dialog judge it."""
    edits = list(edits)
    out: list[tuple[Decision, str, Finding | None]] = []
    findings = [finding for reply in replies for finding in check_reply(reply, decisions)]
    findings += [finding for path, text in edits for finding in check_edit(path, text, decisions)]
    work = [*replies, *(text for _, text in edits)]
    for decision in decisions:
        mine = [finding for finding in findings if finding.decision == decision]
        if mine:
            out.append((decision, DRIFTED, mine[-1]))
        elif any(follows(text, decision) for text in work):
            out.append((decision, FOLLOWED, None))
        else:
            out.append((decision, UNTOUCHED, None))
    return out
