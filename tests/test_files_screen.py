"""The files panel, save-plan dialog and decision dialog, driven with Pilot in a small host app."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from textual import work
from textual.widgets import Button, Input, Markdown, OptionList, Static

from core.handoff.file_watch import FileChange, watch_project
from core.handoff.project_files import read_text_file
from tui.theming import ThemedApp
from tui.screens.files_screen import FilesScreen


class Host(ThemedApp):
    """Pushes one screen and records what it reports."""

    def __init__(self, screen_factory) -> None:
        super().__init__()
        self.screen_factory = screen_factory
        self.picked: list[Path] = []
        self.results: list[object] = []
        self.applied = asyncio.Event()

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory(), callback=self.results.append)

    def on_files_screen_active_plan_picked(self, message: FilesScreen.ActivePlanPicked) -> None:
        self.picked.append(message.path)


def option_texts(screen) -> list[str]:
    option_list = screen.query_one(OptionList)
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.fixture
def project(tmp_path):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Use tabs\n")
    (tmp_path / "AUTH_PLAN.md").write_text("# Auth Plan\n\n1. Argon2id\n")
    (tmp_path / "BAD_PLAN.md").write_bytes(b"\x00binary")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "billing.md").write_text("# Billing Plan\n")
    os.utime(tmp_path / "AUTH_PLAN.md", ns=(2 * 10**18, 2 * 10**18))  # the newest: active by default
    return tmp_path


async def test_lists_files_marks_active_and_shows_problems(project):
    app = Host(lambda: FilesScreen(project, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        texts = option_texts(screen)
        assert texts[0].strip().startswith("CLAUDE.md")
        assert any(t.startswith("● AUTH_PLAN.md") and "active" in t for t in texts)
        assert any("BAD_PLAN.md" in t and "is binary" in t for t in texts)
        assert texts[-1].strip() == "plans/billing.md"
        # The active plan is highlighted and rendered beside the list.
        assert screen.query_one("#files-markdown", Markdown).source == "# Auth Plan\n\n1. Argon2id\n"
        await pilot.press("home")
        await pilot.pause()
        assert screen.query_one("#files-markdown", Markdown).source == "# Rules\n\n- Use tabs\n"
        # Moving onto the bad file shows its problem, not a crash.
        option_list = screen.query_one(OptionList)
        option_list.highlighted = [i for i, t in enumerate(option_texts(screen)) if "BAD_PLAN" in t][0]
        await pilot.pause()
        assert "BAD_PLAN.md is binary." in static_text(screen, "#files-meta")
        assert screen.query_one("#files-meta").has_class("problem")


async def test_pick_active_plan_posts_message_and_moves_mark(project):
    app = Host(lambda: FilesScreen(project, project / "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("end", "a")
        await pilot.pause()
        assert app.picked == [project / "plans" / "billing.md"]
        assert option_texts(screen)[-1].startswith("● plans/billing.md")
        assert not any(t.startswith("● AUTH_PLAN") for t in option_texts(screen))
        # CLAUDE.md and bad plans cannot be active.
        await pilot.press("home", "a")
        await pilot.pause()
        assert "not a plan file" in static_text(screen, "#files-note")
        assert app.picked == [project / "plans" / "billing.md"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None] and not isinstance(app.screen, FilesScreen)


async def test_enter_views_the_file(project):
    app = Host(lambda: FilesScreen(project, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("home", "enter")
        await pilot.pause()
        assert app.screen.query_one("#files-scroll").has_focus
        assert app.screen.query_one(Markdown).source.startswith("# Rules")


async def test_editor_unset_gives_a_clear_notice(project, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    app = Host(lambda: FilesScreen(project, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert "Set $EDITOR" in static_text(app.screen, "#files-note")


async def test_editor_edits_and_panel_rereads(project, monkeypatch, tmp_path_factory):
    script = tmp_path_factory.mktemp("editor") / "fake_editor.py"
    script.write_text("import sys\nopen(sys.argv[-1], 'a').write('- added in the editor\\n')\n")
    # Two words in $EDITOR, split like a shell would.
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = Host(lambda: FilesScreen(project, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("home", "e")
        await pilot.pause()
        assert (project / "CLAUDE.md").read_text().endswith("- added in the editor\n")
        assert app.screen.query_one(Markdown).source.endswith("- added in the editor\n")
        assert "Back from the editor" in static_text(app.screen, "#files-note")


async def test_editor_that_cannot_start(project, monkeypatch):
    monkeypatch.setenv("VISUAL", "no-such-editor-segue --wait")
    app = Host(lambda: FilesScreen(project, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert "Could not start the editor 'no-such-editor-segue'" in static_text(app.screen, "#files-note")


async def test_apply_changes(project):
    app = Host(lambda: FilesScreen(project, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        new = project / "NOTIFY_PLAN.md"
        new.write_text("# Notifications Plan\n")
        (project / "AUTH_PLAN.md").write_text("# Auth Plan\n\n1. Argon2id\n2. Sessions\n")
        screen.apply_changes(
            [
                FileChange(new, "added", read_text_file(new), None),
                FileChange(project / "AUTH_PLAN.md", "modified", read_text_file(project / "AUTH_PLAN.md"), None),
                FileChange(project / "plans" / "billing.md", "deleted", None, None),
            ]
        )
        await pilot.pause()
        texts = " | ".join(option_texts(screen))
        assert "NOTIFY_PLAN.md" in texts and "billing.md" not in texts
        # AUTH_PLAN.md stays highlighted and shows the new text.
        assert screen.query_one(Markdown).source.endswith("2. Sessions\n")
        assert "AUTH_PLAN.md modified" in static_text(screen, "#files-note")
        screen.apply_changes([FileChange(project / "CLAUDE.md", "deleted", None, None)])
        await pilot.pause()
        assert "not created yet" in option_texts(screen)[0]


class WatchingHost(Host):
    """Feeds watch_project batches to the panel, as the app does."""

    @work(exclusive=True, group="file-watch")
    async def watch(self, project: Path) -> None:
        async for batch in watch_project(project, initial=True):
            if isinstance(self.screen, FilesScreen):
                self.screen.apply_changes(batch)
            self.applied.set()


async def test_external_edit_reaches_the_panel_through_the_watcher(project):
    app = WatchingHost(lambda: FilesScreen(project, project / "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.watch(project)
        await asyncio.wait_for(app.applied.wait(), 5)  # the initial batch: the watcher is armed
        app.applied.clear()
        temp = project / ".AUTH_PLAN.md.tmp"
        temp.write_text("# Auth Plan\n\nedited in another shell\n")
        os.replace(temp, project / "AUTH_PLAN.md")
        while "edited in another shell" not in (app.screen.query_one(Markdown).source or ""):
            await asyncio.wait_for(app.applied.wait(), 5)
            app.applied.clear()
        await pilot.pause()
        assert "AUTH_PLAN.md modified" in static_text(app.screen, "#files-note")


# -- SavePlanDialog ----------------------------------------------------------------------

from tui.screens.save_plan_dialog import SavePlanDialog, validate_plan_name  # noqa: E402

PLAN = "# Auth Plan\n\n1. Hash passwords with Argon2id\n"


async def test_save_new_plan(tmp_path):
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "New file: AUTH_PLAN.md" in static_text(app.screen, "#save-status")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [tmp_path / "AUTH_PLAN.md"]
    assert (tmp_path / "AUTH_PLAN.md").read_text() == PLAN


async def test_existing_file_needs_explicit_overwrite(tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("theirs")
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "exists" in static_text(screen, "#save-status")
        await pilot.press("enter")
        await pilot.pause()
        # Enter only asks; the file is untouched and the safe button has focus.
        assert (tmp_path / "AUTH_PLAN.md").read_text() == "theirs"
        assert "Overwrite it" in static_text(screen, "#save-status")
        assert screen.query_one("#save-overwrite").display and screen.query_one("#save-rename").has_focus
        await pilot.press("enter")  # the focused "Pick another name"
        await pilot.pause()
        assert screen.query_one("#save-name", Input).value == "AUTH_2_PLAN.md"
        screen.query_one("#save-name", Input).value = "AUTH_PLAN.md"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#save-overwrite")
        await pilot.pause()
    assert app.results == [tmp_path / "AUTH_PLAN.md"]
    assert (tmp_path / "AUTH_PLAN.md").read_text() == PLAN


async def test_pick_another_name_keeps_the_original(tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("theirs")
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#save-rename")
        await pilot.pause()
        assert app.screen.query_one("#save-name", Input).has_focus
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [tmp_path / "AUTH_2_PLAN.md"]
    assert (tmp_path / "AUTH_PLAN.md").read_text() == "theirs"
    assert (tmp_path / "AUTH_2_PLAN.md").read_text() == PLAN


async def test_overwrite_of_a_file_changed_meanwhile_keeps_both(tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("theirs")
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        (tmp_path / "AUTH_PLAN.md").write_text("theirs, edited in vim while the dialog was open")
        await pilot.click("#save-overwrite")
        await pilot.pause()
    assert (tmp_path / "AUTH_PLAN.md").read_text() == "theirs, edited in vim while the dialog was open"
    assert app.results == [tmp_path / "AUTH_2_PLAN.md"]
    assert (tmp_path / "AUTH_2_PLAN.md").read_text() == PLAN


async def test_save_into_plans_dir(tmp_path):
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#save-name", Input).value = "plans/auth.md"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [tmp_path / "plans" / "auth.md"]
    assert (tmp_path / "plans" / "auth.md").read_text() == PLAN


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil_PLAN.md", "inside the project"),
        ("/etc/X_PLAN.md", "inside the project"),
        ("plans/../../X_PLAN.md", "inside the project"),
        ("AUTH_PLAN.txt", "ends in .md"),
        ("docs/AUTH_PLAN.md", "project root or under plans/"),
        ("notes.md", "would not be found as a plan"),
        ("", "Type a file name"),
    ],
)
def test_plan_name_validation(tmp_path, name, message):
    path, error = validate_plan_name(name, tmp_path)
    assert path is None and message in error


async def test_invalid_name_is_not_saved(tmp_path):
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#save-name", Input).value = "../escape_PLAN.md"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SavePlanDialog)
        assert app.screen.query_one("#save-status").has_class("error")
    assert not (tmp_path.parent / "escape_PLAN.md").exists()
    assert list(tmp_path.iterdir()) == []


async def test_disk_full_shown_in_dialog_and_text_kept(tmp_path, monkeypatch):
    import errno

    from tui.screens import save_plan_dialog

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(save_plan_dialog, "write_atomic", disk_full)
    app = Host(lambda: SavePlanDialog(PLAN, tmp_path, "AUTH_PLAN.md"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SavePlanDialog) and screen.text == PLAN
        assert "No space left on device" in static_text(screen, "#save-status")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


# -- DecisionDialog ----------------------------------------------------------------------

from tui.screens.decision_dialog import DecisionDialog  # noqa: E402


async def test_decision_creates_claude_md(tmp_path):
    app = Host(lambda: DecisionDialog(tmp_path, "AUTH_PLAN.md", "Authentication", "Hash passwords with Argon2id"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "will be created" in static_text(screen, "#decision-target")
        assert "## Authentication" in static_text(screen, "#decision-preview")
        await pilot.press("enter")
        await pilot.pause()
    text = (tmp_path / "CLAUDE.md").read_text()
    assert app.results[0].text == text
    assert "## Authentication\n\n- Hash passwords with Argon2id\n- See AUTH_PLAN.md for architecture decisions.\n" in text


async def test_decision_without_see_line_keeps_crlf_bytes(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_bytes(b"# Rules\r\n\r\n- Use tabs")
    app = Host(lambda: DecisionDialog(tmp_path, "AUTH_PLAN.md", "Authentication", "Argon2id"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#decision-see")
        await pilot.pause()
        assert "See AUTH_PLAN.md" not in static_text(app.screen, "#decision-preview")
        await pilot.click("#decision-record")
        await pilot.pause()
    assert path.read_bytes() == b"# Rules\r\n\r\n- Use tabs\r\n\r\n## Authentication\r\n\r\n- Argon2id"


async def test_decision_conflict_keeps_both_then_adds_to_current(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_text("# Rules\n")
    app = Host(lambda: DecisionDialog(tmp_path, None, "Authentication", "Argon2id"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        path.write_text("# Rules\n- edited in another shell\n")
        await pilot.click("#decision-record")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DecisionDialog)
        assert path.read_text() == "# Rules\n- edited in another shell\n"
        copy = tmp_path / "CLAUDE.segue-conflict-1.md"
        assert copy.read_text() == "# Rules\n\n## Authentication\n\n- Argon2id\n"
        assert "CLAUDE.segue-conflict-1.md" in static_text(screen, "#decision-status")
        await pilot.click("#decision-retry")
        await pilot.pause()
    assert path.read_text() == "# Rules\n- edited in another shell\n\n## Authentication\n\n- Argon2id\n"
    assert app.results[0].text == path.read_text()


async def test_decision_refuses_a_bad_claude_md(tmp_path):
    path = tmp_path / "CLAUDE.md"
    path.write_bytes(b"\xff\xfe not utf-8")
    app = Host(lambda: DecisionDialog(tmp_path, None, "Authentication", "Argon2id"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert "CLAUDE.md is not UTF-8." in static_text(screen, "#decision-target")
        assert screen.query_one("#decision-record", Button).disabled
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert path.read_bytes() == b"\xff\xfe not utf-8"


async def test_decision_needs_text(tmp_path):
    app = Host(lambda: DecisionDialog(tmp_path, None, "Authentication", ""))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "needs some text" in static_text(app.screen, "#decision-status")
    assert not (tmp_path / "CLAUDE.md").exists()
