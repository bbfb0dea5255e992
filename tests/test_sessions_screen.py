"""The session list screen, driven with Pilot in a small host app: open, new, rename, delete, search."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from textual.widgets import DataTable, Input, Static

from core.store.database import Store
from core.costs.usage import TokenUsage
from tui.theming import ThemedApp
from tui.screens.sessions_screen import ConfirmDeleteModal, RenameSessionModal, SessionsScreen

PROJECT = "/src/shop"
OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"


class Host(ThemedApp):
    def __init__(self, store: Store, **screen_args) -> None:
        super().__init__()
        self.store = store
        self.screen_args = screen_args
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(SessionsScreen(self.store, PROJECT, **self.screen_args), callback=self.results.append)


@pytest.fixture
def store(tmp_path):
    moments = iter(datetime(2025, 3, 1, 9, tzinfo=timezone.utc) + timedelta(minutes=i) for i in range(1000))
    with Store(tmp_path / "s.sqlite3", clock=lambda: next(moments)) as opened:
        yield opened


@pytest.fixture
def sessions(store):
    auth = store.create_session(PROJECT, "Plan auth", OPUS, SONNET)
    store.add_message(auth, "plan", "user", OPUS, "Plan an authentication system")
    reply = store.add_message(auth, "plan", "assistant", OPUS, "Hash passwords with Argon2id")
    store.add_usage(auth, reply, "plan", OPUS, TokenUsage(100, 100), Decimal("0.41"), Decimal("0.41"))
    store.add_message(auth, "exec", "assistant", SONNET, "def hash_password(")
    typo = store.create_session(PROJECT, "Fix typo", OPUS, SONNET)
    store.add_message(typo, "exec", "user", SONNET, "Fix the typo in README.md")
    store.create_session(PROJECT, "never used")  # empty: not listed
    other = store.create_session("/elsewhere", "Blog post")
    store.add_message(other, "plan", "user", OPUS, "Argon2id in a blog post")
    return {"auth": auth, "typo": typo}


async def settled(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(screen: SessionsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_lists_this_projects_sessions_newest_first_with_models_and_cost(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        shown = rows(screen)
        assert [row[0] for row in shown] == ["Fix typo", "Plan auth"]
        typo, auth = shown
        assert auth[2] == "Opus 5.5 · Sonnet 5.5" and auth[3] == "$0.410" and auth[4] == "3"
        assert typo[1] == sessions_local_date(store, sessions["typo"])
        # Models keep their accent colours.
        cell = screen.query_one(DataTable).get_row_at(1)[2]
        assert {span.style for span in cell.spans} == {app.theme_variables["opus"], app.theme_variables["sonnet"]}
        bindings = {binding.key: binding for binding in SessionsScreen.BINDINGS}
        assert all(b.id and b.description and b.tooltip for b in bindings.values())
        assert {"enter", "ctrl+n", "ctrl+r", "delete"} <= set(bindings)
        assert not any(len(key) == 1 for key in bindings), "letters type into the search"


def sessions_local_date(store, session_id) -> str:
    return store.get_session(session_id).updated_at.astimezone().strftime("%Y-%m-%d %H:%M")


async def test_enter_opens_the_highlighted_session(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.results == [sessions["auth"]]


async def test_n_starts_a_new_session(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.results == [None]


async def test_rename_through_the_modal(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("down", "ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RenameSessionModal)
        field = app.screen.query_one(Input)
        assert field.value == "Plan auth"
        field.value = ""
        await pilot.press(*"Auth with Argon2id", "enter")
        await settled(pilot)
        assert store.get_session(sessions["auth"]).title == "Auth with Argon2id"
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        titles = [row[0] for row in rows(screen)]
        assert "Auth with Argon2id" in titles
        # The renamed session stays highlighted (it is now the most recent).
        assert screen.highlighted.id == sessions["auth"]
        # Esc in the modal keeps the title.
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("x", "escape")
        await settled(pilot)
        assert store.get_session(sessions["auth"]).title == "Auth with Argon2id"


async def test_delete_asks_first(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("down", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDeleteModal)
        assert "“Plan auth” and its 3 messages" in str(app.screen.query_one("#delete-question", Static).render())
        await pilot.press("enter")  # focus is on Keep: a stray Enter deletes nothing
        await settled(pilot)
        assert store.get_session(sessions["auth"]) is not None
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await settled(pilot)
        assert store.get_session(sessions["auth"]) is None
        assert [row[0] for row in rows(app.screen)] == ["Fix typo"]
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#delete-yes")
        await settled(pilot)
        assert rows(app.screen) == []
        empty = app.screen.query_one("#sessions-empty", Static)
        assert "No sessions for this project yet" in str(empty.render()) and empty.display


async def test_search_filters_as_you_type_and_escape_clears(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        assert app.screen.query_one(DataTable).has_focus
        await pilot.press(*"argon")  # no `/` first: typing on the list searches
        assert app.screen.query_one("#sessions-search", Input).has_focus
        await settled(pilot)
        # Message text matches, and only this project's sessions are searched.
        assert [row[0] for row in rows(app.screen)] == ["Plan auth"]
        await pilot.press(*"zzz")
        await settled(pilot)
        assert rows(app.screen) == []
        assert "No session mentions “argonzzz”" in str(app.screen.query_one("#sessions-empty", Static).render())
        await pilot.press("escape")
        await settled(pilot)
        assert [row[0] for row in rows(app.screen)] == ["Fix typo", "Plan auth"]
        assert app.screen.query_one(DataTable).has_focus
        assert app.results == []  # Esc without a current session stays here


async def test_typed_letters_go_to_the_search_not_the_keys(store, sessions):
    app = Host(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("slash", *"readme", "enter")
        await settled(pilot)
        assert app.results == [] and store.get_session(sessions["auth"]) is not None
        assert [row[0] for row in rows(app.screen)] == ["Fix typo"]
        assert app.screen.query_one(DataTable).has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [sessions["typo"]]


async def test_escape_goes_back_to_the_current_session(store, sessions):
    app = Host(store, current_id=sessions["typo"])
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [sessions["typo"]]
