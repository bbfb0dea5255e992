"""The watcher: edits from any editor arrive as FileChange batches, awaited (no sleeps)."""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest

from core.handoff.exec_context import build_exec_context
from core.handoff.file_watch import FileChange, ProjectFileTracker, watch_project

WAIT = 5


async def next_batch(gen) -> list[FileChange]:
    return await asyncio.wait_for(anext(gen), WAIT)


async def next_batch_for(gen, path) -> list[FileChange]:
    """Batches until one mentions `path` (an editor may touch other files first)."""
    while True:
        batch = await next_batch(gen)
        if any(change.path == path for change in batch):
            return batch


def by_name(batch):
    return {change.path.name: change for change in batch}


@pytest.fixture
async def watcher(tmp_path):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n- v1\n")
    (tmp_path / "AUTH_PLAN.md").write_text("# Auth Plan\n")
    (tmp_path / "README.md").write_text("not watched")
    gen = watch_project(tmp_path, initial=True)
    first = await next_batch(gen)
    assert {c.path.name: c.kind for c in first} == {"CLAUDE.md": "added", "AUTH_PLAN.md": "added"}
    yield gen
    await gen.aclose()


async def test_context_rebuilt_after_an_external_edit(tmp_path, watcher):
    claude = tmp_path / "CLAUDE.md"
    claude.write_text("# Rules\n- v2: use tabs\n")
    batch = await next_batch_for(watcher, claude)
    change = by_name(batch)["CLAUDE.md"]
    assert change.kind == "modified" and change.problem is None
    context = build_exec_context(change.snapshot, None, {"CLAUDE.md": 2})
    assert "- v2: use tabs" in context.blocks[-1]["text"]
    assert context.label() == "CLAUDE.md (v2)"


async def test_editor_atomic_save_by_rename(tmp_path, watcher):
    plan = tmp_path / "AUTH_PLAN.md"
    temp = tmp_path / ".AUTH_PLAN.md.swp"
    temp.write_text("# Auth Plan\n\n1. Argon2id\n")
    os.replace(temp, plan)
    batch = await next_batch_for(watcher, plan)
    change = by_name(batch)["AUTH_PLAN.md"]
    assert change.kind == "modified"
    assert change.snapshot.text == "# Auth Plan\n\n1. Argon2id\n"
    assert ".AUTH_PLAN.md.swp" not in by_name(batch)


async def test_vim_style_save_move_away_then_write(tmp_path, watcher):
    plan = tmp_path / "AUTH_PLAN.md"
    os.rename(plan, tmp_path / "AUTH_PLAN.md~")
    plan.write_text("# Auth Plan\nrewritten\n")
    seen = {}
    while seen.get("AUTH_PLAN.md") is None or seen["AUTH_PLAN.md"].kind == "deleted":
        seen.update(by_name(await next_batch_for(watcher, plan)))
    assert seen["AUTH_PLAN.md"].snapshot.text == "# Auth Plan\nrewritten\n"


async def test_delete_and_rename(tmp_path, watcher):
    (tmp_path / "CLAUDE.md").unlink()
    batch = await next_batch_for(watcher, tmp_path / "CLAUDE.md")
    assert by_name(batch)["CLAUDE.md"] == FileChange(tmp_path / "CLAUDE.md", "deleted", None, None)

    os.rename(tmp_path / "AUTH_PLAN.md", tmp_path / "LOGIN_PLAN.md")
    seen = {}
    while set(seen) != {"AUTH_PLAN.md", "LOGIN_PLAN.md"}:
        seen.update(by_name(await next_batch(watcher)))
    assert seen["AUTH_PLAN.md"].kind == "deleted"
    assert seen["LOGIN_PLAN.md"].kind == "added" and seen["LOGIN_PLAN.md"].snapshot.text == "# Auth Plan\n"


async def test_files_appearing_later_including_plans_dir(tmp_path, watcher):
    (tmp_path / "NOTIFICATIONS_PLAN.md").write_text("# Notifications Plan\n")
    batch = await next_batch_for(watcher, tmp_path / "NOTIFICATIONS_PLAN.md")
    assert by_name(batch)["NOTIFICATIONS_PLAN.md"].kind == "added"

    # plans/ did not exist when the watcher started.
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "billing.md").write_text("# Billing Plan\n")
    batch = await next_batch_for(watcher, tmp_path / "plans" / "billing.md")
    assert by_name(batch)["billing.md"].snapshot.text == "# Billing Plan\n"
    (tmp_path / "plans" / "search.md").write_text("# Search\n")
    batch = await next_batch_for(watcher, tmp_path / "plans" / "search.md")
    assert by_name(batch)["search.md"].kind == "added"

    shutil.rmtree(tmp_path / "plans")
    gone = {}
    while set(gone) != {"billing.md", "search.md"}:
        gone.update(by_name(await next_batch(watcher)))
    assert {change.kind for change in gone.values()} == {"deleted"}


async def test_identical_rewrite_is_dropped(tmp_path, watcher):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n- v1\n")  # same bytes
    (tmp_path / "AUTH_PLAN.md").write_text("# Auth Plan\nchanged\n")
    batch = await next_batch_for(watcher, tmp_path / "AUTH_PLAN.md")
    assert "CLAUDE.md" not in by_name(batch)


async def test_bad_file_reported_with_its_problem(tmp_path, watcher):
    (tmp_path / "AUTH_PLAN.md").write_bytes(b"\x00\x01\x02")
    batch = await next_batch_for(watcher, tmp_path / "AUTH_PLAN.md")
    change = by_name(batch)["AUTH_PLAN.md"]
    assert (change.kind, change.snapshot, change.problem) == ("modified", None, "AUTH_PLAN.md is binary.")
    (tmp_path / "AUTH_PLAN.md").write_text("# Auth Plan\nfixed\n")
    batch = await next_batch_for(watcher, tmp_path / "AUTH_PLAN.md")
    assert by_name(batch)["AUTH_PLAN.md"].snapshot.text.endswith("fixed\n")


async def test_stop_event_ends_the_stream(tmp_path):
    stop = asyncio.Event()
    gen = watch_project(tmp_path, stop_event=stop, initial=True)
    assert await next_batch(gen) == []
    pending = asyncio.ensure_future(anext(gen))
    stop.set()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(pending, WAIT)


def test_tracker_without_a_watcher(tmp_path):
    tracker = ProjectFileTracker(tmp_path)
    (tmp_path / "CLAUDE.md").write_text("a")
    assert [c.kind for c in tracker.rescan()] == ["added"]
    assert tracker.rescan() == []
    (tmp_path / "CLAUDE.md").write_text("b")
    assert [c.snapshot.text for c in tracker.rescan()] == ["b"]
    assert not tracker.is_tracked(tmp_path / "docs" / "CLAUDE.md")
