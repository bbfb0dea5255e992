"""The model catalog: aliases, full ids, families and display names."""

from __future__ import annotations

from dataclasses import dataclass

# Newest of each family; DESIGN.md fixes the aliases to these ids.
ALIASES: dict[str, str] = {
    "opus": "claude-opus-5-5",
    "sonnet": "claude-sonnet-5-5",
    "haiku": "claude-haiku-5-5",
}

DEFAULT_PLAN_MODEL = ALIASES["opus"]
DEFAULT_EXEC_MODEL = ALIASES["sonnet"]


@dataclass(frozen=True)
class ModelInfo:
    id: str
    family: str  # "opus" | "sonnet" | "haiku" | other
    name: str  # "Opus 5.5"
    context_window: int


# Known ids, newest first; the API's /v1/models list wins when it answers.
KNOWN_MODEL_IDS: tuple[str, ...] = (
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
)

_CONTEXT_WINDOW = 200_000


def family_of(model_id: str) -> str:
    for family in ("opus", "sonnet", "haiku"):
        if family in model_id:
            return family
    return "other"


def display_name(model_id: str) -> str:
    """'claude-opus-5-5' -> 'Opus 5.5'; unknown shapes are shown as given."""
    parts = model_id.split("-")
    if len(parts) >= 3 and parts[0] == "claude":
        family = parts[1].capitalize()
        version = [p for p in parts[2:] if p.isdigit() and len(p) < 3]
        if version:
            return f"{family} {'.'.join(version)}"
    return model_id


def info(model_id: str) -> ModelInfo:
    return ModelInfo(model_id, family_of(model_id), display_name(model_id), _CONTEXT_WINDOW)


def resolve_model(name: str) -> str:
    """An alias (opus, sonnet, haiku) or a full id -> the full id."""
    key = name.strip().lower()
    if not key:
        raise ValueError("a model name is empty")
    return ALIASES.get(key, name.strip())


def toggle_model(model_id: str) -> str:
    """Opus <-> Sonnet, the one-key switch; anything else goes to Opus."""
    return ALIASES["sonnet"] if family_of(model_id) == "opus" else ALIASES["opus"]
