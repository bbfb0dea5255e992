"""`segue usage`: DESIGN.md's JSON shape and numbers, the table, the options and the errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from claude_usage_tree import build_tree, independent_records, local_day, tally, totals_of
from click.testing import CliRunner

from tui.cli import main

TOTAL_KEYS = {
    "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation_1h_input_tokens",
    "messages", "cost_usd",
}


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def tree(tmp_path):
    return build_tree(tmp_path, seed=21)


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["usage", *args], env=env, catch_exceptions=False)


def dirs(tree) -> list[str]:
    return [arg for root in tree.roots for arg in ("--claude-dir", str(root))]


def test_json_matches_design_and_the_independent_tally(tree):
    result = run("--json", *dirs(tree))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {"models", "totals", "all_opus_cost_usd", "savings_usd", "skipped_lines"} <= set(payload)
    assert set(payload["totals"]) == TOTAL_KEYS
    assert all(set(t) == TOTAL_KEYS for t in payload["models"].values())
    expected, skipped = independent_records(tree.roots)
    per_model = tally(expected)["all"]
    assert payload["models"] == {m: e.as_json() for m, e in per_model.items()}
    assert payload["totals"] == totals_of(per_model).as_json()
    assert payload["skipped_lines"] == skipped
    assert payload["unpriced_models"] == ["claude-mystery-9"]
    assert "groups" not in payload


def test_claude_config_dir_names_the_roots(tree):
    from_env = run("--json", env={"CLAUDE_CONFIG_DIR": ",".join(str(r) for r in tree.roots)})
    assert json.loads(from_env.output) == json.loads(run("--json", *dirs(tree)).output)
    only_first = json.loads(run("--json", env={"CLAUDE_CONFIG_DIR": str(tree.roots[0])}).output)
    assert only_first["totals"]["messages"] < json.loads(from_env.output)["totals"]["messages"]


def test_savings_when_every_model_is_priced(tmp_path):
    from claude_usage_tree import MODELS

    tree = build_tree(tmp_path, seed=21)
    for path in tree.files:  # drop the unpriced model's lines
        path.write_text("".join(l for l in path.read_text().splitlines(keepends=True) if MODELS[3] not in l))
    payload = json.loads(run("--json", *dirs(tree)).output)
    expected, _ = independent_records(tree.roots)
    total = totals_of(tally(expected)["all"])
    assert payload["all_opus_cost_usd"] == float(round(total.all_opus, 6))
    assert payload["savings_usd"] == pytest.approx(float(total.all_opus - total.cost), abs=2e-6)


def test_by_day_with_since_and_until(tree):
    expected, _ = independent_records(tree.roots)
    days = sorted({local_day(r) for r in expected})
    result = run("--json", "--by", "day", "--since", days[1], "--until", days[-2].replace("-", ""), *dirs(tree))
    payload = json.loads(result.output)
    inside = [r for r in expected if days[1] <= local_day(r) <= days[-2]]
    want = tally(inside, group=local_day)
    assert [g["key"] for g in payload["groups"]] == sorted(want)
    for group in payload["groups"]:
        assert group["totals"] == totals_of(want[group["key"]]).as_json()
    assert payload["totals"] == totals_of(tally(inside)["all"]).as_json()


def test_by_session_and_by_model(tree):
    expected, _ = independent_records(tree.roots)
    sessions = json.loads(run("--json", "--by", "session", *dirs(tree)).output)
    want = tally(expected, group=lambda r: r["session"])
    assert {g["key"]: g["totals"] for g in sessions["groups"]} == {k: totals_of(v).as_json() for k, v in want.items()}
    models = json.loads(run("--json", "--by", "model", *dirs(tree)).output)
    assert {g["key"]: g["totals"] for g in models["groups"]} == models["models"]


def test_the_table_for_humans_has_no_colour_off_a_tty(tree):
    result = run("--by", "day", *dirs(tree))
    assert result.exit_code == 0
    assert "\x1b[" not in result.output
    assert "│ Date" in result.output and "Models" in result.output and "│ Total" in result.output
    assert "priced at Opus rates" in result.output
    expected, _ = independent_records(tree.roots)
    total = totals_of(tally(expected)["all"])
    assert f"{total.input_tokens + total.output_tokens + total.cache_creation_input_tokens + total.cache_read_input_tokens:,}" in result.output


def test_errors_are_one_sentence(tmp_path, tree):
    missing = run("--claude-dir", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "No Claude Code transcripts found" in missing.output
    assert "Traceback" not in missing.output
    bad_day = run("--since", "2025-02-30", *dirs(tree))
    assert bad_day.exit_code == 2 and "--since takes a date as YYYY-MM-DD" in bad_day.output
    backwards = run("--since", "2025-10-05", "--until", "2025-10-01", *dirs(tree))
    assert backwards.exit_code == 2 and "--since is after --until." in backwards.output


def test_a_real_process_prints_the_same_json(tree, segue_home):
    env = {**os.environ, "SEGUE_HOME": str(segue_home), "TZ": "UTC"}
    env.pop("CLAUDE_CONFIG_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "usage", "--json", *dirs(tree)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    expected, skipped = independent_records(tree.roots)
    payload = json.loads(done.stdout)
    assert payload["totals"] == totals_of(tally(expected)["all"]).as_json()
    assert payload["skipped_lines"] == skipped
    assert (segue_home / "claude_usage.sqlite3").is_file()


def test_a_mix_dearer_than_all_opus_says_so_not_saved_minus(tmp_path):
    """Only Opus 4.1 ($15/$75) against today's Opus: the all-Opus figure is the smaller one. The
    table said "the mix saved -$0.43 (-73%)"; it says what it cost more."""
    from datetime import datetime, timezone

    from claude_usage_tree import assistant_line, dump

    project = tmp_path / "root" / "projects" / "-home-dev-shop"
    project.mkdir(parents=True)
    usage = {"input_tokens": 10_000, "output_tokens": 2_000, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    line = assistant_line(datetime(2026, 11, 30, 12, tzinfo=timezone.utc), "s1", "claude-opus-4-1-20250805", usage, "msg_1", "req_1")
    (project / "s1.jsonl").write_text(dump(line, False) + "\n")
    payload = json.loads(run("--json", "--claude-dir", str(tmp_path / "root")).output)
    assert payload["savings_usd"] < 0
    table = run("--claude-dir", str(tmp_path / "root")).output
    assert "saved -" not in table and "saved" not in table.split("All-Opus")[1]
    assert "the mix cost $" in table and "more (" in table
