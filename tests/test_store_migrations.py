"""Migrating a store written by the first release (schema 1, tests/data/store_v1.sql) keeps every row."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from core.store.database import Store
from core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from core.costs.usage import TokenUsage

FIXTURE = Path(__file__).parent / "data" / "store_v1.sql"


@pytest.fixture
def v1_store(tmp_path) -> Path:
    path = tmp_path / "segue.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.close()
    return path


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()


def test_fixture_is_an_older_schema(v1_store):
    conn = sqlite3.connect(v1_store)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    assert "file_versions" not in _tables(v1_store) and "usage_by_time" not in _tables(v1_store)
    assert SCHEMA_VERSION > 1


def test_migrating_v1_keeps_sessions_messages_and_usage(v1_store):
    with Store(v1_store) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
        shop = store.get_session("a1b2c3d4e5")
        assert shop.title == "Plan an authentication system"
        assert shop.active_plan == "/home/ada/src/shop/AUTH_PLAN.md"
        assert (shop.plan_model, shop.exec_model) == ("claude-opus-4-5", "claude-sonnet-4-5")
        assert shop.created_at.isoformat() == "2025-03-01T09:00:00+00:00"
        messages = store.messages("a1b2c3d4e5")
        assert [(m.pane, m.role, m.status) for m in messages] == [
            ("plan", "user", "complete"),
            ("plan", "assistant", "complete"),
            ("exec", "user", "complete"),
            ("exec", "assistant", "cancelled"),
        ]
        assert messages[1].text == "# Auth Plan\n\n1. Argon2id hashing"
        assert messages[1].thinking == "Weigh bcrypt against Argon2id."
        assert store.usage_rows("a1b2c3d4e5")[0].usage == TokenUsage(1200, 840, 0, 900)
        totals = store.totals("a1b2c3d4e5")
        assert totals.cost_usd == Decimal("0.0412351")  # 0.041235 + 0.0000001, exactly
        assert totals.all_opus_cost_usd == Decimal("0.0412355")
        blog = store.totals("f0e1d2c3b4")
        assert (blog.unknown_cost_rows, blog.cost_usd) == (1, Decimal(0))
        assert [s.id for s in store.list_sessions()] == ["f0e1d2c3b4", "a1b2c3d4e5"]
        # What v2 added works on the migrated file.
        assert store.record_file_version("/home/ada/src/shop/AUTH_PLAN.md", "# Auth Plan", "watched")
        assert len(store.file_versions("/home/ada/src/shop/AUTH_PLAN.md")) == 1
        new = store.create_session("/home/ada/src/shop")
        assert store.latest_session("/home/ada/src/shop").id == new
    assert {"file_versions", "file_versions_by_path", "usage_by_time"} <= _tables(v1_store)


def test_migration_runs_once(v1_store):
    Store(v1_store).close()
    with Store(v1_store) as store:  # a second open finds nothing to do and changes nothing
        assert store.schema_version() == SCHEMA_VERSION
        assert len(store.list_sessions()) == 2


def test_fresh_store_equals_a_migrated_one(v1_store, tmp_path):
    """Every migration path ends at the same schema."""
    Store(v1_store).close()
    fresh = tmp_path / "fresh.sqlite3"
    Store(fresh).close()

    def schema(path: Path) -> set[tuple[str, str]]:
        conn = sqlite3.connect(path)
        try:
            return {(row[0], row[1]) for row in conn.execute("SELECT type, name FROM sqlite_master")}
        finally:
            conn.close()

    assert schema(fresh) == schema(v1_store)
    assert len(MIGRATIONS) == SCHEMA_VERSION
