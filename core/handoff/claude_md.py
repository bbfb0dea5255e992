"""Recording a decision in CLAUDE.md: one bullet under a heading, every other byte left as it was."""

from __future__ import annotations

import re
from pathlib import Path

from core.atomic_write import FileSnapshot, write_atomic
from core.handoff.project_files import claude_md_path, read_text_file

NEW_FILE_TITLE = "# CLAUDE.md"
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^[ ]{0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")


def see_plan_line(plan_file: str) -> str:
    return f"See {plan_file} for architecture decisions."


def _clean_heading(heading: str) -> str:
    heading = " ".join(heading.split()).lstrip("#").strip()
    if not heading:
        raise ValueError("A decision needs a heading.")
    return heading


def _clean_decision(decision: str) -> str:
    decision = " ".join(decision.split())
    decision = re.sub(r"^[-*+][ ]+", "", decision)
    if not decision:
        raise ValueError("A decision needs some text.")
    return decision


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of ATX headings outside fenced code blocks."""
    found = []
    fence: str | None = None
    for index, line in enumerate(lines):
        body = _body(line)
        fence_match = _FENCE.match(body)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] and len(fence_match.group(1)) >= len(fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        match = _ATX.match(body)
        if match:
            found.append((index, len(match.group(1)), (match.group(2) or "").strip()))
    return found


def _is_bullet_of(line: str, sentence: str) -> bool:
    body = _body(line).strip()
    return re.sub(r"^[-*+][ ]+", "", body) == sentence


def _insert(lines: list[str], index: int, bodies: list[str], newline: str) -> None:
    """Insert new lines at `index`; at the end of a file with no final newline, keep it that way."""
    if not bodies:
        return
    new = [body + newline for body in bodies]
    if index == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
        new[-1] = bodies[-1]
    lines[index:index] = new


def _is_see_line(line: str) -> bool:
    return bool(re.match(r"^\s*(?:[-*+][ ]+)?See \S.* for architecture decisions\.\s*$", _body(line)))


def add_decision(text: str, heading: str, decision: str, plan_file: str | None = None) -> str:
    """`text` with "- <decision>" under "## <heading>" (the heading is added at the end if missing).

    With `plan_file`, "See <plan_file> for architecture decisions." is added once under that
    heading. Everything else stays byte for byte: new lines use the file's line ending (CRLF
    or LF), and the file ends with a newline exactly when it did before.
    """
    heading = _clean_heading(heading)
    decision = _clean_decision(decision)
    see = see_plan_line(plan_file) if plan_file else None
    if text == "":
        bodies = [NEW_FILE_TITLE, "", f"## {heading}", "", f"- {decision}"] + ([f"- {see}"] if see else [])
        return "\n".join(bodies) + "\n"

    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    headings = _headings(lines)
    target = next(
        (item for item in headings if item[1] == 2 and item[2].casefold() == heading.casefold()),
        None,
    )
    if target is None:
        bodies = ([""] if _body(lines[-1]).strip() else []) + [f"## {heading}", "", f"- {decision}"]
        _insert(lines, len(lines), bodies + ([f"- {see}"] if see else []), newline)
        return "".join(lines)

    start = target[0]
    # The section runs to the next heading of level 1 or 2; new bullets go before any
    # subsection, right after the section's own last non-blank line.
    section_end = next((index for index, level, _ in headings if index > start and level <= 2), len(lines))
    body_end = next((index for index, _level, _ in headings if index > start), len(lines))
    section = lines[start + 1 : section_end]
    already = any(_is_bullet_of(line, decision) for line in section)
    need_see = see is not None and not any(_is_bullet_of(line, see) for line in section)
    if already and not need_see:
        return text

    last = max((index for index in range(start + 1, body_end) if _body(lines[index]).strip()), default=start)
    if last == start:
        # Nothing under the heading yet: a blank line, then the list.
        blank = [] if start + 1 < len(lines) and not _body(lines[start + 1]).strip() else [""]
        at = start + 1 + (0 if blank else 1)
        # ...and a blank line before whatever heading comes next.
        after = [""] if at < len(lines) and _body(lines[at]).strip() else []
        bullets = ([] if already else [f"- {decision}"]) + ([f"- {see}"] if need_see else [])
        _insert(lines, at, blank + bullets + after, newline)
        return "".join(lines)

    # "See X_PLAN.md ..." references stay at the end of the list: decisions go before them.
    first_see = last + 1
    while first_see - 1 > start and _is_see_line(lines[first_see - 1]):
        first_see -= 1
    if need_see:
        _insert(lines, last + 1, [f"- {see}"], newline)
    if not already:
        _insert(lines, first_see, [f"- {decision}"], newline)
    return "".join(lines)


def record_decision(
    project_dir: Path,
    heading: str,
    decision: str,
    plan_file: str | None = None,
    expected: FileSnapshot | None = None,
) -> FileSnapshot:
    """Add a decision to the project's CLAUDE.md (creating it if missing) and return what was written.

    With `expected` (the snapshot a dialog read when it opened), the decision is added to that
    text and the write refuses with ConflictError if the file has changed since. Without it,
    the file is read now. A file Segue cannot read as text raises FileProblem; nothing is written.
    """
    path = claude_md_path(project_dir)
    if expected is None:
        if path.exists() or path.is_symlink():
            current = read_text_file(path)
            return write_atomic(path, add_decision(current.text, heading, decision, plan_file), expected=current)
        return write_atomic(path, add_decision("", heading, decision, plan_file), expected=None, create_only=True)
    return write_atomic(path, add_decision(expected.text, heading, decision, plan_file), expected=expected)
