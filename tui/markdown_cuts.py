"""Where a reply's Markdown can be cut into sections that render exactly as the whole would.

A long reply is shown as a run of sections, each its own Markdown widget: only the newest one
is re-parsed as text streams in, and a section scrolled far out of view can be folded to an
empty box of the same height (see `tui/widgets/reply_sections.py`). A cut is only made where
Markdown itself starts a new top-level paragraph whatever follows: after a blank line, outside
a code fence, before a line that starts at the margin with a letter (or the like), which can't
continue a list, a quote or an indented block above it.
"""

from __future__ import annotations

import re

# A section is cut once it holds this many source lines (about a screenful when rendered).
SECTION_LINES = 24

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ORDERED_ITEM = re.compile(r"\d{1,9}[.)](?:\s|$)")
_UNFINISHED_NUMBER = re.compile(r"\d{1,9}")


def _starts_paragraph(line: str, complete: bool) -> bool | None:
    """True if a line after a blank line surely starts a new top-level paragraph; None if the
    start of a line still being streamed cannot tell yet ("1" may become "1. item").

    Only paragraphs start sections: a paragraph has no top margin, so the blank line the block
    above leaves is the same whether the two share a Markdown widget or not (a heading's or a
    fence's top margin would add to it across a cut instead of collapsing into it).
    """
    undecided = False if complete else None
    if not line:
        return undecided
    first = line[0]
    if first.isdigit():
        if _UNFINISHED_NUMBER.fullmatch(line):
            return undecided
        return not _ORDERED_ITEM.match(line)
    if first == "*":  # "**bold** opening" is a paragraph; "* item" and "***" are not
        if len(line) < 3:
            return undecided
        return line[1] == "*" and line[2] not in "* \t"
    return first.isalpha() or first in "_(\"'"


def find_cut(section: str, pending: str, min_lines: int = SECTION_LINES) -> int | None:
    """An offset into `pending` where a new section may start, or None.

    `section` is the text already shown in the current section (it started outside any
    fence); the cut is at least `min_lines` lines into it, and never inside text already shown.
    """
    text = section + pending
    shown = len(section)
    fence: str | None = None  # the opening fence's run of ` or ~ while inside one
    previous_blank = False
    lines = 0
    position = 0
    length = len(text)
    while position < length:
        end = text.find("\n", position)
        line = text[position:] if end < 0 else text[position : end + 1]
        complete = end >= 0
        if (
            fence is None
            and previous_blank
            and lines >= min_lines
            and position >= shown
            and _starts_paragraph(line.rstrip("\n"), complete) is True
        ):
            return position - shown
        if not complete:
            return None
        stripped = line.strip()
        match = _FENCE.match(line)
        if match:
            run = match.group(1)
            if fence is None:
                fence = run
            elif run[0] == fence[0] and len(run) >= len(fence) and not line[match.end() :].strip():
                fence = None
        previous_blank = fence is None and not stripped
        lines += 1
        position = end + 1
    return None


def split_sections(text: str, min_lines: int = SECTION_LINES) -> list[str]:
    """A whole reply (a stored one) cut into sections by the same rule as a streamed one."""
    sections = []
    rest = text
    while True:
        cut = find_cut("", rest, min_lines)
        if not cut:
            sections.append(rest)
            return sections
        sections.append(rest[:cut])
        rest = rest[cut:]
