"""Reading prose for drift: sentences, clause boundaries, and whether a mention is negated or hedged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*\"'(\[])")
# A clause starts after these: a negation before them does not reach past them.
_CLAUSE_BREAK = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:but|however|whereas|although|though|yet|so|then|because|since|which)\b", re.I
)
# Cues that make the mention after them something not chosen; (cue, how many words it reaches).
_NEGATION_CUES = re.compile(
    r"\b(?:not|no|never|nor|neither|without|instead\s+of|rather\s+than|avoid\w*|vs\.?|versus|unlike|"
    r"compared\s+(?:to|with)|against|forbid\w*|ban\w*|reject\w*|drop\w*|ditch\w*|away\s+from|"
    r"replac\w*|switch\w*\s+from|migrat\w*\s+from|mov\w*\s+from|remov\w*|deprecat\w*|"
    r"alternatives?\s+(?:like|such\s+as|to)|considered|if\s+we\s+(?:used|chose|picked)|whether)\b|"
    r"\w+n't\b",
    re.I,
)
# "tests against a real Redis", "run it against Postgres": what it runs against is used, not refused.
_AGAINST_TARGET = re.compile(
    r"\b(?:tests?|tested|testing|runs?|ran|running|checks?|checked|checking|validat\w*|verif\w*|"
    r"benchmark\w*|integration|build|built|compil\w*|develop\w*|deploy\w*)\s+against\s*$",
    re.I,
)
# For numbers only a plain "not 60 minutes" or "instead of 1 hour" takes a number back.
_NUMBER_NEGATION_CUES = re.compile(r"\b(?:not|never|instead\s+of|rather\s+than)\b|\w+n't\b", re.I)
_SHORT_REACH_CUES = re.compile(r"\b(?:over|than)\b", re.I)
# "replace X with Y": the cue's object is X; after "with"/"by"/"to" comes the chosen thing.
_TRANSITION = re.compile(r"^(?:replac|switch|migrat|mov)", re.I)
_TRANSITION_OBJECT_END = re.compile(r"\b(?:with|by|to|for)\b", re.I)
_AFTER_NEGATION = re.compile(
    r"^\s*(?:[\w-]+\s+){0,2}(?:is|was|are|were|stays?|remains?|gets?|got|has\s+been|have\s+been)\s+(?:not\b|never\b)|"
    r"^\W{0,3}(?:[\w-]+\s+){0,2}(?:(?:is|was|are|were|stays?|remains?|gets?|got|has\s+been|have\s+been)\s+)?"
    r"(?:out\b|rejected|ruled\s+out|avoided|dropped|forbidden|banned|excluded|removed|deprecated|"
    r"off\s+the\s+table|would\b|could\b|might\b|considered)",
    re.I,
)


@dataclass(frozen=True)
class Segment:
    """One sentence (or code line) of a text, with its 1-based line number."""

    text: str
    line: int


def segments(text: str) -> Iterator[Segment]:
    """Sentences of prose and single lines of code, in order."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("```"):
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            if line[start : match.start()].count("`") % 2 or line[start : match.start()].count('"') % 2:
                continue  # inside code or a string ("WHERE sku = ? FOR UPDATE"): not a sentence end
            yield Segment(line[start : match.start()].strip(), number)
            start = match.end()
        if line[start:].strip():
            yield Segment(line[start:].strip(), number)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’]+", text)


def negated(text: str, start: int, end: int, *, comparisons: bool = True) -> bool:
    """Whether the mention at text[start:end] is ruled out or hedged rather than chosen.

    `comparisons`: "over X", "than X" rule X out ("Argon2id over bcrypt"); not for numbers,
    where "shorter than 8 characters" states a number.
    """
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    # A parenthesis or comma directly before "not X" starts the clause that holds the cue.
    cues = _NEGATION_CUES if comparisons else _NUMBER_NEGATION_CUES
    for cue in reversed(list(cues.finditer(clause))):
        between = clause[cue.end() :]
        if len(_words(between)) > 5:
            break
        if _TRANSITION.match(cue.group(0)) and _TRANSITION_OBJECT_END.search(between):
            continue  # "replace X with <mention>": the mention is what replaces
        if cue.group(0).lower() == "against" and _AGAINST_TARGET.search(clause[: cue.end()]):
            continue
        return True
    for cue in reversed(list(_SHORT_REACH_CUES.finditer(clause)) if comparisons else []):
        if len(_words(clause[cue.end() :])) <= 2:
            return True
        break
    after = text[end:]
    cut = _CLAUSE_BREAK.search(after)
    tail = after[: cut.start()] if cut and cut.start() > 0 else after
    # "bcrypt (rejected)", "bcrypt is out", "pessimistic locking would be simpler"
    if _AFTER_NEGATION.match(tail):
        return True
    return False
