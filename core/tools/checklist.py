"""A plan's steps as a checklist, and ticks written back into the plan file byte for byte.

Steps are numbered list items and checkbox items (under the plan's steps/phases sections
when it has them), and phase headings that have no items of their own. A tick flips or
inserts `[x]` right after the item's list marker (`1. [x] …`, `- [x] …`, `## [x] Phase 2`);
nothing else in the file changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.atomic_write import ConflictError, FileSnapshot, read_snapshot, write_atomic

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(?P<marker> {0,3}#{1,6}[ \t]+)(?P<box>\[[ xX]\][ \t]+)?(?P<text>.*?)[ \t#]*$")
_ITEM = re.compile(r"^(?P<marker>[ \t]*(?:\d{1,3}[.)]|[-*+])[ \t]+)(?P<box>\[[ xX]\][ \t]*)?(?P<text>\S.*?)\s*$")
_STEP_SECTION = re.compile(r"\b(steps?|implementation|phases?|tasks?|milestones?|checklist|plan of work|todo)\b", re.I)
_PHASE = re.compile(r"^(phase|step|stage|milestone)\s*\d+\b", re.I)


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, in checklist order: what `complete_step` names
    line: int  # 0-based line index in the plan file
    text: str
    done: bool
    depth: int  # 0 for top-level items and phases, more for nested items
    is_heading: bool = False


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def parse_steps(text: str) -> list[Step]:
    """The plan's steps, in file order."""
    candidates: list[tuple[int, str, bool, int, bool, bool]] = []  # line, text, done, depth, heading, in step section
    in_fence = False
    in_steps = False
    any_step_section = False
    for index, raw in enumerate(_lines(text)):
        line = raw.rstrip("\r\n")
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading:
            title = heading.group("text")
            phase = bool(_PHASE.match(title))
            if _STEP_SECTION.search(title) or phase:
                any_step_section = True
                in_steps = True
            elif line.lstrip().startswith("## ") or line.lstrip().startswith("# "):
                in_steps = False
            if phase:
                candidates.append((index, title, bool(heading.group("box")) and "x" in heading.group("box").lower(), 0, True, True))
            continue
        item = _ITEM.match(line)
        if item is None:
            continue
        box = item.group("box")
        numbered = item.group("marker").strip()[:-1].isdigit()
        if box is None and not numbered:
            continue  # plain bullets are notes, not steps
        indent = len(item.group("marker")) - len(item.group("marker").lstrip())
        candidates.append((index, item.group("text"), bool(box) and "x" in box.lower(), indent // 2, False, in_steps))
    if any_step_section:
        candidates = [c for c in candidates if c[5]]
    # A phase heading with items under it is a group title, not a step of its own.
    kept = []
    for position, candidate in enumerate(candidates):
        if candidate[4]:
            following = candidates[position + 1] if position + 1 < len(candidates) else None
            if following is not None and not following[4]:
                continue
        kept.append(candidate)
    return [Step(n, line, text_, done, depth, heading) for n, (line, text_, done, depth, heading, _) in enumerate(kept, 1)]


def with_tick(text: str, step: Step, done: bool = True) -> str:
    """`text` with `step` ticked (or unticked); every other byte is kept."""
    lines = _lines(text)
    raw = lines[step.line]
    body = raw.rstrip("\r\n")
    ending = raw[len(body) :]
    match = (_HEADING if step.is_heading else _ITEM).match(body)
    if match is None:
        raise ValueError(f"line {step.line + 1} is no longer a plan step")
    mark = "[x]" if done else "[ ]"
    start, end = match.span("box")
    if start >= 0:
        box = body[start:end]
        updated = body[:start] + mark + box[3:] + body[end:]
    else:
        cut = match.end("marker")
        updated = body[:cut] + mark + " " + body[cut:]
    lines[step.line] = updated + ending
    return "".join(lines)


class PlanChecklist:
    """The active plan file's steps; ticks are written atomically and never over the user's edits."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def read(self) -> tuple[FileSnapshot | None, list[Step]]:
        snapshot = read_snapshot(self.path)
        return snapshot, parse_steps(snapshot.text) if snapshot else []

    def tick(self, number: int, done: bool = True) -> Step:
        """Tick step `number` in the file; ValueError (one sentence) if there is no such step."""
        snapshot, steps = self.read()
        if snapshot is None:
            raise ValueError(f"{self.path.name} is gone; nothing was ticked.")
        if not 1 <= number <= len(steps):
            raise ValueError(f"{self.path.name} has no step {number} (it has {len(steps)}).")
        step = steps[number - 1]
        if step.done != done:
            try:
                write_atomic(self.path, with_tick(snapshot.text, step, done), expected=snapshot)
            except ConflictError as error:
                raise ValueError(str(error)) from error
            except OSError as error:  # a read-only project, a full disk: the model and the user are told
                raise ValueError(f"could not write {self.path.name}: {error.strerror or error}; nothing was ticked.") from error
        return Step(step.number, step.line, step.text, done, step.depth, step.is_heading)
