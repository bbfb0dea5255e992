"""write_atomic and keep_both: atomic, permission-keeping, and never over an edit made since we read."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from core import atomic_write
from core.atomic_write import ConflictError, FileSnapshot, keep_both, write_atomic
from core.handoff.project_files import read_text_file


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".segue-tmp"))


def test_creates_file_with_exact_bytes_and_returns_its_snapshot(tmp_path):
    path = tmp_path / "AUTH_PLAN.md"
    snapshot = write_atomic(path, "# Auth\r\n\r\nline é\n", expected=None, create_only=True)
    assert path.read_bytes() == "# Auth\r\n\r\nline é\n".encode()
    assert snapshot == read_text_file(path)
    assert leftovers(tmp_path) == []


def test_create_only_refuses_an_existing_file(tmp_path):
    path = tmp_path / "AUTH_PLAN.md"
    path.write_text("the user's plan")
    with pytest.raises(FileExistsError):
        write_atomic(path, "ours", expected=None, create_only=True)
    assert path.read_text() == "the user's plan"
    assert leftovers(tmp_path) == []


def test_overwrite_with_matching_snapshot_succeeds(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_text("v1")
    before = read_text_file(path)
    after = write_atomic(path, "v2", expected=before)
    assert path.read_text() == "v2"
    assert after.sha256 != before.sha256


def test_conflict_when_file_edited_between_read_and_write(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_text("v1")
    read = read_text_file(path)
    # Same size and the mtime put back: only the hash can tell.
    path.write_text("v9")
    os.utime(path, ns=(read.mtime_ns, read.mtime_ns))
    with pytest.raises(ConflictError) as caught:
        write_atomic(path, "ours", expected=read)
    assert path.read_text() == "v9"
    assert caught.value.current is not None and caught.value.current.text == "v9"
    assert caught.value.path == path
    assert "changed on disk" in str(caught.value)
    assert leftovers(tmp_path) == []


def test_conflict_when_file_deleted_since_read(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_text("v1")
    read = read_text_file(path)
    path.unlink()
    with pytest.raises(ConflictError) as caught:
        write_atomic(path, "ours", expected=read)
    assert caught.value.current is None
    assert not path.exists()


def test_conflict_detected_right_before_the_rename(tmp_path, monkeypatch):
    """The user saves while our temp file is being written: the second check catches it."""
    path = tmp_path / "CLAUDE.md"
    path.write_text("v1")
    read = read_text_file(path)
    real_write_temp = atomic_write._write_temp

    def write_temp_then_user_saves(*args, **kwargs):
        temp = real_write_temp(*args, **kwargs)
        path.write_text("user saved meanwhile")
        return temp

    monkeypatch.setattr(atomic_write, "_write_temp", write_temp_then_user_saves)
    with pytest.raises(ConflictError):
        write_atomic(path, "ours", expected=read)
    assert path.read_text() == "user saved meanwhile"
    assert leftovers(tmp_path) == []


def test_keeps_permission_bits(tmp_path):
    path = tmp_path / "run_PLAN.md"
    path.write_text("v1")
    os.chmod(path, 0o640)
    write_atomic(path, "v2", expected=read_text_file(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_writes_through_a_symlink_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("v1")
    link = tmp_path / "CLAUDE.md"
    link.symlink_to(real)
    write_atomic(link, "v2", expected=read_text_file(link))
    assert link.is_symlink()
    assert real.read_text() == "v2"


def test_disk_full_leaves_original_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "CLAUDE.md"
    path.write_text("original")
    read = read_text_file(path)

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as caught:
        write_atomic(path, "ours", expected=read)
    assert caught.value.errno == errno.ENOSPC
    assert path.read_text() == "original"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only directory")
def test_permission_denied_raises_oserror_and_keeps_original(tmp_path):
    directory = tmp_path / "ro"
    directory.mkdir()
    path = directory / "CLAUDE.md"
    path.write_text("original")
    read = read_text_file(path)
    os.chmod(directory, 0o555)
    try:
        with pytest.raises(PermissionError):
            write_atomic(path, "ours", expected=read)
        assert path.read_text() == "original"
    finally:
        os.chmod(directory, 0o755)


def test_keep_both_writes_next_to_it_and_never_clobbers(tmp_path):
    path = tmp_path / "AUTH_PLAN.md"
    path.write_text("theirs")
    first = keep_both(path, "ours 1")
    second = keep_both(path, "ours 2")
    assert first.name == "AUTH_PLAN.segue-conflict-1.md"
    assert second.name == "AUTH_PLAN.segue-conflict-2.md"
    assert (path.read_text(), first.read_text(), second.read_text()) == ("theirs", "ours 1", "ours 2")


def test_snapshot_is_frozen():
    snapshot = FileSnapshot(Path("x"), "t", 1, 1, "h")
    with pytest.raises(AttributeError):
        snapshot.text = "other"  # type: ignore[misc]


def test_permission_denied_creating_temp_keeps_original(tmp_path, monkeypatch):
    """The same path as a read-only directory, for runs as root."""
    path = tmp_path / "CLAUDE.md"
    path.write_text("original")
    read = read_text_file(path)
    real_open = os.open

    def denied(file, flags, *args, **kwargs):
        if str(file).endswith(".segue-tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(PermissionError):
        write_atomic(path, "ours", expected=read)
    assert path.read_text() == "original"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", ""), ("# Plan", "# Plan\n"), ("# Plan\n", "# Plan\n"), ("a\r\nb", "a\r\nb\r\n"), ("a\r\n", "a\r\n")],
)
def test_with_final_newline(text, expected):
    from core.atomic_write import with_final_newline

    assert with_final_newline(text) == expected
