"""Guard rails: non-blocking notices against the seed's classic mistakes, checked before a send.

- "opus_trivial": Opus is about to answer a task with a clear path (typo, rename, one-line
  fix ...): the seed's mistake 1, "Opus for everything".
- "sonnet_architecture": Sonnet is about to answer an architecture or trade-off question:
  mistake 2, "Sonnet for architecture".
- "exec_without_plan": the execution pane starts a task while the planning pane holds a plan
  nobody saved: mistake 3, the architectural decision from Opus gets ignored because no
  handoff document exists.

Each notice can be silenced by name (Settings.silenced_guards). Notices never block a send.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.advisor.matrix import Advice, advise
from core.models import family_of, resolve_model

OPUS_TRIVIAL = "opus_trivial"
SONNET_ARCHITECTURE = "sonnet_architecture"
EXEC_WITHOUT_PLAN = "exec_without_plan"
GUARD_NAMES: tuple[str, ...] = (OPUS_TRIVIAL, SONNET_ARCHITECTURE, EXEC_WITHOUT_PLAN)

# How sure the advisor must be before a model notice speaks up: a nudge on a coin toss is noise.
MIN_CONFIDENCE = 0.65
# Below this many words a message in the execution pane is a reply ("yes", "go on"), not a task.
MIN_TASK_WORDS = 3


@dataclass(frozen=True)
class GuardNotice:
    name: str  # one of GUARD_NAMES
    message: str  # one sentence for the user
    # The model alias to switch to ("opus" | "sonnet") when one key can fix it, else None.
    suggestion: str | None = None


def check_send(
    pane: str,
    model_id: str,
    prompt: str,
    unsaved_plan: bool = False,
    silenced: frozenset[str] = frozenset(),
    advice: Advice | None = None,
) -> list[GuardNotice]:
    """The notices for sending PROMPT from PANE ("plan" | "exec") to MODEL_ID (id or alias).

    Pass `advice` when the caller already has the advisor's answer for this prompt (the input
    shows it while typing) to avoid classifying twice.
    """
    if pane not in ("plan", "exec"):
        raise ValueError(f"unknown pane {pane!r}; expected 'plan' or 'exec'")
    text = prompt.strip()
    if not text:
        return []
    advice = advise(text) if advice is None else advice
    family = family_of(resolve_model(model_id))
    kind = "" if advice.task_type == "other" else f" ({advice.task_label})"
    notices: list[GuardNotice] = []

    if family == "opus" and advice.model == "sonnet" and advice.confidence >= MIN_CONFIDENCE:
        notices.append(
            GuardNotice(
                OPUS_TRIVIAL,
                f"Opus is about to answer a task with a clear path{kind}; "
                "Sonnet does this as well for a fraction of the cost.",
                "sonnet",
            )
        )
    if family == "sonnet" and advice.model == "opus" and advice.confidence >= MIN_CONFIDENCE:
        notices.append(
            GuardNotice(
                SONNET_ARCHITECTURE,
                f"Sonnet is about to answer a question that weighs trade-offs{kind}; "
                "Opus is the model for that.",
                "opus",
            )
        )
    if pane == "exec" and unsaved_plan and len(text.split()) >= MIN_TASK_WORDS:
        notices.append(
            GuardNotice(
                EXEC_WITHOUT_PLAN,
                "The planning pane has a plan that is not saved, so this task would start without it; "
                "save it first (Ctrl+S) to hand it over.",
                None,
            )
        )
    return [notice for notice in notices if notice.name not in silenced]
