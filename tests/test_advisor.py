"""The decision-matrix advisor against a labelled set written before it was tuned."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from core.advisor.matrix import MATRIX, TASK_TYPES, Advice, advise
from core.advisor.features import FEATURE_NAMES, extract

DATA = Path(__file__).parent / "data" / "advisor_prompts.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def _accuracy(rows: list[dict], key: str) -> float:
    return sum(getattr(advise(row["prompt"]), key) == row[key] for row in rows) / len(rows)


def test_labelled_set_is_large_balanced_and_consistent():
    assert len(ROWS) >= 80
    per_row = Counter(row["task_type"] for row in ROWS)
    assert set(per_row) == set(TASK_TYPES)
    # every matrix row covered by several prompts, and no row dominating
    assert min(per_row[row] for row in MATRIX) >= 8
    assert max(per_row.values()) <= 2 * min(per_row[row] for row in MATRIX)
    for row in ROWS:
        if row["task_type"] != "other":
            assert (row["model"], row["route"]) == MATRIX[row["task_type"]], row
    assert len({row["prompt"] for row in ROWS}) == len(ROWS)


def test_accuracy_on_the_labelled_set(capsys):
    lines = []
    for split in ("dev", "holdout", None):
        rows = [row for row in ROWS if split is None or row["split"] == split]
        figures = {key: _accuracy(rows, key) for key in ("model", "route", "task_type")}
        lines.append(
            f"advisor {split or 'all':>7} ({len(rows):3d} prompts): "
            + "  ".join(f"{key} {value:6.1%}" for key, value in figures.items())
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert _accuracy(ROWS, "model") >= 0.90
    held_out = [row for row in ROWS if row["split"] == "holdout"]
    assert _accuracy(held_out, "model") >= 0.90
    assert _accuracy(ROWS, "route") >= 0.85
    assert _accuracy(ROWS, "task_type") >= 0.75


@pytest.mark.parametrize(
    ("prompt", "model", "route"),
    [
        ("why does this deadlock only on ARM?", "opus", "plan"),
        ("rename this variable everywhere", "sonnet", "execute"),
        ("should we shard by tenant or by region?", "opus", "plan"),
        ("Fix the typo in README.md", "sonnet", "execute"),
        ("Design a caching layer for our API", "opus", "plan"),
        ("Implement the steps in AUTH_PLAN.md", "sonnet", "execute"),
        ("Refactor the whole codebase to use dependency injection", "opus", "plan-then-execute"),
    ],
)
def test_phrasings_outside_the_matrix_answer_sensibly(prompt, model, route):
    advice = advise(prompt)
    assert (advice.model, advice.route) == (model, route), advice.summary()


def test_task_types_of_the_issue_examples():
    assert advise("why does this deadlock only on ARM?").task_type == "race_condition_debugging"
    assert advise("should we shard by tenant or by region?").task_type == "system_design"
    assert advise("rename this variable everywhere").task_type != "large_refactor"


def test_advice_shape_and_json_contract():
    advice = advise("Design a caching layer for our API")
    assert isinstance(advice, Advice)
    assert advice.model in ("opus", "sonnet")
    assert advice.route in ("plan", "execute", "plan-then-execute")
    assert advice.task_type in TASK_TYPES
    assert 0.0 <= advice.confidence <= 1.0
    assert "\n" not in advice.reason and advice.reason
    data = advice.as_dict()
    assert list(data) == ["model", "effort", "route", "task_type", "reason"]
    assert json.loads(json.dumps(data)) == data
    assert advice.model_id == "claude-opus-5-5"
    assert advice.summary().startswith("Opus (xhigh effort) · plan · system design — ")


def test_reason_names_the_evidence():
    assert "choice between options" in advise("Kafka or RabbitMQ for the order events?").reason
    assert "follows an existing plan" in advise("Build the export endpoint according to the plan").reason


def test_deterministic_and_confidence_tracks_clarity():
    prompt = "Users say checkout sometimes hangs and we cannot reproduce it"
    assert advise(prompt) == advise(prompt)
    clear = advise("Should we use Postgres or DynamoDB for the feed? Weigh the trade-offs.")
    vague = advise("thanks!")
    assert clear.confidence > 0.9
    assert vague.confidence < clear.confidence


def test_a_choice_framing_turns_a_sonnet_row_towards_opus():
    # Styling is a Sonnet row, but asking which approach to take is weighing trade-offs.
    direct = advise("Make the navbar sticky")
    weighed = advise("Should we use CSS grid or flexbox for the dashboard layout, given the trade-offs?")
    assert direct.model == "sonnet"
    assert weighed.model == "opus"
    assert weighed.model_score > direct.model_score


def test_features_are_all_named_and_bounded():
    features = extract("Why do two threads deadlock in worker.py? Should we use one lock or two?")
    assert set(features) == set(FEATURE_NAMES)
    assert all(0.0 <= value <= 3.0 for value in features.values())
    assert features["concurrency"] >= 1 and features["why"] == 1 and features["choice"] >= 1
    assert features["concrete_target"] >= 1 and features["question"] == 1


def test_empty_and_odd_prompts_do_not_crash():
    for prompt in ("", "   ", "?", "🙂", "x" * 100_000, "\n\n\t"):
        advice = advise(prompt)
        assert advice.model in ("opus", "sonnet")


def test_under_a_millisecond_per_prompt_even_for_long_pastes():
    prompts = [row["prompt"] for row in ROWS]
    prompts.append("Traceback (most recent call last):\n  File \"app.py\", line 3\n" * 400 + "why?")
    advise(prompts[0])
    start = time.perf_counter()
    for prompt in prompts:
        advise(prompt)
    per_prompt = (time.perf_counter() - start) / len(prompts)
    assert per_prompt < 0.001


def test_effort_follows_the_task():
    """A typo fix wants Sonnet at low effort; an architecture question Opus at high or above."""
    typo = advise("Fix the typo in README.md")
    assert (typo.model, typo.effort) == ("sonnet", "low")
    design = advise("Design the architecture for multi-region failover: which trade-offs between consistency and latency?")
    assert design.model == "opus" and design.effort in ("high", "xhigh")
