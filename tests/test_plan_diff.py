"""The diff model: hunks, word-level spans, folds, section changes and the summary, on fixture plans."""

from __future__ import annotations

from pathlib import Path

from core.handoff.plan_diff import Fold, Hunk, diff_texts, parse_sections, word_spans

DATA = Path(__file__).parent / "data" / "plan_diff"
OLD = (DATA / "old_PLAN.md").read_text()
NEW = (DATA / "new_PLAN.md").read_text()


def test_hunks_have_context_numbers_and_headers():
    diff = diff_texts(OLD, NEW)
    assert len(diff.hunks) == 2
    first = diff.hunks[0]
    assert first.header == "@@ -4,11 +4,11 @@"
    assert first.section == "## Goals"  # the heading over its first change, not its first line
    changed = [line for line in first.lines if line.kind != "context"]
    assert [(line.kind, line.old_no, line.new_no) for line in changed] == [
        ("removed", 7, None),
        ("added", None, 7),
        ("removed", 11, None),
        ("added", None, 11),
    ]
    # Three lines of context on either side of the change.
    assert [line.kind for line in first.lines[:3]] == ["context"] * 3
    assert [line.kind for line in first.lines[-3:]] == ["context"] * 3


def test_unchanged_regions_fold_between_hunks():
    diff = diff_texts(OLD, NEW)
    kinds = [type(block).__name__ for block in diff.blocks]
    assert kinds == ["Fold", "Hunk", "Fold", "Hunk"]
    fold = diff.blocks[2]
    assert isinstance(fold, Fold)
    assert fold.old_start == 15 and fold.new_start == 15 and len(fold.texts) == 6
    assert fold.lines()[0].text == OLD.splitlines()[14]
    # Every line of both files is in exactly one block.
    covered = sum(len(b.texts) if isinstance(b, Fold) else sum(1 for l in b.lines if l.old_no) for b in diff.blocks)
    assert covered == len(OLD.splitlines())


def test_word_level_spans_mark_only_the_changed_words():
    diff = diff_texts(OLD, NEW)
    removed, added = [line for line in diff.hunks[0].lines if line.kind != "context"][:2]
    assert removed.text[slice(*removed.spans[0])] == "14"
    assert added.text[slice(*added.spans[0])] == "30"
    old_line = "- Hash passwords with bcrypt, cost 12"
    new_line = "- Hash passwords with Argon2id, 64 MB, 3 iterations"
    old_spans, new_spans = word_spans(old_line, new_line)
    # Shared words and punctuation (", ") stay unmarked; touching changes merge into one span.
    assert [old_line[a:b] for a, b in old_spans] == ["bcrypt", "cost", "12"]
    assert [new_line[a:b] for a, b in new_spans] == ["Argon2id", "64", "MB, 3 iterations"]


def test_unrelated_lines_get_no_word_spans():
    assert word_spans("completely different words here", "nothing alike at all 42") == ((), ())


def test_split_rows_pair_removed_and_added_lines():
    diff = diff_texts(OLD, NEW)
    second = diff.hunks[1]
    pairs = [(r.left.text if r.left else None, r.right.text if r.right else None) for r in second.rows]
    assert ("## Testing", "## Tests") in pairs
    assert (None, "## Monitoring") in pairs  # an insertion has nothing on the left
    for row in second.rows:
        if row.left and row.right and row.left.kind == "context":
            assert row.left is row.right


def test_section_changes_and_summary():
    diff = diff_texts(OLD, NEW)
    by_title = {s.title: s for s in diff.sections}
    assert by_title["Goals"].status == "changed" and (by_title["Goals"].added, by_title["Goals"].removed) == (1, 1)
    assert by_title["Security considerations"].status == "changed"
    assert by_title["Steps"].status == "changed"  # the change is inside its code block
    assert by_title["Tests"].status == "renamed" and by_title["Tests"].old_title == "Testing"
    assert by_title["Monitoring"].status == "added"
    assert by_title["Rollout"].status == "unchanged"
    assert by_title["Authentication plan"].status == "unchanged"
    summary = diff.summary
    assert (summary.added, summary.removed) == (7, 4)
    assert (summary.sections_added, summary.sections_removed, summary.sections_changed) == (1, 0, 4)


def test_removed_sections_are_listed_where_they_were():
    old = "# P\n\n## A\na\n\n## B\nb\n\n## C\nc\n"
    new = "# P\n\n## A\na\n\n## C\nc\n"
    diff = diff_texts(old, new)
    assert [(s.title, s.status) for s in diff.sections] == [
        ("P", "unchanged"),
        ("A", "unchanged"),
        ("B", "removed"),
        ("C", "unchanged"),
    ]
    assert diff.summary.sections_removed == 1


def test_headings_inside_code_fences_are_not_sections():
    sections = parse_sections(["# Real", "```", "# not a heading", "```", "## Also real"])
    assert [(s.level, s.title, s.path) for s in sections] == [(1, "Real", ("Real",)), (2, "Also real", ("Real", "Also real"))]


def test_identical_texts_have_no_hunks():
    diff = diff_texts(OLD, OLD)
    assert diff.hunks == () and diff.summary.identical
    assert all(isinstance(block, Fold) for block in diff.blocks)


def test_adding_to_an_empty_file():
    diff = diff_texts("", "# New\nline\n")
    assert len(diff.hunks) == 1
    hunk = diff.hunks[0]
    assert isinstance(hunk, Hunk) and hunk.header == "@@ -0,0 +1,2 @@"
    assert diff.summary.added == 2 and diff.sections[0].status == "added"
