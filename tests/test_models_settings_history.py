"""The model catalog, settings loading and history trimming."""

from __future__ import annotations

from core import models
from core.history import history_from_messages, trim_history
from core.settings import load_settings
from types import SimpleNamespace


def test_aliases_resolve_to_the_newest_of_each_family():
    assert models.resolve_model("opus") == "claude-opus-5-5"
    assert models.resolve_model("Sonnet") == "claude-sonnet-5-5"
    assert models.resolve_model("haiku") == "claude-haiku-5-5"
    assert models.resolve_model("claude-opus-4-8") == "claude-opus-4-8"


def test_toggle_flips_opus_and_sonnet():
    assert models.toggle_model("claude-opus-5-5") == "claude-sonnet-5-5"
    assert models.toggle_model("claude-sonnet-4-6") == "claude-opus-5-5"
    assert models.display_name("claude-opus-5-5") == "Opus 5.5"
    assert models.display_name("claude-haiku-4-5-20251001") == "Haiku 4.5"
    assert models.display_name("gpt-x") == "gpt-x"


def test_settings_file_then_environment(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('plan_model = "sonnet"\nsession_budget_usd = 2.5\nbogus = 1\n')
    settings = load_settings(path, environ={"SEGUE_EXEC_MODEL": "haiku", "SEGUE_DAILY_BUDGET": "10"})
    assert settings.plan_model == "claude-sonnet-5-5"
    assert settings.exec_model == "claude-haiku-5-5"
    assert settings.session_budget_usd == 2.5
    assert settings.daily_budget_usd == 10.0
    assert any("bogus" in problem for problem in settings.problems)


def test_broken_settings_file_is_reported_not_fatal(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("plan_model = [unclosed")
    settings = load_settings(path, environ={})
    assert settings.plan_model == "claude-opus-5-5"
    assert settings.problems and "could not read settings" in settings.problems[0]


def _row(role, text):
    return SimpleNamespace(role=role, text=text)


def test_history_skips_prompts_without_a_reply():
    rows = [_row("user", "a"), _row("assistant", "A "), _row("user", "lost"), _row("assistant", ""), _row("user", "b"), _row("assistant", "B")]
    assert history_from_messages(rows) == [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "A"},
        {"role": "user", "content": "b"},
        {"role": "assistant", "content": "B"},
    ]


def test_trim_drops_oldest_exchanges_first():
    history = []
    for index in range(10):
        history += [{"role": "user", "content": f"q{index} " + "x" * 400}, {"role": "assistant", "content": "y" * 400}]
    kept, dropped = trim_history(history, 1000)
    assert dropped > 0
    assert kept[0]["content"].startswith(f"q{dropped} ")
    assert len(kept) == len(history) - 2 * dropped
