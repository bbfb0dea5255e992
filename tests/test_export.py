"""Exports: a readable Markdown transcript with per-message costs, and stable exact JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from core.store.export import decimal_text, export_json, export_markdown
from core.store.database import SessionNotFound, Store
from core.costs.usage import TokenUsage

OPUS = "claude-opus-5-5"
SONNET = "claude-sonnet-5-5"


@pytest.fixture
def session(tmp_path):
    moments = iter(datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc) + timedelta(seconds=10 * i) for i in range(100))
    store = Store(tmp_path / "s.sqlite3", clock=lambda: next(moments))
    session_id = store.create_session("/src/shop", "Plan auth", OPUS, SONNET)
    store.set_active_plan(session_id, "/src/shop/AUTH_PLAN.md")
    store.add_message(session_id, "plan", "user", OPUS, "Plan an authentication system")
    plan = store.add_message(
        session_id, "plan", "assistant", OPUS, "# Auth Plan\n\n1. Argon2id\n", thinking="Weigh </details> bcrypt"
    )
    store.add_usage(
        session_id, plan, "plan", OPUS, TokenUsage(200, 840, 100, 900), Decimal("0.041235"), Decimal("0.041235")
    )
    store.add_message(session_id, "exec", "user", SONNET, "Implement step 1")
    code = store.add_message(session_id, "exec", "assistant", SONNET, "def hash_password(", status="cancelled")
    store.add_usage(session_id, code, "exec", SONNET, TokenUsage(3100, 12), Decimal("0.0000001"), Decimal("0.0000005"))
    yield store, session_id, plan, code
    store.close()


def test_decimal_text_is_exact_fixed_point():
    assert decimal_text(Decimal("0.041235000")) == "0.041235"
    assert decimal_text(Decimal("1E-7")) == "0.0000001"
    assert decimal_text(Decimal("10.000")) == "10"
    assert decimal_text(Decimal(0)) == "0"
    assert decimal_text(None) is None


def test_json_export_has_stable_keys_and_exact_money(session):
    store, session_id, plan, code = session
    document = export_json(store, session_id)
    assert json.loads(json.dumps(document)) == document  # plain JSON types only
    assert list(document) == ["format", "format_version", "session", "messages", "totals", "claude_code_sessions"]
    assert document["claude_code_sessions"] == {}  # no pane ran on Claude Code
    assert document["format"] == "segue-session" and document["format_version"] == 1
    assert document["session"] == {
        "id": session_id,
        "title": "Plan auth",
        "project_dir": "/src/shop",
        "created_at": "2025-03-01T09:00:00Z",
        "updated_at": document["session"]["updated_at"],
        "plan_model": OPUS,
        "exec_model": SONNET,
        "active_plan": "/src/shop/AUTH_PLAN.md",
    }
    messages = document["messages"]
    assert [(m["pane"], m["role"], m["status"]) for m in messages] == [
        ("plan", "user", "complete"),
        ("plan", "assistant", "complete"),
        ("exec", "user", "complete"),
        ("exec", "assistant", "cancelled"),
    ]
    assert messages[0]["usage"] is None and messages[0]["cost_usd"] is None
    assert messages[1]["thinking"] == "Weigh </details> bcrypt"
    assert messages[1]["usage"] == {
        "input_tokens": 200,
        "output_tokens": 840,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 900,
        "cache_creation_1h_input_tokens": 0,
    }
    assert (messages[1]["cost_usd"], messages[3]["cost_usd"], messages[3]["all_opus_cost_usd"]) == (
        "0.041235",
        "0.0000001",
        "0.0000005",
    )
    totals = document["totals"]
    assert totals["cost_usd"] == "0.0412351" and totals["all_opus_cost_usd"] == "0.0412355"
    assert totals["savings_usd"] == "0.0000004" and totals["messages"] == 2
    assert totals["panes"]["exec"]["output_tokens"] == 12
    assert list(totals["models"]) == [OPUS, SONNET]


def test_markdown_export_is_a_readable_transcript(session):
    store, session_id, _, _ = session
    text = export_markdown(store, session_id)
    assert text.startswith("# Plan auth\n")
    assert f"- Session: `{session_id}`" in text
    assert "- Project: `/src/shop`" in text
    assert "planning Opus 5.5 (`claude-opus-5-5`) · execution Sonnet 5.5 (`claude-sonnet-5-5`)" in text
    assert "- Active plan: `/src/shop/AUTH_PLAN.md`" in text
    assert "### You · Plan · 2025-03-01 09:00:" in text
    assert "### Opus 5.5 · Plan · " in text and "### Sonnet 5.5 · Execute · " in text
    # Thinking folds, and a </details> inside it cannot close the fold early.
    assert "<details>\n<summary>Thinking</summary>\n\nWeigh &lt;/details> bcrypt\n\n</details>" in text
    assert "# Auth Plan\n\n1. Argon2id" in text
    assert "*1.2k in (900 cached) (100 written to cache) · 840 out · $0.041 · all-Opus $0.041*" in text
    assert "> cancelled; partial reply" in text
    assert "## Totals" in text
    assert "| **Session** | 2 |" in text and "Saved <$0.001 (0%)" in text
    assert text.index("Plan an authentication system") < text.index("Implement step 1")


def test_untitled_session_and_unknown_prices(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        session_id = store.create_session("/p")
        reply = store.add_message(session_id, "exec", "assistant", "mystery-model", "")
        store.add_usage(session_id, reply, "exec", "mystery-model", TokenUsage(1, 1), None, None)
        text = export_markdown(store, session_id)
        assert text.startswith("# Untitled session")
        assert "*(no text)*" in text and "$—" in text and "+ 1 unpriced" in text
        assert "without a known price" in text
        document = export_json(store, session_id)
        assert document["messages"][0]["cost_usd"] is None
        assert document["totals"]["savings_usd"] is None and document["totals"]["unknown_cost_rows"] == 1


def test_export_of_an_unknown_session_raises(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        with pytest.raises(SessionNotFound):
            export_markdown(store, "nope")
        with pytest.raises(SessionNotFound):
            export_json(store, "nope")
