"""The plan diff viewer, driven with Pilot in a small host app, plus snapshots of both layouts."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import ContentSwitcher, OptionList, Static

from tui.theming import ThemedApp
from tui.screens.diff_screen import DiffScreen, VersionPicker
from tui.widgets.diff_view import DiffView

DATA = Path(__file__).parent / "data" / "plan_diff"


@dataclass
class Seen:
    text: str
    seen_at: datetime
    source: str


class Host(ThemedApp):
    """Pushes the diff viewer for one file at start."""

    def __init__(self, path: Path, project: Path, seen=()) -> None:
        super().__init__()
        self.diff_args = (path, project, list(seen))
        self.closed = False

    def on_mount(self) -> None:
        self.push_screen(DiffScreen(*self.diff_args), callback=lambda _: setattr(self, "closed", True))


def git(repo: Path, *args: str, when: str = "2025-01-01T10:00:00+00:00") -> None:
    env = {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path) -> Path:
    """AUTH_PLAN.md committed twice (old fixture, then one edit) and edited once more on disk."""
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    plan = root / "AUTH_PLAN.md"
    old = (DATA / "old_PLAN.md").read_text()
    plan.write_text(old)
    git(root, "add", "AUTH_PLAN.md")
    git(root, "commit", "-q", "-m", "First plan", when="2025-01-01T10:00:00+00:00")
    plan.write_text(old.replace("14 days", "30 days"))
    git(root, "commit", "-q", "-a", "-m", "Longer sessions", when="2025-01-02T10:00:00+00:00")
    shutil.copy(DATA / "new_PLAN.md", plan)
    return root


async def loaded(pilot) -> DiffScreen:
    """Wait for the screen's worker to read the versions and show the diff."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_opens_on_last_commit_against_the_working_tree(project):
    app = Host(project / "AUTH_PLAN.md", project)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        assert isinstance(screen, DiffScreen)
        assert text_of(screen, "#diff-title") == "Plan diff · AUTH_PLAN.md"
        versions = text_of(screen, "#diff-versions")
        assert "Longer sessions · 2025-01-02 10:00" in versions and versions.endswith("working tree")
        # 30 days was committed, so only Argon2id, verify, Tests and Monitoring remain as changes.
        summary = text_of(screen, "#diff-summary")
        assert summary.startswith("+6 −3") and "split" in summary
        view = screen.diff_view
        assert view.layout_mode == "split" and app.focused is view
        assert len(view.hunk_rows) == 2
        assert all(kind != "line" for kind, _ in view.rows)  # split rows only


async def test_layout_toggle_and_fold_expansion(project):
    app = Host(project / "AUTH_PLAN.md", project)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        view = screen.diff_view
        split_rows = len(view.rows)
        await pilot.press("s")
        assert view.layout_mode == "unified" and "unified" in text_of(screen, "#diff-summary")
        assert any(kind == "line" for kind, _ in view.rows) and len(view.rows) > split_rows
        await pilot.press("s")
        assert view.layout_mode == "split"
        # The cursor starts on the first fold; Enter shows the lines it hid.
        assert view.rows[0][0] == "fold"
        before, hidden = len(view.rows), len(view.rows[0][1].texts)
        await pilot.press("enter")
        assert view.rows[0][0] == "pair" and len(view.rows) == before + hidden - 1
        await pilot.press("e")
        assert view.all_expanded
        await pilot.click(DiffView, offset=(5, 0))  # clicking a row of an expanded fold does not collapse it
        assert view.all_expanded


async def test_hunk_navigation_scrolls_to_each_hunk(tmp_path):
    # Changes 200 lines apart in a 24-line terminal: each jump must scroll.
    old = "".join(f"line {n}\n" for n in range(600))
    new = old.replace("line 100\n", "line one hundred\n").replace("line 300\n", "line three hundred\n").replace(
        "line 500\n", "line five hundred\n"
    )
    (tmp_path / "LONG_PLAN.md").write_text(new)
    seen = [Seen(old, datetime(2025, 1, 1, tzinfo=timezone.utc), "saved")]
    app = Host(tmp_path / "LONG_PLAN.md", tmp_path, seen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        view = screen.diff_view
        for _ in range(3):
            view.set_all_folds(True)  # one long scrolling document
        assert len(view.hunk_rows) == 3
        offsets = []
        for expected in view.hunk_rows:
            await pilot.press("n")
            assert view.cursor == expected
            assert view.scroll_offset.y <= expected < view.scroll_offset.y + view.scrollable_content_region.height
            offsets.append(view.scroll_offset.y)
        assert offsets == sorted(offsets) and offsets[0] > 0 and offsets[-1] > offsets[0]
        assert text_of(screen, "#diff-summary").endswith("change 3 of 3")
        await pilot.press("p")
        assert view.cursor == view.hunk_rows[1]
        assert text_of(screen, "#diff-summary").endswith("change 2 of 3")
        assert view.scroll_offset.y < offsets[-1]


async def test_version_picker_changes_the_comparison(project):
    app = Host(project / "AUTH_PLAN.md", project)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        assert screen.pair == (1, 2)
        await pilot.press("v")
        picker = app.screen
        assert isinstance(picker, VersionPicker)
        assert picker.query_one("#picker-left", OptionList).highlighted == 1
        await pilot.press("up", "enter")  # left: the first commit
        assert app.focused is picker.query_one("#picker-right", OptionList)
        await pilot.press("enter")  # right: keep the working tree
        screen = await loaded(pilot)
        assert isinstance(screen, DiffScreen) and screen.pair == (0, 2)
        assert "First plan" in text_of(screen, "#diff-versions")
        assert text_of(screen, "#diff-summary").startswith("+7 −4")


async def test_narrow_terminal_offers_only_unified(project):
    app = Host(project / "AUTH_PLAN.md", project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        view = screen.diff_view
        assert view.layout_mode == "unified"
        await pilot.press("s")
        assert view.layout_mode == "unified"
        assert any("100 columns" in n.message for n in app._notifications)


async def test_section_view_lists_changes_and_jumps(project):
    app = Host(project / "AUTH_PLAN.md", project)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("t")
        assert screen.query_one(ContentSwitcher).current == "diff-sections"
        sections = screen.query_one("#diff-sections", OptionList)
        prompts = [str(sections.get_option_at_index(i).prompt) for i in range(sections.option_count)]
        assert any("added" in p and "## Monitoring" in p for p in prompts)
        assert any("renamed" in p and "## Tests" in p and "Testing" in p for p in prompts)
        monitoring = next(i for i, p in enumerate(prompts) if "Monitoring" in p)
        sections.highlighted = monitoring
        await pilot.press("enter")
        view = screen.diff_view
        assert screen.query_one(ContentSwitcher).current == "diff-view"
        kind, row = view.rows[view.cursor]
        assert kind == "pair" and row.right.text == "## Monitoring"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("plain", "is not in a git repository"),
        ("binary", "is a binary file"),
        ("uncommitted", "has not been committed"),
    ],
)
async def test_error_states_show_one_clear_message(tmp_path, project, setup, message):
    if setup == "plain":
        directory = tmp_path / "plain"
        directory.mkdir()
        path = directory / "X_PLAN.md"
        path.write_text("# X\n")
    elif setup == "binary":
        directory, path = project, project / "BLOB_PLAN.md"
        path.write_bytes(b"\x00\x01binary")
    else:
        directory, path = project, project / "NEW_PLAN.md"
        path.write_text("# New\n")
    app = Host(path, directory)
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await loaded(pilot)
        assert screen.query_one(ContentSwitcher).current == "diff-message"
        assert message in text_of(screen, "#diff-message")
        await pilot.press("q")
        assert app.closed


async def test_escape_closes(project):
    app = Host(project / "AUTH_PLAN.md", project)
    async with app.run_test(size=(140, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("escape")
        assert app.closed and not isinstance(app.screen, DiffScreen)


def test_every_key_is_a_binding_with_id_and_tooltip():
    for owner in (DiffScreen, DiffView, VersionPicker):
        for binding in owner.BINDINGS:
            assert binding.id and binding.tooltip and binding.description, (owner.__name__, binding.key)


# -- snapshots: fixed files, fixed "seen" times, a non-git temp dir whose path is never shown ----------
def snapshot_app(tmp_path) -> Host:
    (tmp_path / "AUTH_PLAN.md").write_text((DATA / "new_PLAN.md").read_text())
    seen = [Seen((DATA / "old_PLAN.md").read_text(), datetime(2025, 1, 2, 9, 30, tzinfo=timezone.utc), "saved")]
    return Host(tmp_path / "AUTH_PLAN.md", tmp_path, seen)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_split(snap_compare, tmp_path):
    assert snap_compare(snapshot_app(tmp_path), terminal_size=(130, 40), run_before=settle)


def test_snapshot_unified(snap_compare, tmp_path):
    assert snap_compare(snapshot_app(tmp_path), terminal_size=(80, 40), run_before=settle)
