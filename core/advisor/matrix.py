"""The decision-matrix advisor: which model and route a prompt calls for, and why.

The seed's rule: "If the task requires weighing trade-offs, use Opus. If the path is clear,
use Sonnet." The advisor is a small transparent scored model over named prompt features
(core.advisor.features):

1. each matrix row gets a linear score from the features (ROW_WEIGHTS + ROW_BIAS); the best
   row wins, or "other" when none reaches OTHER_THRESHOLD;
2. the model is a separate linear score, positive for Opus: the winning row's matrix model as a
   prior plus the features that signal weighing (choice, why, unknown cause, concurrency, scope)
   against those that signal a clear path (a plan to follow, a stated cause, a mechanical edit);
3. the route follows the row when the model agrees with it, else the model's natural route.

Deterministic, offline, pure Python: about 80 µs for a typical prompt, under 0.5 ms for a long
paste (tests/bench/advisor_speed.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.advisor.features import extract

TASK_TYPES: tuple[str, ...] = (
    "new_feature_architecture",
    "implement_planned_feature",
    "complex_bug_investigation",
    "simple_bug_fix",
    "large_refactor",
    "add_tests",
    "system_design",
    "documentation",
    "race_condition_debugging",
    "css_styling",
    "other",
)

# The seed's matrix: row -> (model, route).
MATRIX: dict[str, tuple[str, str]] = {
    "new_feature_architecture": ("opus", "plan"),
    "implement_planned_feature": ("sonnet", "execute"),
    "complex_bug_investigation": ("opus", "plan"),
    "simple_bug_fix": ("sonnet", "execute"),
    "large_refactor": ("opus", "plan-then-execute"),
    "add_tests": ("sonnet", "execute"),
    "system_design": ("opus", "plan"),
    "documentation": ("sonnet", "execute"),
    "race_condition_debugging": ("opus", "plan"),
    "css_styling": ("sonnet", "execute"),
}

LABELS: dict[str, str] = {
    "new_feature_architecture": "new feature architecture",
    "implement_planned_feature": "implementing a planned feature",
    "complex_bug_investigation": "complex bug investigation",
    "simple_bug_fix": "simple bug fix",
    "large_refactor": "large-scale refactoring",
    "add_tests": "adding tests",
    "system_design": "system design",
    "documentation": "documentation",
    "race_condition_debugging": "race-condition debugging",
    "css_styling": "CSS/styling",
    "other": "other",
}

# Why each row goes where the matrix sends it, in a few words.
ROW_REASONS: dict[str, str] = {
    "new_feature_architecture": "shapes a feature before code exists, weighing how it fits",
    "implement_planned_feature": "the plan already made the decisions; this is carrying them out",
    "complex_bug_investigation": "the cause is unknown, so it needs hypotheses weighed against evidence",
    "simple_bug_fix": "the cause is known and the change is local",
    "large_refactor": "Opus plans the moves and their order, Sonnet carries them out",
    "add_tests": "the behaviour to pin down is already clear",
    "system_design": "weighs trade-offs between architectures",
    "documentation": "describes what already exists",
    "race_condition_debugging": "needs reasoning about interleavings and timing",
    "css_styling": "a visual change with a clear target",
}

# Row scores: weight per feature. Read a row as "this row is the task when ...".
ROW_WEIGHTS: dict[str, dict[str, float]] = {
    "new_feature_architecture": {
        "feature_arch": 1.6, "tradeoff": 0.6, "choice": 0.4, "question": 0.3, "length": 0.3,
        "plan_ref": -2.0, "sysdesign": -0.3, "bug": -0.6, "style": -0.3,
    },
    "implement_planned_feature": {
        "plan_ref": 2.2, "implement": 1.0, "imperative": 0.4, "feature_arch": 0.2,
        "question": -1.0, "choice": -0.8,
    },
    "complex_bug_investigation": {
        "symptom": 1.0, "uncertainty": 1.0, "investigate": 1.2, "why": 0.8, "bug": 0.5,
        "known_cause": -1.2, "concurrency": -0.6, "imperative": -0.4, "tests": -0.5,
    },
    "simple_bug_fix": {
        "bug": 1.0, "known_cause": 1.4, "concrete_target": 0.5, "imperative": 0.4, "mechanical": 0.3,
        "uncertainty": -1.5, "investigate": -1.5, "why": -1.0, "tests": -1.0, "docs": -0.4,
        "style": -0.3, "concurrency": -0.8,
    },
    "large_refactor": {
        "refactor": 1.7, "scope_wide": 1.2, "length": 0.2,
        "mechanical": -2.0, "bug": -0.4, "tests": -0.6,
    },
    "add_tests": {
        "tests": 2.4, "imperative": 0.3, "concrete_target": 0.2,
        "uncertainty": -0.8, "why": -0.8,
    },
    "system_design": {
        "sysdesign": 1.2, "choice": 0.7, "tradeoff": 0.6, "feature_arch": 0.3, "question": 0.3,
        "bug": -0.6, "symptom": -0.4, "plan_ref": -1.5, "uncertainty": -0.6,
    },
    "documentation": {
        "docs": 2.2, "imperative": 0.3, "concrete_target": 0.1,
        "bug": -0.4, "question": -0.4,
    },
    "race_condition_debugging": {
        "concurrency": 2.2, "uncertainty": 0.6, "investigate": 0.4, "why": 0.4, "symptom": 0.3, "bug": 0.2,
        "tests": -0.3, "refactor": -0.5,
    },
    "css_styling": {
        "style": 1.4, "imperative": 0.3,
        "sysdesign": -0.5, "why": -0.5, "uncertainty": -0.8,
    },
}
ROW_BIAS: dict[str, float] = {row: 0.0 for row in ROW_WEIGHTS}
OTHER_THRESHOLD = 1.4

# Model score, positive for Opus: what says "weigh it" against what says "the path is clear".
MODEL_WEIGHTS: dict[str, float] = {
    "tradeoff": 0.9, "choice": 1.0, "why": 1.0, "question": 0.6, "investigate": 0.8,
    "uncertainty": 0.8, "concurrency": 0.7, "scope_wide": 0.5, "sysdesign": 0.4,
    "feature_arch": 0.6, "refactor": 0.6, "length": 0.6,
    "plan_ref": -1.4, "known_cause": -0.9, "mechanical": -1.6, "imperative": -0.7,
    "concrete_target": -0.3, "implement": -0.5, "tests": -0.4, "docs": -0.4, "style": -0.3,
}
ROW_PRIOR = 2.0  # how strongly the matrix row's own model counts

CUE_TEXT: dict[str, str] = {
    "tradeoff": "trade-off wording",
    "choice": "a choice between options",
    "why": "asks why",
    "question": "asked as a question",
    "investigate": "asks for an investigation",
    "uncertainty": "intermittent or unexplained symptoms",
    "concurrency": "concurrency vocabulary",
    "scope_wide": "codebase-wide scope",
    "sysdesign": "system-scale concerns",
    "feature_arch": "asks for a design",
    "refactor": "restructuring",
    "length": "a long open-ended prompt",
    "plan_ref": "follows an existing plan",
    "known_cause": "the cause is stated",
    "mechanical": "a mechanical edit",
    "imperative": "a direct instruction",
    "concrete_target": "a concrete target in the code",
    "implement": "asks to build",
    "tests": "about tests",
    "docs": "about documentation",
    "style": "about styling",
}


# How hard the suggested model should work on each row (output_config.effort): mechanical
# edits need little thinking, open design questions the most. Used when the row's own model
# wins; otherwise the model's default below.
ROW_EFFORT: dict[str, str] = {
    "new_feature_architecture": "high",
    "implement_planned_feature": "medium",
    "complex_bug_investigation": "high",
    "simple_bug_fix": "low",
    "large_refactor": "high",
    "add_tests": "medium",
    "system_design": "xhigh",
    "documentation": "low",
    "race_condition_debugging": "xhigh",
    "css_styling": "low",
}
MODEL_EFFORT = {"opus": "high", "sonnet": "medium"}


@dataclass(frozen=True)
class Advice:
    model: str  # "opus" | "sonnet"
    route: str  # "plan" | "execute" | "plan-then-execute"
    task_type: str  # one of TASK_TYPES
    reason: str  # one line
    confidence: float  # 0..1, how clear the model choice is
    effort: str = "medium"  # "low" | "medium" | "high" | "xhigh" | "max"
    # The evidence, for explanations and tuning: feature values, row scores, model score.
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    row_scores: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    model_score: float = field(default=0.0, compare=False)

    @property
    def task_label(self) -> str:
        """The row in the user's words: "system design", "simple bug fix", ..."""
        return LABELS[self.task_type]

    @property
    def model_id(self) -> str:
        """The full id of the suggested model (the catalog's newest of that family)."""
        from core.models import ALIASES

        return ALIASES[self.model]

    def summary(self) -> str:
        """One human line: "Opus · plan · system design — weighs trade-offs between ..."."""
        return f"{self.model.capitalize()} ({self.effort} effort) · {self.route} · {self.task_label} — {self.reason}"

    def as_dict(self) -> dict[str, str]:
        """The JSON shape of `segue advise --json` (DESIGN.md)."""
        return {
            "model": self.model, "effort": self.effort, "route": self.route, "task_type": self.task_type, "reason": self.reason,
        }


def _dot(weights: dict[str, float], features: dict[str, float]) -> float:
    return sum(weight * features[name] for name, weight in weights.items())


def _cues(features: dict[str, float], towards_opus: bool, limit: int = 2) -> list[str]:
    """The features that pushed the model score hardest in the chosen direction."""
    sign = 1.0 if towards_opus else -1.0
    pushes = [
        (sign * weight * features[name], name)
        for name, weight in MODEL_WEIGHTS.items()
        if sign * weight * features[name] > 0
    ]
    pushes.sort(key=lambda item: (-item[0], item[1]))
    return [CUE_TEXT[name] for _, name in pushes[:limit]]


def advise(prompt: str) -> Advice:
    """Classify PROMPT into the seed's matrix and say which model and route it calls for."""
    features = extract(prompt)
    row_scores = {row: _dot(weights, features) + ROW_BIAS[row] for row, weights in ROW_WEIGHTS.items()}
    best = max(row_scores, key=lambda row: (row_scores[row], -TASK_TYPES.index(row)))
    task_type = best if row_scores[best] >= OTHER_THRESHOLD else "other"

    prior = 0.0
    if task_type != "other":
        prior = ROW_PRIOR if MATRIX[task_type][0] == "opus" else -ROW_PRIOR
    model_score = prior + _dot(MODEL_WEIGHTS, features)
    model = "opus" if model_score > 0 else "sonnet"

    cues = _cues(features, model == "opus")
    effort = MODEL_EFFORT[model]
    if task_type != "other" and MATRIX[task_type][0] == model:
        route = MATRIX[task_type][1]
        reason = ROW_REASONS[task_type]
        effort = ROW_EFFORT[task_type]
    else:
        route = "plan" if model == "opus" else "execute"
        gist = "weighs trade-offs" if model == "opus" else "the path is clear"
        reason = gist if task_type == "other" else f"{gist}, although it reads like {LABELS[task_type]}"
    if cues:
        reason += f" ({', '.join(cues)})"
    # 0.5 when the evidence is balanced, towards 1 as the model score leaves zero.
    confidence = round(0.5 + 0.5 * math.tanh(abs(model_score) / 2.5), 3)
    return Advice(model, route, task_type, reason, confidence, effort, features, row_scores, round(model_score, 3))
