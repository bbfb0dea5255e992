"""Decisions added to CLAUDE.md: one bullet under a heading, every other byte kept."""

from __future__ import annotations

import pytest

from core.atomic_write import ConflictError
from core.handoff.claude_md import add_decision, record_decision
from core.handoff.project_files import FileProblem, read_text_file

SEE = "See AUTH_PLAN.md for architecture decisions."


def test_empty_text_makes_a_new_file():
    text = add_decision("", "Authentication", "Hash passwords with Argon2id", "AUTH_PLAN.md")
    assert text == (
        "# CLAUDE.md\n\n## Authentication\n\n- Hash passwords with Argon2id\n- " + SEE + "\n"
    )


def test_missing_heading_is_added_at_the_end_keeping_crlf():
    original = "# Rules\r\n\r\n- Use tabs\r\n"
    text = add_decision(original, "Authentication", "Hash passwords with Argon2id", "AUTH_PLAN.md")
    assert text.startswith(original)
    assert text[len(original) :] == "\r\n## Authentication\r\n\r\n- Hash passwords with Argon2id\r\n- " + SEE + "\r\n"
    assert "\n" not in text.replace("\r\n", "")


def test_no_trailing_newline_stays_that_way():
    original = "# Rules\n\n- Use tabs"
    text = add_decision(original, "Authentication", "Argon2id")
    assert text == "# Rules\n\n- Use tabs\n\n## Authentication\n\n- Argon2id"


def test_existing_heading_gets_the_bullet_at_the_end_of_its_list():
    original = (
        "# Rules\n\n## Authentication\n\n- Sessions expire after 30 days\n\n"
        "### Details\n- detail\n\n## Style\n- Use tabs\n"
    )
    text = add_decision(original, "authentication", "Hash passwords with Argon2id", "AUTH_PLAN.md")
    assert text == (
        "# Rules\n\n## Authentication\n\n- Sessions expire after 30 days\n"
        "- Hash passwords with Argon2id\n- " + SEE + "\n\n"
        "### Details\n- detail\n\n## Style\n- Use tabs\n"
    )


def test_see_line_added_once_and_kept_last():
    text = add_decision("## Authentication\n", "Authentication", "first", "AUTH_PLAN.md")
    text = add_decision(text, "Authentication", "second", "AUTH_PLAN.md")
    assert text.count(SEE) == 1
    assert text == "## Authentication\n\n- first\n- second\n- " + SEE + "\n"


def test_same_decision_twice_changes_nothing():
    text = add_decision("", "Authentication", "Argon2id")
    assert add_decision(text, "Authentication", "Argon2id") == text


def test_heading_inside_a_code_fence_is_not_a_heading():
    original = "# Rules\n\n```md\n## Authentication\n```\n"
    text = add_decision(original, "Authentication", "Argon2id")
    assert text == original + "\n## Authentication\n\n- Argon2id\n"


def test_empty_section_before_next_heading():
    text = add_decision("## Authentication\n## Style\n", "Authentication", "Argon2id")
    assert text == "## Authentication\n\n- Argon2id\n\n## Style\n"


def test_decision_is_one_line_and_rejects_empty():
    assert add_decision("", "## Auth", "- line one\nline two").endswith("- line one line two\n")
    with pytest.raises(ValueError):
        add_decision("", "Auth", "   ")
    with pytest.raises(ValueError):
        add_decision("", "  ", "x")


def test_record_decision_creates_the_file(tmp_path):
    snapshot = record_decision(tmp_path, "Authentication", "Argon2id", "AUTH_PLAN.md")
    assert (tmp_path / "CLAUDE.md").read_text() == snapshot.text
    assert SEE in snapshot.text


def test_record_decision_preserves_bytes_on_disk(tmp_path):
    path = tmp_path / "CLAUDE.md"
    original = b"# Rules\r\n\r\n## Authentication\r\n- old\r\n\r\n## Style\r\n- tabs"
    path.write_bytes(original)
    record_decision(tmp_path, "Authentication", "new")
    assert path.read_bytes() == b"# Rules\r\n\r\n## Authentication\r\n- old\r\n- new\r\n\r\n## Style\r\n- tabs"


def test_record_decision_refuses_a_changed_file(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_text("# Rules\n")
    opened = read_text_file(path)
    path.write_text("# Rules\n- edited in vim\n")
    with pytest.raises(ConflictError):
        record_decision(tmp_path, "Authentication", "Argon2id", expected=opened)
    assert path.read_text() == "# Rules\n- edited in vim\n"


def test_record_decision_refuses_a_binary_file(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_bytes(b"\x00\x01")
    with pytest.raises(FileProblem):
        record_decision(tmp_path, "Authentication", "Argon2id")
    assert path.read_bytes() == b"\x00\x01"
