"""The diff model behind the plan diff viewer: hunks, word-level spans, folds and Markdown sections."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

LineKind = Literal["context", "added", "removed"]
SectionStatus = Literal["added", "removed", "changed", "renamed", "unchanged"]

# Pairs of changed lines less similar than this are shown as whole-line changes: word
# highlights over two unrelated lines are noise, not information.
WORD_DIFF_MIN_RATIO = 0.4

_WORD_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line as the unified view shows it; numbers are 1-based, None on the side it lacks."""

    kind: LineKind
    text: str
    old_no: int | None
    new_no: int | None
    spans: tuple[Span, ...] = ()  # character ranges that changed inside this line


@dataclass(frozen=True, slots=True)
class SplitRow:
    """One row of the split view: the old line on the left, the new one on the right."""

    left: DiffLine | None
    right: DiffLine | None


@dataclass(frozen=True, slots=True)
class Hunk:
    """A run of changes with its surrounding context lines."""

    index: int
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]
    rows: tuple[SplitRow, ...]
    section: str  # title of the Markdown heading the hunk sits under ("" before any heading)

    @property
    def header(self) -> str:
        return f"@@ -{self.old_start},{self.old_count} +{self.new_start},{self.new_count} @@"


@dataclass(frozen=True, slots=True)
class Fold:
    """Unchanged lines collapsed between hunks; the viewer expands them on request."""

    index: int
    old_start: int
    new_start: int
    texts: tuple[str, ...]

    def lines(self) -> tuple[DiffLine, ...]:
        return tuple(
            DiffLine("context", text, self.old_start + i, self.new_start + i) for i, text in enumerate(self.texts)
        )


@dataclass(frozen=True, slots=True)
class Section:
    """A Markdown heading and the lines under it up to the next heading."""

    level: int  # 0 for the text before the first heading
    title: str
    path: tuple[str, ...]  # titles of the enclosing headings, then this one
    start: int  # 1-based line of the heading
    end: int  # 1-based last line of the section
    body: str


@dataclass(frozen=True, slots=True)
class SectionChange:
    status: SectionStatus
    level: int
    title: str
    old_title: str | None
    old_line: int | None
    new_line: int | None
    added: int
    removed: int

    @property
    def label(self) -> str:
        if self.level == 0:
            return "(before the first heading)"
        return f"{'#' * self.level} {self.title}"


@dataclass(frozen=True, slots=True)
class DiffSummary:
    added: int
    removed: int
    sections_added: int
    sections_removed: int
    sections_changed: int  # includes renamed sections

    @property
    def identical(self) -> bool:
        return self.added == 0 and self.removed == 0


@dataclass(frozen=True)
class PlanDiff:
    """Everything the viewer shows for one comparison, in document order."""

    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]
    blocks: tuple[Hunk | Fold, ...]
    sections: tuple[SectionChange, ...]
    summary: DiffSummary
    hunks: tuple[Hunk, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hunks", tuple(b for b in self.blocks if isinstance(b, Hunk)))


def split_lines(text: str) -> list[str]:
    """Lines without their endings; a trailing newline does not make an extra empty line."""
    return text.splitlines()


def word_spans(old: str, new: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Character ranges that differ between two lines, compared word by word.

    Two lines that share too little (under WORD_DIFF_MIN_RATIO of their characters) get no
    spans: they are different lines, and the line background already says so.
    """
    old_tokens = _WORD_TOKEN.findall(old)
    new_tokens = _WORD_TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    old_offsets = _offsets(old_tokens)
    new_offsets = _offsets(new_tokens)
    old_spans: list[Span] = []
    new_spans: list[Span] = []
    same = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            same += old_offsets[i2] - old_offsets[i1]
            continue
        if i2 > i1:
            _add_span(old_spans, old_offsets[i1], old_offsets[i2])
        if j2 > j1:
            _add_span(new_spans, new_offsets[j1], new_offsets[j2])
    total = len(old) + len(new)
    if total and 2 * same / total < WORD_DIFF_MIN_RATIO:
        return (), ()
    return tuple(old_spans), tuple(new_spans)


def _offsets(tokens: list[str]) -> list[int]:
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _add_span(spans: list[Span], start: int, end: int) -> None:
    # Merge touching ranges so "foo bar" -> "baz qux" highlights as one run.
    if spans and spans[-1][1] >= start:
        spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
    else:
        spans.append((start, end))


def _replace_block(
    old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int
) -> tuple[list[DiffLine], list[DiffLine], list[SplitRow]]:
    """Removed and added lines of a replaced block, paired in order for word-level spans."""
    removed: list[DiffLine] = []
    added: list[DiffLine] = []
    rows: list[SplitRow] = []
    for k in range(max(i2 - i1, j2 - j1)):
        i, j = i1 + k, j1 + k
        left = right = None
        if i < i2 and j < j2:
            old_spans, new_spans = word_spans(old[i], new[j])
            left = DiffLine("removed", old[i], i + 1, None, old_spans)
            right = DiffLine("added", new[j], None, j + 1, new_spans)
        elif i < i2:
            left = DiffLine("removed", old[i], i + 1, None)
        else:
            right = DiffLine("added", new[j], None, j + 1)
        if left:
            removed.append(left)
        if right:
            added.append(right)
        rows.append(SplitRow(left, right))
    return removed, added, rows


def diff_texts(old_text: str, new_text: str, *, context: int = 3) -> PlanDiff:
    """Compare two versions of a file line by line, then word by word inside changed lines."""
    old = split_lines(old_text)
    new = split_lines(new_text)
    matcher = difflib.SequenceMatcher(None, old, new)
    opcodes = matcher.get_opcodes()
    new_sections = parse_sections(new)

    blocks: list[Hunk | Fold] = []
    pending: list[tuple[list[DiffLine], list[SplitRow]]] = []  # pieces of the hunk being built
    added = removed = 0

    def context_lines(i: int, j: int, count: int) -> tuple[list[DiffLine], list[SplitRow]]:
        lines = [DiffLine("context", old[i + k], i + k + 1, j + k + 1) for k in range(count)]
        return lines, [SplitRow(line, line) for line in lines]

    def close_hunk() -> None:
        if not pending:
            return
        lines = [line for piece, _ in pending for line in piece]
        rows = [row for _, piece in pending for row in piece]
        pending.clear()
        if not any(line.kind != "context" for line in lines):
            # Only context collected (identical files): show it as plain lines in a fold.
            return
        old_nos = [line.old_no for line in lines if line.old_no is not None]
        new_nos = [line.new_no for line in lines if line.new_no is not None]
        # A side with no lines at all (one file empty) starts at 0, as in `git diff`.
        old_start = old_nos[0] if old_nos else 0
        new_start = new_nos[0] if new_nos else 0
        blocks.append(
            Hunk(
                index=sum(isinstance(b, Hunk) for b in blocks),
                old_start=old_start,
                old_count=len(old_nos),
                new_start=new_start,
                new_count=len(new_nos),
                lines=tuple(lines),
                rows=tuple(rows),
                section=_section_title_at(new_sections, _first_change_line(lines)),
            )
        )

    def add_fold(i: int, j: int, count: int) -> None:
        if count <= 0:
            return
        blocks.append(Fold(sum(isinstance(b, Fold) for b in blocks), i + 1, j + 1, tuple(old[i : i + count])))

    last = len(opcodes) - 1
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            size = i2 - i1
            head = 0 if n == 0 else min(context, size)  # context after the previous change
            tail = 0 if n == last else min(context, size - head)  # context before the next change
            hidden = size - head - tail
            if hidden <= 1:
                # Folding a single line would cost as much room as showing it.
                if n == 0 and n == last:
                    add_fold(i1, j1, size)
                else:
                    pending.append(context_lines(i1, j1, size))
                continue
            if head:
                pending.append(context_lines(i1, j1, head))
            close_hunk()
            add_fold(i1 + head, j1 + head, hidden)
            if tail:
                pending.append(context_lines(i2 - tail, j2 - tail, tail))
            continue
        if tag == "delete":
            lines = [DiffLine("removed", old[i], i + 1, None) for i in range(i1, i2)]
            pending.append((lines, [SplitRow(line, None) for line in lines]))
            removed += i2 - i1
        elif tag == "insert":
            lines = [DiffLine("added", new[j], None, j + 1) for j in range(j1, j2)]
            pending.append((lines, [SplitRow(None, line) for line in lines]))
            added += j2 - j1
        else:
            gone, came, rows = _replace_block(old, new, i1, i2, j1, j2)
            pending.append((gone + came, rows))
            removed += i2 - i1
            added += j2 - j1
    close_hunk()

    sections = section_changes(parse_sections(old), new_sections, opcodes)
    summary = DiffSummary(
        added=added,
        removed=removed,
        sections_added=sum(s.status == "added" for s in sections),
        sections_removed=sum(s.status == "removed" for s in sections),
        sections_changed=sum(s.status in ("changed", "renamed") for s in sections),
    )
    return PlanDiff(tuple(old), tuple(new), tuple(blocks), tuple(sections), summary)


def _first_change_line(lines: list[DiffLine]) -> int:
    # The heading over the first changed line says where a hunk is better than its first context line.
    for n, line in enumerate(lines):
        if line.kind == "added" and line.new_no is not None:
            return line.new_no
        if line.kind == "removed":
            # A removed line has no new number: use the new line that takes its place.
            below = next((later.new_no for later in lines[n + 1 :] if later.new_no is not None), None)
            return below if below is not None else 1 << 30
    return 0


def parse_sections(lines: list[str] | tuple[str, ...]) -> list[Section]:
    """Markdown sections (ATX headings outside code fences); text before the first heading is level 0."""
    heads: list[tuple[int, int, str]] = []  # (index, level, title)
    fence: str | None = None
    for i, line in enumerate(lines):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None:
            continue
        heading = _HEADING.match(line)
        if heading:
            heads.append((i, len(heading.group(1)), heading.group(2).strip()))

    sections: list[Section] = []
    first = heads[0][0] if heads else len(lines)
    if any(line.strip() for line in lines[:first]):
        sections.append(Section(0, "", ("",), 1, first, "\n".join(lines[:first])))
    stack: list[tuple[int, str]] = []
    for n, (i, level, title) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        sections.append(
            Section(level, title, tuple(t for _, t in stack), i + 1, end, "\n".join(lines[i + 1 : end]).strip("\n"))
        )
    return sections


def _section_title_at(sections: list[Section], line_no: int) -> str:
    title = ""
    for section in sections:
        if section.start > line_no:
            break
        if section.level:
            title = f"{'#' * section.level} {section.title}"
    return title


def _keyed(sections: list[Section]) -> dict[tuple[tuple[str, ...], int], Section]:
    # The same heading path can repeat ("### Tests" under two parents is fine, twice under one
    # is not unusual either): number repeats so each section keeps its own identity.
    keyed: dict[tuple[tuple[str, ...], int], Section] = {}
    for section in sections:
        n = 0
        while (section.path, n) in keyed:
            n += 1
        keyed[(section.path, n)] = section
    return keyed


def section_changes(
    old_sections: list[Section], new_sections: list[Section], opcodes: list[tuple[str, int, int, int, int]]
) -> list[SectionChange]:
    """Which headings were added, removed, renamed or changed, with line counts per section."""
    removed_lines = [False] * (max((s.end for s in old_sections), default=0) + 1)
    added_lines = [False] * (max((s.end for s in new_sections), default=0) + 1)
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("delete", "replace"):
            for i in range(i1, i2):
                removed_lines[i + 1] = True
        if tag in ("insert", "replace"):
            for j in range(j1, j2):
                added_lines[j + 1] = True

    def count(flags: list[bool], section: Section | None) -> int:
        if section is None:
            return 0
        return sum(flags[section.start : section.end + 1]) if section.level else sum(flags[1 : section.end + 1])

    old_keyed = _keyed(old_sections)
    new_keyed = _keyed(new_sections)
    gone = [key for key in old_keyed if key not in new_keyed]
    renamed: dict[tuple, tuple] = {}  # new key -> old key
    for key, section in new_keyed.items():
        if key in old_keyed:
            continue
        for old_key in gone:
            old = old_keyed[old_key]
            if old_key not in renamed.values() and old.level == section.level and old.body == section.body and old.body:
                renamed[key] = old_key
                break

    changes: list[SectionChange] = []
    for key, section in new_keyed.items():
        old = old_keyed.get(key) or (old_keyed[renamed[key]] if key in renamed else None)
        plus, minus = count(added_lines, section), count(removed_lines, old)
        if old is None:
            status: SectionStatus = "added"
        elif key in renamed:
            status = "renamed"
        elif old.body != section.body or plus or minus:
            status = "changed"
        else:
            status = "unchanged"
        changes.append(
            SectionChange(
                status,
                section.level,
                section.title,
                old.title if old is not None and old.title != section.title else None,
                old.start if old is not None else None,
                section.start,
                plus,
                minus,
            )
        )
    # Removed sections go where they used to be: just before the first surviving section after them.
    for key in gone:
        if key in renamed.values():
            continue
        old = old_keyed[key]
        change = SectionChange("removed", old.level, old.title, None, old.start, None, 0, count(removed_lines, old))
        position = len(changes)
        for n, existing in enumerate(changes):
            if existing.old_line is not None and existing.old_line > old.start:
                position = n
                break
        changes.insert(position, change)
    return changes
