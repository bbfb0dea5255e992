"""The session store: round trips, exact money, search, id prefixes, local days, file versions, errors."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from core import paths
from core.store.database import (
    AmbiguousSession,
    CostTotals,
    SessionNotFound,
    Store,
    StoreError,
    from_nanodollars,
    to_nanodollars,
)
from core.store.migrations import SCHEMA_VERSION
from core.costs.usage import TokenUsage

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"


class Clock:
    """A hand-moved clock, so timestamps and "today" are deterministic."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "segue.sqlite3") as opened:
        yield opened


def test_default_path_is_under_segue_home(segue_home):
    with Store() as store:
        assert store.path == paths.store_path()
        assert store.path.parent == segue_home
        assert store.schema_version() == SCHEMA_VERSION


def test_store_file_is_wal_with_foreign_keys_and_private(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


def test_session_round_trip_survives_reopening(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        session_id = store.create_session("/src/shop", "auth", OPUS, SONNET)
        store.set_pane_model(session_id, "exec", "claude-haiku-5-5")
        store.set_active_plan(session_id, "/src/shop/AUTH_PLAN.md")
        ask = store.add_message(session_id, "plan", "user", OPUS, "Plan auth")
        reply = store.add_message(session_id, "plan", "assistant", OPUS, "", status="streaming")
        store.update_message(reply, text="# Auth", thinking="hmm")
        store.update_message(reply, text="# Auth Plan\n", status="complete")
        store.add_message(session_id, "exec", "user", "claude-haiku-5-5", "Do step 1")
    with Store(path) as store:
        row = store.get_session(session_id)
        assert (row.project_dir, row.title, row.plan_model, row.exec_model, row.active_plan) == (
            "/src/shop",
            "auth",
            OPUS,
            "claude-haiku-5-5",
            "/src/shop/AUTH_PLAN.md",
        )
        assert row.created_at.tzinfo is not None and row.updated_at >= row.created_at
        plan = store.messages(session_id, "plan")
        assert [(m.id, m.role, m.text, m.thinking, m.status) for m in plan] == [
            (ask, "user", "Plan auth", "", "complete"),
            (reply, "assistant", "# Auth Plan\n", "hmm", "complete"),
        ]
        assert [m.pane for m in store.messages(session_id)] == ["plan", "plan", "exec"]
        assert store.get_message(reply).updated_at >= store.get_message(reply).created_at
        store.set_active_plan(session_id, None)
        assert store.get_session(session_id).active_plan is None


def test_ids_are_short_hex_and_unique(store):
    ids = {store.create_session("/p") for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 10 and int(i, 16) >= 0 for i in ids)


def test_unknown_session_and_bad_values_are_refused(store):
    with pytest.raises(SessionNotFound):
        store.add_message("nope", "plan", "user", OPUS, "x")
    with pytest.raises(SessionNotFound):
        store.rename_session("nope", "x")
    with pytest.raises(SessionNotFound):
        store.delete_session("nope")
    session_id = store.create_session("/p")
    with pytest.raises(ValueError):
        store.add_message(session_id, "middle", "user", OPUS)
    with pytest.raises(ValueError):
        store.add_message(session_id, "plan", "system", OPUS)
    with pytest.raises(ValueError):
        store.update_message(store.add_message(session_id, "plan", "user", OPUS), status="done")
    assert store.get_session("nope") is None


def test_usage_round_trip_keeps_tokens_and_exact_costs(store):
    session_id = store.create_session("/p")
    reply = store.add_message(session_id, "plan", "assistant", OPUS, "x")
    usage = TokenUsage(input_tokens=1200, output_tokens=840, cache_creation_input_tokens=30, cache_read_input_tokens=900)
    store.add_usage(session_id, reply, "plan", OPUS, usage, Decimal("0.041235"), Decimal("0.041235"))
    store.add_usage(session_id, None, "exec", "mystery-model", TokenUsage(output_tokens=5), None, Decimal("0.3"))
    first, second = store.usage_rows(session_id)
    assert (first.message_id, first.pane, first.model, first.usage) == (reply, "plan", OPUS, usage)
    assert first.cost_usd == Decimal("0.041235") and first.all_opus_cost_usd == Decimal("0.041235")
    assert second.cost_usd is None and second.message_id is None
    assert first.created_at.tzinfo is not None


def test_sums_of_tiny_costs_are_exact(store):
    session_id = store.create_session("/p")
    step = Decimal("0.0000001")
    for _ in range(1000):
        store.add_usage(session_id, None, "exec", SONNET, TokenUsage(output_tokens=1), step, step * 3)
    totals = store.totals(session_id)
    # A float sum of 0.0000001 a thousand times is 9.999999999999831e-05, not 0.0001.
    assert totals.cost_usd == Decimal("0.0001")
    assert totals.all_opus_cost_usd == Decimal("0.0003")
    assert totals.savings_usd == Decimal("0.0002")
    assert totals.messages == 1000 and totals.usage.output_tokens == 1000
    assert isinstance(totals.cost_usd, Decimal)


def test_nanodollar_conversion_is_exact_and_rounds_only_below_a_nanodollar():
    assert to_nanodollars(Decimal("0.041235")) == 41_235_000
    assert to_nanodollars(Decimal("15")) == 15_000_000_000
    assert to_nanodollars(None) is None
    assert to_nanodollars(Decimal("0.0000000015")) == 2  # half-even below a nanodollar
    assert from_nanodollars(41_235_000) == Decimal("0.041235")
    assert from_nanodollars(None) is None


def test_totals_filter_by_session_pane_model_and_count_unknown(store):
    one = store.create_session("/p")
    two = store.create_session("/p")
    store.add_usage(one, None, "plan", OPUS, TokenUsage(10, 20, 0, 5), Decimal("0.5"), Decimal("0.5"))
    store.add_usage(one, None, "exec", SONNET, TokenUsage(1, 2, 3, 4), Decimal("0.1"), Decimal("0.5"))
    store.add_usage(one, None, "exec", "mystery", TokenUsage(0, 7, 0, 0), None, Decimal("0.2"))
    store.add_usage(two, None, "exec", SONNET, TokenUsage(100, 0, 0, 0), Decimal("1"), Decimal("5"))
    session = store.totals(one)
    assert session.usage == TokenUsage(11, 29, 3, 9)
    assert (session.cost_usd, session.all_opus_cost_usd) == (Decimal("0.6"), Decimal("1.2"))
    assert (session.unknown_cost_rows, session.messages) == (1, 3)
    assert session.savings_usd is None  # an unpriced row makes a saving claim a lie
    assert store.totals(one, pane="exec").cost_usd == Decimal("0.1")
    assert store.totals(model=SONNET).cost_usd == Decimal("1.1")
    assert store.totals().messages == 4
    assert store.totals("nobody") == CostTotals()
    assert list(store.totals_by_model(one)) == [OPUS, SONNET, "mystery"]
    assert store.totals_by_model(one)["mystery"].unknown_cost_rows == 1


def test_day_totals_use_the_local_calendar_day(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "SEG+05")  # five hours behind UTC, no zoneinfo needed
    time.tzset()
    try:
        clock = Clock(datetime(2025, 3, 1, 4, 30, tzinfo=timezone.utc))  # 23:30 on Feb 28 locally
        with Store(tmp_path / "s.sqlite3", clock=clock) as store:
            session_id = store.create_session("/p")
            store.add_usage(session_id, None, "plan", OPUS, TokenUsage(output_tokens=1), Decimal("1"), Decimal("1"))
            clock.advance(hours=1)  # 00:30 on Mar 1 locally
            store.add_usage(session_id, None, "plan", OPUS, TokenUsage(output_tokens=2), Decimal("2"), Decimal("2"))
            clock.advance(hours=23)  # 23:30 on Mar 1 locally, 04:30 UTC on Mar 2
            store.add_usage(session_id, None, "plan", OPUS, TokenUsage(output_tokens=4), Decimal("4"), Decimal("4"))
            assert store.totals(day=date(2025, 2, 28)).cost_usd == Decimal("1")
            assert store.totals(day=date(2025, 3, 1)).cost_usd == Decimal("6")
            assert store.totals(day=date(2025, 3, 2)).messages == 0
            since = datetime(2025, 3, 1, 5, 0, tzinfo=timezone.utc)
            assert [row.usage.output_tokens for row in store.usage_rows(since=since)] == [2, 4]
            # A naive `since` is local time: 00:00 local on Mar 1 is 05:00 UTC.
            assert [row.usage.output_tokens for row in store.usage_rows(session_id, since=datetime(2025, 3, 1))] == [2, 4]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_list_sessions_newest_first_with_counts_costs_models(tmp_path):
    clock = Clock(datetime(2025, 3, 1, 9, tzinfo=timezone.utc))
    with Store(tmp_path / "s.sqlite3", clock=clock) as store:
        old = store.create_session("/shop", "Plan auth", OPUS, SONNET)
        store.add_message(old, "plan", "user", OPUS, "Plan an authentication system")
        reply = store.add_message(old, "plan", "assistant", OPUS, "Use Argon2id for password hashing")
        store.add_usage(old, reply, "plan", OPUS, TokenUsage(1, 1), Decimal("0.25"), Decimal("0.25"))
        store.add_message(old, "exec", "user", SONNET, "Implement it")
        clock.advance(minutes=5)
        new = store.create_session("/shop", "Fix typo")
        clock.advance(minutes=5)
        elsewhere = store.create_session("/blog", "Blog")
        listed = store.list_sessions("/shop")
        assert [s.id for s in listed] == [new, old]
        summary = listed[1]
        assert (summary.title, summary.message_count, summary.cost_usd, summary.models) == (
            "Plan auth",
            3,
            Decimal("0.25"),
            (OPUS, SONNET),
        )
        assert [s.id for s in store.list_sessions()] == [elsewhere, new, old]
        assert [s.id for s in store.list_sessions("/shop", include_empty=False)] == [old]
        clock.advance(minutes=5)
        store.touch(old)
        assert store.latest_session("/shop").id == old
        assert store.latest_session("/nowhere") is None


def test_search_matches_title_and_message_text_case_insensitively(store):
    auth = store.create_session("/p", "Plan auth")
    store.add_message(auth, "plan", "assistant", OPUS, "Hash passwords with ARGON2id")
    typo = store.create_session("/p", "Fix typo 100%_done")
    assert [s.id for s in store.list_sessions("/p", search="argon2")] == [auth]
    assert [s.id for s in store.list_sessions("/p", search="AUTH")] == [auth]
    # LIKE wildcards in the query are literal characters.
    assert [s.id for s in store.list_sessions("/p", search="100%_")] == [typo]
    assert store.list_sessions("/p", search="%") == [s for s in store.list_sessions("/p") if s.id == typo]
    assert store.list_sessions("/p", search="nothing like it") == []
    assert len(store.list_sessions("/p", search="  ")) == 2


def test_rename_and_delete_cascade(store):
    session_id = store.create_session("/p", "old")
    reply = store.add_message(session_id, "plan", "assistant", OPUS, "x")
    store.add_usage(session_id, reply, "plan", OPUS, TokenUsage(1, 1), Decimal("1"), Decimal("1"))
    store.record_file_version("/p/A_PLAN.md", "# A", "saved")
    store.rename_session(session_id, "  new title ")
    assert store.get_session(session_id).title == "new title"
    store.delete_session(session_id)
    assert store.get_session(session_id) is None
    assert store.messages(session_id) == [] and store.usage_rows(session_id) == []
    assert store.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    assert len(store.file_versions("/p/A_PLAN.md")) == 1  # versions belong to the file, not the session


def test_tool_calls_round_trip_by_reply_in_call_order_and_go_with_their_session(store):
    from core.store.database import ToolCallRow

    session_id = store.create_session("/p")
    plan = store.add_message(session_id, "plan", "assistant", OPUS, "x")
    first = store.add_message(session_id, "exec", "assistant", SONNET, "y")
    second = store.add_message(session_id, "exec", "assistant", SONNET, "z")
    calls = [
        ToolCallRow("view", ".", "ok"),
        ToolCallRow("create", "auth/passwords.py", "ok", diff="--- a/auth/passwords.py\n+++ b/auth/passwords.py\n+x\n"),
        ToolCallRow("create", "auth/tokens.py", "error", "Error: the user rejected this change; nothing was written."),
    ]
    store.add_tool_calls(first, calls)
    store.add_tool_calls(second, [ToolCallRow("Write", "/p/a.py", "denied", "not granted"), ToolCallRow("bash", "pytest", "unfinished")])
    store.add_tool_calls(plan, [ToolCallRow("view", "README.md", "ok")])
    store.add_tool_calls(plan, [])
    assert store.tool_calls(session_id, "exec") == {
        first: calls,
        second: [ToolCallRow("Write", "/p/a.py", "denied", "not granted"), ToolCallRow("bash", "pytest", "unfinished")],
    }
    assert set(store.tool_calls(session_id)) == {plan, first, second}
    with pytest.raises(ValueError):
        store.add_tool_calls(first, [ToolCallRow("view", ".", "maybe")])
    store.delete_session(session_id)
    assert store.conn.execute("SELECT COUNT(*) FROM tool_calls").fetchone()[0] == 0


def test_resolve_session_id_by_prefix(store):
    ids = [store.create_session("/p") for _ in range(40)]
    target = ids[0]
    assert store.resolve_session_id(target) == target
    assert store.resolve_session_id(target.upper()) == target
    unique = next(target[:n] for n in range(1, 11) if sum(i.startswith(target[:n]) for i in ids) == 1)
    assert store.resolve_session_id(unique) == target
    with pytest.raises(SessionNotFound, match="No session id starts with 'zz'"):
        store.resolve_session_id("zz")
    with pytest.raises(SessionNotFound):
        store.resolve_session_id("")
    shared = next(p for p in "0123456789abcdef" if sum(i.startswith(p) for i in ids) > 1)
    with pytest.raises(AmbiguousSession, match="type more of the id"):
        store.resolve_session_id(shared)
    with pytest.raises(LookupError):  # what `segue ask --session` catches
        store.resolve_session_id("zz")


def test_file_versions_skip_repeats_of_the_newest(tmp_path):
    clock = Clock(datetime(2025, 3, 1, tzinfo=timezone.utc))
    with Store(tmp_path / "s.sqlite3", clock=clock) as store:
        assert store.record_file_version("/p/A_PLAN.md", "v1", "saved") is True
        assert store.record_file_version("/p/A_PLAN.md", "v1", "watched") is False
        clock.advance(seconds=1)
        assert store.record_file_version("/p/A_PLAN.md", "v2", "watched") is True
        clock.advance(seconds=1)
        assert store.record_file_version("/p/A_PLAN.md", "v1", "sent") is True  # back to v1 is a new version
        assert store.record_file_version("/p/B_PLAN.md", "v1", "sent") is True
        versions = store.file_versions("/p/A_PLAN.md")
        assert [(v.text, v.source) for v in versions] == [("v1", "saved"), ("v2", "watched"), ("v1", "sent")]
        assert versions[0].sha256 == "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe"
        assert versions[0].seen_at < versions[1].seen_at and versions[0].seen_at.tzinfo is not None
        assert store.file_versions("/p/none.md") == []


def test_a_file_that_is_not_a_store_is_one_sentence(tmp_path):
    path = tmp_path / "segue.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert str(path) in message and "can't be opened" in message and "\n" not in message


def test_a_store_from_a_newer_segue_is_refused_untouched(tmp_path):
    path = tmp_path / "segue.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer Segue"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    conn.close()


def test_a_closed_store_says_so(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.list_sessions()


def test_file_version_count_follows_new_versions_only(tmp_path):
    with Store(tmp_path / "count.sqlite3") as store:
        assert store.file_version_count("/p/AUTH_PLAN.md") == 0
        store.record_file_version("/p/AUTH_PLAN.md", "one", "saved")
        store.record_file_version("/p/AUTH_PLAN.md", "one", "watched")
        store.record_file_version("/p/AUTH_PLAN.md", "two", "watched")
        assert store.file_version_count("/p/AUTH_PLAN.md") == 2 == len(store.file_versions("/p/AUTH_PLAN.md"))
