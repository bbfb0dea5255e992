"""Versions of a plan from a real temporary git repository: commits, renames, index, working tree, errors."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from core.handoff.plan_versions import (
    MAX_BYTES,
    BinaryFile,
    FileDeleted,
    FileTooLarge,
    NotAGitRepository,
    NotCommitted,
    commit_versions,
    index_version,
    load_versions,
    working_version,
)
from tui.screens.diff_screen import describe


@dataclass
class Seen:
    text: str
    seen_at: datetime
    source: str


def git(repo: Path, *args: str, **extra_env: str) -> str:
    env = {
        **extra_env,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str, when: str) -> None:
    """Commit every tracked change, with fixed dates so the history is the same on every run."""
    git(repo, "commit", "-q", "-a", "-m", message, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository where AUTH_PLAN.md was committed twice, moved to plans/ and committed again."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    plan = root / "AUTH_PLAN.md"
    plan.write_text("# Auth\n- bcrypt\n")
    git(root, "add", "AUTH_PLAN.md")
    commit(root, "First plan", "2025-01-01T10:00:00+00:00")
    plan.write_text("# Auth\n- Argon2id\n")
    commit(root, "Use Argon2id", "2025-01-02T10:00:00+00:00")
    (root / "plans").mkdir()
    git(root, "mv", "AUTH_PLAN.md", "plans/auth.md")
    commit(root, "Move the plan", "2025-01-03T10:00:00+00:00")
    (root / "plans" / "auth.md").write_text("# Auth\n- Argon2id\n- rate limits\n")
    git(root, "add", "plans/auth.md")
    commit(root, "Add rate limits", "2025-01-04T10:00:00+00:00")
    return root


def test_commits_are_followed_across_a_rename(repo):
    versions = commit_versions(repo / "plans" / "auth.md", repo)
    assert [v.label.split(" ", 1)[1] for v in versions] == ["First plan", "Use Argon2id", "Move the plan", "Add rate limits"]
    assert [v.text for v in versions] == [
        "# Auth\n- bcrypt\n",  # read at its old path, AUTH_PLAN.md
        "# Auth\n- Argon2id\n",
        "# Auth\n- Argon2id\n",
        "# Auth\n- Argon2id\n- rate limits\n",
    ]
    assert all(v.kind == "commit" and len(v.ref) == 40 for v in versions)
    assert versions[0].when == datetime(2025, 1, 1, 10, tzinfo=timezone.utc)


def test_index_and_working_tree_and_default_pair(repo):
    plan = repo / "plans" / "auth.md"
    assert index_version(plan, repo) is None  # nothing staged yet
    plan.write_text("# Auth\n- Argon2id\n- rate limits\n- staged line\n")
    git(repo, "add", "plans/auth.md")
    plan.write_text("# Auth\n- Argon2id\n- rate limits\n- staged line\n- working line\n")
    staged = index_version(plan, repo)
    assert staged.kind == "index" and staged.text.endswith("- staged line\n") and staged.ref == ":plans/auth.md"
    assert working_version(plan).text.endswith("- working line\n")

    seen = [Seen("# Auth\n- seen between commits\n", datetime(2025, 1, 2, 12, tzinfo=timezone.utc), "watched")]
    loaded = load_versions(plan, repo, seen)
    assert [v.kind for v in loaded.versions] == ["commit", "commit", "seen", "commit", "commit", "index", "working"]
    assert loaded.versions[2].label == "v1 watched by Segue"
    left, right = loaded.default_pair()
    assert left.label.endswith("Add rate limits") and right.kind == "working"
    assert loaded.problems == ()


def test_deleted_file_keeps_its_history(repo):
    plan = repo / "plans" / "auth.md"
    plan.unlink()
    with pytest.raises(FileDeleted, match="auth.md no longer exists"):
        working_version(plan)
    loaded = load_versions(plan, repo)
    assert isinstance(loaded.problems[0], FileDeleted)
    left, right = loaded.default_pair()  # the two newest commits
    assert left.label.endswith("Move the plan") and right.label.endswith("Add rate limits")


def test_uncommitted_file(repo):
    draft = repo / "NEW_PLAN.md"
    draft.write_text("# New\n")
    with pytest.raises(NotCommitted, match="NEW_PLAN.md has not been committed"):
        commit_versions(draft, repo)
    loaded = load_versions(draft, repo)
    assert loaded.default_pair() is None
    assert "has not been committed" in loaded.explanation()


def test_not_a_git_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    plan = plain / "X_PLAN.md"
    plan.write_text("# X\n")
    with pytest.raises(NotAGitRepository, match="not in a git repository"):
        commit_versions(plan, plain)
    seen = [Seen("# X (old)\n", datetime(2025, 1, 1, tzinfo=timezone.utc), "saved")]
    loaded = load_versions(plan, plain, seen)
    assert [v.kind for v in loaded.versions] == ["seen", "working"]
    assert loaded.default_pair()[0].text == "# X (old)\n"


def test_repeated_seen_texts_are_dropped(tmp_path):
    plan = tmp_path / "P_PLAN.md"
    plan.write_text("now\n")
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    seen = [Seen("a\n", at, "saved"), Seen("a\n", at.replace(day=2), "watched"), Seen("b\n", at.replace(day=3), "saved")]
    loaded = load_versions(plan, tmp_path, seen)
    assert [v.text for v in loaded.versions] == ["a\n", "b\n", "now\n"]


def test_binary_file(repo):
    blob = repo / "image_PLAN.md"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    with pytest.raises(BinaryFile, match="binary file"):
        working_version(blob)
    git(repo, "add", "image_PLAN.md")
    commit(repo, "binary", "2025-01-05T10:00:00+00:00")
    with pytest.raises(BinaryFile):
        commit_versions(blob, repo)
    with pytest.raises(BinaryFile):
        load_versions(blob, repo)


def test_huge_file(repo):
    huge = repo / "HUGE_PLAN.md"
    huge.write_text("x" * (MAX_BYTES + 1))
    with pytest.raises(FileTooLarge, match="larger than 1 MB"):
        working_version(huge)
    git(repo, "add", "HUGE_PLAN.md")
    commit(repo, "huge", "2025-01-05T10:00:00+00:00")
    huge.write_text("small now\n")
    with pytest.raises(FileTooLarge, match="in git"):
        commit_versions(huge, repo)


def test_without_git_the_default_is_the_last_saved_or_sent_version_against_the_working_tree(tmp_path):
    """The watcher records the working tree too: comparing its newest copy with the working
    tree would always say "No changes"."""
    plan = tmp_path / "AUTH_PLAN.md"
    plan.write_text("# Auth\n- Argon2id\n- my edit\n")
    at = lambda minute, second=0: datetime(2025, 1, 1, 9, minute, second, tzinfo=timezone.utc)  # noqa: E731
    seen = [
        Seen("# Auth\n- bcrypt\n", at(0), "saved"),
        Seen("# Auth\n- Argon2id\n", at(1), "sent"),
        Seen("# Auth\n- Argon2id\n- draft\n", at(2), "watched"),
        Seen("# Auth\n- Argon2id\n- my edit\n", at(2, 30), "watched"),
    ]
    loaded = load_versions(plan, tmp_path, seen)
    left, right = loaded.default_pair()
    assert (left.label, right.kind) == ("v2 sent by Segue", "working")
    assert left.text != right.text
    labels = [describe(v) for v in loaded.versions]
    assert len(set(labels)) == len(labels), "every version reads differently"
    assert labels[2:4] == ["v3 watched by Segue · 2025-01-01 09:02:00", "v4 watched by Segue · 2025-01-01 09:02:30"]


def test_a_save_equal_to_the_working_tree_gives_way_to_the_newest_different_version(tmp_path):
    plan = tmp_path / "AUTH_PLAN.md"
    plan.write_text("# Auth v2\n")
    seen = [
        Seen("# Auth v1\n", datetime(2025, 1, 1, 9, tzinfo=timezone.utc), "watched"),
        Seen("# Auth v2\n", datetime(2025, 1, 1, 10, tzinfo=timezone.utc), "saved"),
    ]
    left, right = load_versions(plan, tmp_path, seen).default_pair()
    assert (left.text, right.text) == ("# Auth v1\n", "# Auth v2\n")
