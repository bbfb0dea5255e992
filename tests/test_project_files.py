"""Reading handoff files safely and finding plans, including the active one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.handoff.project_files import (
    MAX_BYTES,
    FileProblem,
    active_plan,
    claude_md_path,
    find_plan_files,
    is_plan_file,
    read_text_file,
)


def test_reads_utf8_text_exactly(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_bytes("\ufeff# Rules\r\n- café\r\n".encode())
    snapshot = read_text_file(path)
    assert snapshot.text == "\ufeff# Rules\r\n- café\r\n"
    assert snapshot.size == path.stat().st_size


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"caf\xe9 latin-1", "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "binary"),
        (b"x" * (MAX_BYTES + 1), "larger than 1 MB"),
    ],
)
def test_bad_files_raise_a_sentence(tmp_path, data, reason):
    path = tmp_path / "BAD_PLAN.md"
    path.write_bytes(data)
    with pytest.raises(FileProblem) as caught:
        read_text_file(path)
    assert caught.value.reason == reason
    assert str(caught.value) == f"BAD_PLAN.md is {reason}."


def test_exactly_one_megabyte_is_fine(tmp_path):
    path = tmp_path / "BIG_PLAN.md"
    path.write_bytes(b"x" * MAX_BYTES)
    assert read_text_file(path).size == MAX_BYTES


@pytest.mark.skipif(os.geteuid() == 0, reason="chmod 000 does not stop root from reading")
def test_unreadable_file(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_text("secret")
    os.chmod(path, 0)
    try:
        with pytest.raises(FileProblem) as caught:
            read_text_file(path)
        assert caught.value.reason.startswith("unreadable: ")
    finally:
        os.chmod(path, 0o644)


def test_missing_and_directory_are_problems_not_crashes(tmp_path):
    with pytest.raises(FileProblem, match="unreadable"):
        read_text_file(tmp_path / "nope.md")
    (tmp_path / "DIR_PLAN.md").mkdir()
    with pytest.raises(FileProblem, match="directory"):
        read_text_file(tmp_path / "DIR_PLAN.md")


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("AUTH_PLAN.md", True),
        ("plans/auth.md", True),
        ("plans/2025/auth.md", True),
        ("plans/notes.txt", False),
        ("docs/AUTH_PLAN.md", False),
        ("auth_plan.md", False),
        ("README.md", False),
        (".AUTH_PLAN.md", False),
        ("AUTH_PLAN.segue-conflict-1.md", False),
        ("plans/.hidden.md", False),
    ],
)
def test_is_plan_file(tmp_path, relative, expected):
    assert is_plan_file(tmp_path / relative, tmp_path) is expected
    assert is_plan_file(Path(relative), tmp_path) is expected


def test_is_plan_file_with_another_pattern(tmp_path):
    assert is_plan_file(tmp_path / "plan-auth.md", tmp_path, "plan-*.md")
    assert not is_plan_file(tmp_path / "AUTH_PLAN.md", tmp_path, "plan-*.md")


def test_find_plan_files_and_active_plan(tmp_path):
    for name in ["B_PLAN.md", "A_PLAN.md", "README.md", "plans/z.md", "docs/X_PLAN.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    found = find_plan_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["A_PLAN.md", "B_PLAN.md", "plans/z.md"]
    # The newest wins unless the user picked one.
    for index, name in enumerate(["plans/z.md", "B_PLAN.md", "A_PLAN.md"]):
        os.utime(tmp_path / name, ns=(10**18 + index, 10**18 + index))
    assert active_plan(tmp_path, None) == tmp_path / "A_PLAN.md"
    assert active_plan(tmp_path, tmp_path / "B_PLAN.md") == tmp_path / "B_PLAN.md"
    assert active_plan(tmp_path, Path("plans/z.md")) == tmp_path / "plans/z.md"
    (tmp_path / "B_PLAN.md").unlink()
    assert active_plan(tmp_path, tmp_path / "B_PLAN.md") == tmp_path / "A_PLAN.md"


def test_no_plans(tmp_path):
    assert find_plan_files(tmp_path) == []
    assert active_plan(tmp_path, None) is None
    assert find_plan_files(tmp_path / "missing") == []
    assert claude_md_path(tmp_path) == tmp_path / "CLAUDE.md"


def test_unreadable_file_reported_even_as_root(tmp_path, monkeypatch):
    """The same path as chmod 000, for runs as root where chmod does not block reads."""
    import os

    path = tmp_path / "CLAUDE.md"
    path.write_text("secret")
    real_open = os.open

    def denied(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(FileProblem) as caught:
        read_text_file(path)
    assert str(caught.value) == "CLAUDE.md is unreadable: Permission denied."
