"""The transcript scanner and reports against an independent tally of generated Claude Code trees."""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from claude_usage_tree import (
    assistant_line,
    build_tree,
    dump,
    independent_records,
    local_day,
    tally,
    totals_of,
)

from core.costs import pricing
from core.claude_usage import TranscriptScanner, build_report, default_roots, report_json
from core.claude_usage.costing import record_cost
from core.claude_usage.scanner import SCHEMA_VERSION
from core.claude_usage.transcript_lines import parse_chunk
from core.costs.usage import TokenUsage


@pytest.fixture(autouse=True)
def half_hour_zone(monkeypatch):
    """A +05:30 local zone, so day boundaries are not UTC's and not on the hour."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def scanned(roots, cache=False) -> TranscriptScanner:
    scanner = TranscriptScanner(roots, cache=cache)
    scanner.scan()
    return scanner


def by_model_json(report) -> dict:
    return report_json(report)["models"]


def expected_models(records) -> dict:
    return {model: entry.as_json() for model, entry in tally(records)["all"].items()}


def test_totals_per_model_match_the_independent_tally(tmp_path):
    tree = build_tree(tmp_path)
    expected, skipped = independent_records(tree.roots)
    scanner = scanned(tree.roots)
    report = build_report(scanner.records(), skipped_lines=scanner.skipped_lines)
    payload = report_json(report)

    assert payload["models"] == expected_models(expected)
    assert "claude-mystery-9" in payload["models"] and payload["models"]["claude-mystery-9"]["cost_usd"] is None
    assert "<synthetic>" not in payload["models"]
    total = totals_of(tally(expected)["all"])
    assert payload["totals"] == total.as_json()
    assert payload["all_opus_cost_usd"] == float(round(total.all_opus, 6))
    assert payload["savings_usd"] is None  # an unpriced model makes any saving figure a guess
    assert payload["skipped_lines"] == skipped > 0
    assert len(scanner.records()) == len(expected)


def test_totals_per_day_match_the_independent_tally(tmp_path):
    tree = build_tree(tmp_path, seed=11)
    expected, _ = independent_records(tree.roots)
    report = build_report(scanned(tree.roots).records(), by="day")
    want = tally(expected, group=local_day)
    got = {group["key"]: group["models"] for group in report_json(report)["groups"]}
    assert got == {day: {m: e.as_json() for m, e in per_model.items()} for day, per_model in want.items()}
    assert len(got) >= 3


def test_since_until_and_grouping_by_session_and_model(tmp_path):
    tree = build_tree(tmp_path, seed=3)
    expected, _ = independent_records(tree.roots)
    records = scanned(tree.roots).records()
    days = sorted({local_day(r) for r in expected})
    since, until = date.fromisoformat(days[1]), date.fromisoformat(days[2])
    inside = [r for r in expected if days[1] <= local_day(r) <= days[2]]
    report = build_report(records, since=since, until=until, by="session")
    assert by_model_json(report) == expected_models(inside)
    sessions = {group["key"]: group["totals"] for group in report_json(report)["groups"]}
    want = {key: totals_of(per_model).as_json() for key, per_model in tally(inside, group=lambda r: r["session"]).items()}
    assert sessions == want
    by_model = {group["key"]: group["totals"] for group in report_json(build_report(records, by="model"))["groups"]}
    assert by_model == expected_models(expected)


def test_costs_equal_per_record_pricing_including_long_context_tiers():
    for model in ("claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001", "claude-opus-5-5"):
        for usage in (TokenUsage(3, 500, 1200, 40000), TokenUsage(10, 9000, 0, 230_000), TokenUsage(200_000, 1, 0, 0), TokenUsage(200_001, 1, 0, 0)):
            assert record_cost(model, *usage.as_dict().values()) == pricing.cost(model, usage)
    assert record_cost("claude-mystery-9", 1, 1, 1, 1) is None
    # The long-context tier really is in play for Sonnet 4.5, so the tier path is exercised.
    from core.claude_usage.costing import linear_prices

    first_tier = linear_prices("claude-sonnet-4-5-20250929")
    assert first_tier.limit == 200_000
    assert pricing.cost("claude-sonnet-4-5-20250929", TokenUsage(10, 9000, 0, 230_000)) > first_tier.cost(10, 9000, 0, 230_000)


def test_dedupe_keeps_the_fullest_copy_and_the_first_on_ties(tmp_path):
    root = tmp_path / "root"
    project = root / "projects" / "-p"
    project.mkdir(parents=True)
    base = datetime(2025, 10, 1, 12, tzinfo=timezone.utc)
    usage = {"input_tokens": 10, "output_tokens": 50}
    (project / "a.jsonl").write_text(
        dump(assistant_line(base, "a", "claude-sonnet-4-5-20250929", {**usage, "output_tokens": 5}, "m1", "r1"), False) + "\n"
        + dump(assistant_line(base, "a", "claude-sonnet-4-5-20250929", usage, "m2", "r2", text="first"), False) + "\n"
    )
    (project / "b.jsonl").write_text(
        dump(assistant_line(base, "b", "claude-sonnet-4-5-20250929", usage, "m1", "r1"), True) + "\n"
        + dump(assistant_line(base, "b", "claude-sonnet-4-5-20250929", usage, "m2", "r2"), True) + "\n"
        + dump(assistant_line(base, "b", "claude-sonnet-4-5-20250929", usage, None, None), True) + "\n"
        + dump(assistant_line(base, "b", "claude-sonnet-4-5-20250929", usage, None, None), True) + "\n"
    )
    records = scanned([root]).records()
    keyed = {r.message_id: r for r in records if r.message_id}
    assert keyed["m1"].session_id == "b" and keyed["m1"].output_tokens == 50  # fuller copy wins
    assert keyed["m2"].session_id == "a"  # tie: the first in scan order
    assert sum(1 for r in records if r.message_id is None) == 2  # never deduplicated


def test_a_rescan_reads_only_appended_bytes(tmp_path):
    tree = build_tree(tmp_path, seed=5)
    cache = tmp_path / "cache.sqlite3"
    scanner = TranscriptScanner(tree.roots, cache=cache)
    cold = scanner.scan()
    assert cold.bytes_read == sum(p.stat().st_size for p in tree.files)
    assert scanner.scan().bytes_read == 0

    target = tree.files[2]
    moment = datetime(2025, 10, 4, 9, tzinfo=timezone.utc)
    added = (
        dump(assistant_line(moment, "s-new", "claude-opus-4-1-20250805", {"input_tokens": 7, "output_tokens": 70}, "msg_new", "req_new"), False)
        + "\n"
    ).encode()
    with open(target, "ab") as handle:
        handle.write(added)
    warm = scanner.scan()
    assert (warm.bytes_read, warm.files_read, warm.files_reset) == (len(added), 1, 0)
    assert warm.check_bytes_read <= 128

    # A new process: the SQLite cache means it reads nothing at all.
    fresh = TranscriptScanner(tree.roots, cache=cache)
    assert fresh.scan().bytes_read == 0
    expected, skipped = independent_records(tree.roots)
    for candidate in (scanner, fresh):
        assert by_model_json(build_report(candidate.records())) == expected_models(expected)
        assert candidate.skipped_lines == skipped
    fresh.close()
    scanner.close()


def test_truncated_and_rewritten_files_are_read_again_from_zero(tmp_path):
    tree = build_tree(tmp_path, seed=9)
    cache = tmp_path / "cache.sqlite3"
    scanner = TranscriptScanner(tree.roots, cache=cache)
    scanner.scan()
    moment = datetime(2025, 10, 2, 9, tzinfo=timezone.utc)

    # Truncated: fewer bytes than we had read.
    shorter = tree.files[0]
    lines = shorter.read_text().splitlines(keepends=True)
    shorter.write_text("".join(lines[: len(lines) // 3]))
    stats = scanner.scan()
    assert stats.files_reset == 1 and stats.bytes_read == shorter.stat().st_size

    # Rewritten in place with different content, longer than before.
    longer = tree.files[1]
    old_size = longer.stat().st_size
    text = "".join(
        dump(assistant_line(moment, "rw", "claude-haiku-4-5-20251001", {"input_tokens": i, "output_tokens": 1}, f"rw{i}", f"rq{i}"), False) + "\n"
        for i in range(1, 2000)
    )
    assert len(text) > old_size
    longer.write_text(text)
    assert scanner.scan().files_reset == 1

    # Replaced by another file (new inode), as editors and `mv` do.
    replaced = tree.files[3]
    other = replaced.with_suffix(".tmp")
    other.write_text(dump(assistant_line(moment, "mv", "claude-opus-4-1-20250805", {"input_tokens": 1, "output_tokens": 2}, "mv1", "mq1"), False) + "\n")
    os.replace(other, replaced)
    assert scanner.scan().files_reset == 1

    # A file removed: its records go, and a copy elsewhere can win instead.
    tree.files[4].unlink()
    assert scanner.scan().files_removed == 1

    expected, skipped = independent_records(tree.roots)
    for candidate in (scanner, TranscriptScanner(tree.roots, cache=cache), TranscriptScanner(tree.roots, cache=False)):
        candidate.scan()
        assert by_model_json(build_report(candidate.records())) == expected_models(expected)
        assert candidate.skipped_lines == skipped


def test_a_partial_last_line_waits_until_it_is_complete(tmp_path):
    root = tmp_path / "root"
    project = root / "projects" / "-p"
    project.mkdir(parents=True)
    path = project / "s.jsonl"
    line = dump(assistant_line(datetime(2025, 10, 1, tzinfo=timezone.utc), "s", "claude-sonnet-4-5-20250929", {"input_tokens": 3, "output_tokens": 4}, "m", "r"), False)
    path.write_text(line[:40])
    scanner = TranscriptScanner([root], cache=tmp_path / "c.sqlite3")
    scanner.scan()
    assert scanner.records() == [] and scanner.skipped_lines == 0
    with open(path, "a") as handle:
        handle.write(line[40:] + "\n")
    stats = scanner.scan()
    assert stats.bytes_read == len(line) + 1  # the partial bytes are read again, once
    assert [r.output_tokens for r in scanner.records()] == [4]
    assert scanner.skipped_lines == 0


def test_compact_and_spaced_json_parse_alike():
    obj = assistant_line(datetime(2025, 10, 1, tzinfo=timezone.utc), "s", "claude-opus-4-1-20250805", {"input_tokens": 1, "output_tokens": 2, "cache_read_input_tokens": 3}, "m", "r")
    compact = parse_chunk((dump(obj, False) + "\n").encode(), 0, "p", "f").records
    spaced = parse_chunk((json.dumps(obj, indent=None, separators=(" , ", " : ")) + "\n").encode(), 0, "p", "f").records
    assert compact == spaced and compact[0].cache_read_input_tokens == 3


def test_default_roots_follow_claude_config_dir(tmp_path):
    assert default_roots({"CLAUDE_CONFIG_DIR": f"{tmp_path}/a, {tmp_path}/b", "HOME": "/h"}) == [tmp_path / "a", tmp_path / "b"]
    assert default_roots({"HOME": "/h"}) == [Path("/h/.config/claude"), Path("/h/.claude")]


def test_a_cache_from_another_schema_version_starts_empty(tmp_path):
    import sqlite3

    tree = build_tree(tmp_path, seed=2, sessions_per_project=1, messages_per_session=5)
    cache = tmp_path / "c.sqlite3"
    TranscriptScanner(tree.roots, cache=cache).scan()
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    again = TranscriptScanner(tree.roots, cache=cache)
    assert again.scan().bytes_read == sum(p.stat().st_size for p in tree.files)


def test_the_default_cache_lives_in_segues_data_dir(tmp_path, segue_home):
    tree = build_tree(tmp_path, seed=4, sessions_per_project=1, messages_per_session=3)
    with TranscriptScanner(tree.roots) as scanner:
        scanner.scan()
    assert (segue_home / "claude_usage.sqlite3").is_file()


def test_one_hour_cache_writes_are_priced_at_the_one_hour_rate():
    """ccusage prices usage.cache_creation.ephemeral_1h_input_tokens as a 5-minute write; we don't."""
    from core.claude_usage.transcript_lines import record_from_line

    usage = {
        "input_tokens": 10, "output_tokens": 100, "cache_creation_input_tokens": 1_000_000, "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 400_000, "ephemeral_1h_input_tokens": 600_000},
    }
    line = {"type": "assistant", "timestamp": "2026-03-01T10:00:00Z", "sessionId": "s",
            "message": {"id": "m1", "model": "claude-opus-5-5", "usage": usage}}
    record = record_from_line(line, 0, "p", "s")
    assert record.cache_creation_1h_input_tokens == 600_000
    report = build_report([record])
    totals = report_json(report)["totals"]
    assert totals["cache_creation_1h_input_tokens"] == 600_000
    exact = pricing.cost("claude-opus-5-5", TokenUsage(10, 100, 1_000_000, 0, 600_000))
    five_minute_only = pricing.cost("claude-opus-5-5", TokenUsage(10, 100, 1_000_000, 0))
    assert totals["cost_usd"] == float(round(exact, 6))
    # 600k tokens at $8 instead of $5 per MTok on Opus 5.5: $1.80 more than the 5-minute rate.
    assert exact - five_minute_only == Decimal("1.8")
