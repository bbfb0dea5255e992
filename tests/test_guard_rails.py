"""Guard rails: each classic mistake raises its notice, the right cases stay quiet, silencing works."""

from __future__ import annotations

import pytest

from core.advisor.matrix import advise
from core.advisor.guard_rails import (
    EXEC_WITHOUT_PLAN,
    GUARD_NAMES,
    OPUS_TRIVIAL,
    SONNET_ARCHITECTURE,
    GuardNotice,
    check_send,
)


def names(notices: list[GuardNotice]) -> list[str]:
    return [notice.name for notice in notices]


@pytest.mark.parametrize(
    "prompt",
    ["Fix the typo in README.md", "Rename getUser to fetchUser everywhere", "Change the timeout from 5 to 30 in config.py"],
)
def test_opus_on_a_trivial_task(prompt):
    notices = check_send(pane="plan", model_id="claude-opus-5-5", prompt=prompt)
    assert names(notices) == [OPUS_TRIVIAL]
    assert notices[0].suggestion == "sonnet"
    assert "Opus" in notices[0].message and "\n" not in notices[0].message


@pytest.mark.parametrize(
    "prompt",
    ["should we shard by tenant or by region?", "Design the architecture for a plugin system", "why does this deadlock only on ARM?"],
)
def test_sonnet_on_an_architecture_question(prompt):
    notices = check_send(pane="exec", model_id="sonnet", prompt=prompt)
    assert names(notices) == [SONNET_ARCHITECTURE]
    assert notices[0].suggestion == "opus"


def test_the_right_model_hears_nothing():
    assert check_send(pane="plan", model_id="opus", prompt="should we shard by tenant or by region?") == []
    assert check_send(pane="exec", model_id="claude-sonnet-5-5", prompt="Fix the typo in README.md") == []
    # Haiku is neither mistake.
    assert check_send(pane="exec", model_id="haiku", prompt="should we shard by tenant or by region?") == []


def test_exec_pane_starting_a_task_while_a_plan_is_unsaved():
    prompt = "Implement the login form with email and password"
    notices = check_send(pane="exec", model_id="sonnet", prompt=prompt, unsaved_plan=True)
    assert names(notices) == [EXEC_WITHOUT_PLAN]
    assert notices[0].suggestion is None
    assert "Ctrl+S" in notices[0].message
    # Saved plan, the planning pane itself, or a short reply: no notice.
    assert check_send(pane="exec", model_id="sonnet", prompt=prompt, unsaved_plan=False) == []
    assert EXEC_WITHOUT_PLAN not in names(check_send(pane="plan", model_id="opus", prompt=prompt, unsaved_plan=True))
    assert check_send(pane="exec", model_id="sonnet", prompt="yes, go", unsaved_plan=True) == []


def test_notices_combine_and_silencing_removes_only_the_named_ones():
    prompt = "Should we use Postgres or DynamoDB for the activity feed?"
    both = check_send(pane="exec", model_id="sonnet", prompt=prompt, unsaved_plan=True)
    assert names(both) == [SONNET_ARCHITECTURE, EXEC_WITHOUT_PLAN]
    quiet = check_send(pane="exec", model_id="sonnet", prompt=prompt, unsaved_plan=True, silenced=frozenset({SONNET_ARCHITECTURE}))
    assert names(quiet) == [EXEC_WITHOUT_PLAN]
    assert check_send(pane="exec", model_id="sonnet", prompt=prompt, unsaved_plan=True, silenced=frozenset(GUARD_NAMES)) == []


def test_a_coin_toss_does_not_nag():
    # The advisor leans Sonnet on a bare "thanks!" but with no confidence: Opus hears nothing.
    assert advise("thanks!").confidence < 0.65
    assert check_send(pane="plan", model_id="opus", prompt="thanks!") == []
    assert check_send(pane="plan", model_id="opus", prompt="   ") == []


def test_precomputed_advice_is_used():
    advice = advise("Fix the typo in README.md")
    # The advice passed in wins over the prompt (the input computed it while the user typed).
    notices = check_send(pane="plan", model_id="opus", prompt="should we shard by tenant?", advice=advice)
    assert names(notices) == [OPUS_TRIVIAL]


def test_unknown_pane_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown pane"):
        check_send(pane="left", model_id="opus", prompt="hi")
