"""The model catalog: aliases, full ids, families and display names."""

from __future__ import annotations

from dataclasses import dataclass

from core import capabilities

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


# Known ids, newest first (the bundled capabilities table); the API's /v1/models list wins when it answers.
KNOWN_MODEL_IDS: tuple[str, ...] = tuple(caps.id for caps in capabilities.BUNDLED)

FAMILIES = ("opus", "sonnet", "haiku")


def family_of(model_id: str) -> str:
    """The model's line as the Models API (or the bundled table) reports it; "other" otherwise.

    Never guessed from the id: the API says a line is not to be inferred from it, and a model
    with no line (or one of the other lines) gets the neutral colour.
    """
    catalog = capabilities.current()
    caps = catalog.models.get(model_id) or capabilities.caps_for(model_id)
    return caps.line if caps.line in FAMILIES else "other"


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
    caps = capabilities.caps_for(model_id)
    return ModelInfo(model_id, family_of(model_id), display_name(model_id), caps.max_input_tokens)


def resolve_model(name: str) -> str:
    """An alias (opus, sonnet, haiku) or a full id -> the full id."""
    key = name.strip().lower()
    if not key:
        raise ValueError("a model name is empty")
    return ALIASES.get(key, name.strip())


def toggle_model(model_id: str) -> str:
    """Opus <-> Sonnet, the one-key switch; anything else goes to Opus."""
    return ALIASES["sonnet"] if family_of(model_id) == "opus" else ALIASES["opus"]
