"""The decisions in effect: lines of CLAUDE.md and the active plan that choose, rule out or fix something."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.drift.clauses import negated
from core.drift.vocabulary import MENTIONS, Quantity, quantities
from core.tools.checklist import _PHASE, _STEP_SECTION, parse_steps

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.+)$")
# Sections that weigh options or list doubts: what they name is not decided.
_UNDECIDED_SECTION = re.compile(
    r"option|alternative|compar|trade-?off|risk|question|considered|pros\b|cons\b|background|context|weigh", re.I
)
_REJECTED_SECTION = re.compile(r"reject|not chosen|ruled out|avoid|don'?t|do not|never", re.I)
_DECISION_SECTION = re.compile(r"decision|decided|rule|convention|recommend|constraint|choice|stack", re.I)
# "For: ...", "Against: ...", "Cons: ...": an argument about an option, not a decision.
_WEIGHING_LABEL = re.compile(
    r"^\W*(?:for|against|pros?|cons?|upsides?|downsides?|drawbacks?|benefits?|advantages?|disadvantages?|"
    r"caveats?|risks?|trade-?offs?)\s*:",
    re.I,
)
# "Rejected: ...", "Ruled out: ...": what the line names is decided against ("not X").
_REJECTED_LABEL = re.compile(r"^\W*(?:rejected|ruled\s+out|not\s+chosen|dropped|avoid)\s*:", re.I)
# "use X (not Y)", "X instead of Y", "never use Y": phrases ruled out, whether or not the table knows them.
_RULED_OUT = re.compile(
    r"\((?:not|no)\s+([^)]{2,40})\)|,\s*not\s+([\w][\w .+-]{1,30}?)(?=[.,;)]|$)|"
    r"\b(?:instead\s+of|rather\s+than)\s+([\w][\w.+-]*(?:\s+[\w.+-]+)?)|"
    r"\b(?:never|don'?t|do\s+not)\s+use\s+([\w][\w.+-]*(?:\s+[\w.+-]+)?)|\bavoid\s+([\w][\w.+-]*)",
    re.I,
)
_DECIDING_VERB = re.compile(
    r"^\W*(?:use|uses|prefer|always|never|keep|store|hash|expire|must|only|do not|don't|pick|choose|go with|adopt)\b",
    re.I,
)
_STATED = re.compile(r"^\W*(?:recommendation|decision|decided|we (?:will|chose|choose|use|pick))\b", re.I)
STOP_WORDS = frozenset(
    """a an the and or of to in on for with by at as is are be been use uses used using after before every each per
    all any this that these those it its we our you your must should will shall can may not no never only always
    than then from into via set sets default defaults value values max min maximum minimum least most more less
    about after up down out over under within keep kept do does done make made one two three here there when where
    which while what how why need needs new old time times instead rather""".split()
)
SYNONYMS = {
    "expire": "expiry", "expires": "expiry", "expiration": "expiry", "expired": "expiry", "ttl": "expiry",
    "lifetime": "expiry", "lifespan": "expiry", "valid": "expiry", "validity": "expiry", "exp": "expiry",
    "jwt": "token", "jwts": "token", "tokens": "token", "token": "token", "memory_cost": "memory", "mem": "memory",
    "time_cost": "iteration", "iterations": "iteration", "rounds": "iteration", "round": "iteration",
    "passes": "iteration", "attempts": "attempt", "tries": "attempt", "limit": "limit", "limits": "limit",
    "ratelimit": "rate", "throttle": "rate", "throttling": "rate", "lanes": "parallelism", "threads": "parallelism",
}


@dataclass(frozen=True)
class Decision:
    """One decision: the line as written, where it is, and what it chooses, rules out or fixes."""

    text: str
    source: str  # the file as the user names it: CLAUDE.md, AUTH_PLAN.md, plans/auth.md
    line: int
    chosen: tuple[tuple[str, str], ...] = ()  # (group, member) from the alternatives table
    rejected: tuple[tuple[str, str], ...] = ()
    ruled_out: tuple[str, ...] = ()  # phrases the table does not know ("global state")
    quantities: tuple[Quantity, ...] = ()
    subject: frozenset[str] = field(default_factory=frozenset)
    # Distinctive words a reply that keeps the rule would repeat: codes, identifiers ("429", "retry-after").
    marks: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "source": self.source, "line": self.line}


def subject_terms(text: str) -> frozenset[str]:
    """The content words of `text` (identifiers split), mapped to shared spellings."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    terms = set()
    for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", spaced.replace("_", " ")):
        lowered = word.lower()
        if lowered in STOP_WORDS or len(lowered) < 3 or lowered.isdigit():
            continue
        lowered = SYNONYMS.get(lowered, lowered)
        if lowered.endswith("s") and len(lowered) > 4 and not lowered.endswith("ss"):
            lowered = SYNONYMS.get(lowered[:-1], lowered[:-1])
        terms.add(lowered)
    return frozenset(terms)


def _clean(text: str) -> str:
    return " ".join(text.replace("**", "").replace("`", "").replace("__", "").split())


def read_line(
    text: str, source: str, line: int, *, section: str = "", all_rules: bool = False, step: bool = False
) -> Decision | None:
    """The decision `text` states, or None when it decides nothing we can check or list.

    `step`: the line is a step of a plan (work to do); it decides only what it rules out.
    """
    text = _clean(text)
    if not text or text.endswith("?") or _WEIGHING_LABEL.match(text):
        return None
    rejecting_section = bool(_REJECTED_SECTION.search(section) or _REJECTED_LABEL.match(text))
    chosen: list[tuple[str, str]] = []
    rejected: list[tuple[str, str]] = []
    for group, member, pattern in MENTIONS:
        for match in pattern.finditer(text):
            key = (group, member)
            if rejecting_section or negated(text, match.start(), match.end()):
                if key not in rejected:
                    rejected.append(key)
            elif key not in chosen:
                chosen.append(key)
    # Naming several members of one group without saying which wins is a comparison, not a choice.
    by_group: dict[str, list[tuple[str, str]]] = {}
    for key in chosen:
        by_group.setdefault(key[0], []).append(key)
    chosen = [key for key in chosen if len(by_group[key[0]]) == 1]
    chosen = [key for key in chosen if key not in rejected]
    ruled_out = []
    for match in _RULED_OUT.finditer(text):
        phrase = next(group for group in match.groups() if group).strip(" .,;").lower()
        if phrase and not _known(phrase) and phrase not in ruled_out:
            ruled_out.append(phrase)
    found = tuple(quantities(text))
    if step:
        # A plan's step is work to do: only what it states against something is a decision in effect.
        if not (rejected or ruled_out):
            return None
        chosen, found = [], ()
    decides = chosen or rejected or ruled_out or found
    if not decides and not (all_rules or _DECIDING_VERB.search(text)):
        return None
    return Decision(
        text=text,
        source=source,
        line=line,
        chosen=tuple(chosen),
        rejected=tuple(rejected),
        ruled_out=tuple(ruled_out),
        quantities=found,
        subject=subject_terms(text),
        marks=marks(text),
    )


# A status code or other bare number of three or more digits; a hyphenated, snake_case or camelCase word.
_MARK = re.compile(
    r"(?<![\w.,-])\d{3,}(?!\w|[.,-]\d)|(?<![\w-])[A-Za-z][a-z0-9]*(?:[-_][A-Za-z0-9]+)+(?![\w-])|"
    r"(?<![\w-])[a-z]+[A-Z][A-Za-z0-9]*(?![\w-])"
)


def marks(text: str) -> tuple[str, ...]:
    """The distinctive words of a rule: what a reply that keeps it would repeat."""
    taken = [(q.start, q.start + len(q.text)) for q in quantities(text)]
    found: list[str] = []
    for match in _MARK.finditer(text):
        if any(a <= match.start() < b for a, b in taken) or match.group(0).lower() in found:
            continue
        found.append(match.group(0).lower())
    return tuple(found)


def _section_kind(headings: list[tuple[int, str]]) -> str:
    """The heading that says what kind of section a line is in: the nearest one that says anything.

    "### Sliding window" under "## Options" is still weighing options; "### Database" under
    "## Decisions" still decides.
    """
    for level, title in reversed(headings):
        if level == 1 and len(headings) > 1:
            break  # the document's title ("# Auth Implementation Plan") names no section
        if _DECISION_SECTION.search(title) or _UNDECIDED_SECTION.search(title) or _REJECTED_SECTION.search(title):
            return title
    return headings[-1][1] if headings else ""


def _named_as_steps(text: str, index: int) -> bool:
    """Line `index` (0-based) is a "Phase 1: ..." item or stands under a steps or phases heading."""
    lines = text.splitlines()
    item = _ITEM.match(lines[index])
    if item and _PHASE.match(_clean(item.group(1))):
        return True
    for raw in reversed(lines[:index]):
        heading = _HEADING.match(raw.strip())
        if heading and (_STEP_SECTION.search(heading.group(2)) or _PHASE.match(heading.group(2))):
            return True
    return False


def _known(phrase: str) -> bool:
    """The alternatives table names it: it is checked as a technology, not as a phrase."""
    return any(pattern.search(phrase) for _, _, pattern in MENTIONS)


def extract(text: str, source: str, *, rules_file: bool = False) -> list[Decision]:
    """Decisions in a Markdown file. In CLAUDE.md (`rules_file`) every list item is a rule in effect;
    in a plan only lines that choose, rule out or fix something, outside sections that weigh options,
    and of its steps only what they rule out."""
    decisions: list[Decision] = []
    headings: list[tuple[int, str]] = []  # (level, title) from the outermost section in
    # The plan's steps as its checklist counts them (the work the execution ticks off). Only a plan
    # that names its steps (a steps or phases section, "Phase 1: ...") has them: in one that does
    # not, the checklist falls back to every numbered item, and those may well be its choices.
    step_lines = set() if rules_file else {
        step.line for step in parse_steps(text) if not step.is_heading and _named_as_steps(text, step.line)
    }
    section = ""
    fenced = False
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            fenced = not fenced
            continue
        if fenced or not stripped:
            continue
        heading = _HEADING.match(stripped)
        if heading:
            level = len(heading.group(1))
            if level == 1 and headings:
                continue  # a second title: the sections under it keep their own headings
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, heading.group(2)))
            section = _section_kind(headings)
            continue
        if _UNDECIDED_SECTION.search(section) and not _DECISION_SECTION.search(section):
            continue
        if stripped.startswith(("|", ">")):
            continue
        item = _ITEM.match(raw)
        if not item and not rules_file and not _STATED.match(stripped):
            continue  # a plan's prose explains; its list items and stated recommendation decide
        body = item.group(1) if item else stripped
        in_decisions = bool(_DECISION_SECTION.search(section))
        all_rules = bool(item) and (rules_file or in_decisions)
        step = number - 1 in step_lines and not in_decisions
        decision = read_line(body, source, number, section=section, all_rules=all_rules, step=step)
        if decision is not None:
            decisions.append(decision)
    return decisions


def _relative(path: Path, project: Path) -> str:
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path.name


def decisions_in_effect(project: Path, plan: Path | None, *, skip_unreadable: bool = False) -> list[Decision]:
    """CLAUDE.md's rules, then the plan's decisions. An unreadable file raises FileProblem
    (or, with `skip_unreadable`, adds nothing: the pane already says it left the file out)."""
    from core.handoff.project_files import FileProblem, claude_md_path, read_text_file

    found: list[Decision] = []
    claude = claude_md_path(project)
    for path, rules in ((claude if claude.exists() else None, True), (plan, False)):
        if path is None:
            continue
        try:
            text = read_text_file(path).text
        except FileProblem:
            if not skip_unreadable:
                raise
            continue
        found += extract(text, _relative(path, project), rules_file=rules)
    return found


def session_decisions(session: Any) -> list[Decision]:
    """The decisions the session's execution pane works under: CLAUDE.md and the active plan."""
    from core.handoff.context_files import active_plan_path

    return decisions_in_effect(session.project_dir, active_plan_path(session), skip_unreadable=True)
