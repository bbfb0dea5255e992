"""User settings: a TOML file under the config dir, with SEGUE_* environment overrides.

The API key is never a setting: it comes from the environment only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from core import paths
from core.capabilities import EFFORT_LEVELS
from core.models import DEFAULT_EXEC_MODEL, DEFAULT_PLAN_MODEL, resolve_model


@dataclass(frozen=True)
class Settings:
    plan_model: str = DEFAULT_PLAN_MODEL
    exec_model: str = DEFAULT_EXEC_MODEL
    # The model the all-Opus counterfactual is priced at.
    opus_model: str = DEFAULT_PLAN_MODEL
    max_tokens: int = 16_000
    thinking_budget: int = 4_000
    plan_thinking: bool = True
    # How hard each pane's model works (output_config.effort): low, medium, high, xhigh, max.
    # A level the pane's model lacks goes to the nearest one it has.
    plan_effort: str = "high"
    exec_effort: str = "medium"
    # Budgets in dollars; 0 means none.
    session_budget_usd: float = 0.0
    daily_budget_usd: float = 0.0
    budget_warn_fraction: float = 0.8
    plan_pattern: str = "*_PLAN.md"
    theme: str = "segue-dark"
    # How each pane runs its turns: "api" (direct, streaming) or "claude-code" (the claude CLI).
    plan_engine: str = "api"
    exec_engine: str = "api"
    # Ask Haiku to confirm drift the local check flagged (costs a small request per flagged reply).
    drift_second_opinion: bool = False
    # Auto mode (opt-in per pane): each prompt goes to the model and effort the advisor picks.
    # The panes it starts on ("plan", "exec"); the palette turns it on and off while running.
    auto_route: tuple[str, ...] = field(default_factory=tuple)
    # Ask before an auto pick projected to cost more than this many times the pane's own choice.
    auto_confirm_factor: float = 2.0
    # Offer the panes the text editor tool (exec: edits after approval; plan: view only).
    tools: bool = True
    # Commands the execution pane's bash tool may run (exact match, each approved); empty: no bash tool.
    allowed_commands: tuple[str, ...] = field(default_factory=tuple)
    # Guard rails that the user silenced, by name.
    silenced_guards: tuple[str, ...] = field(default_factory=tuple)
    # The user's keymap: binding id -> keys ("f10" or "ctrl+k,f10"); the [keys] table.
    keys: dict[str, str] = field(default_factory=dict, hash=False)
    problems: tuple[str, ...] = field(default_factory=tuple, compare=False)


ENGINES = ("api", "claude-code")

_ENV = {
    "plan_model": "SEGUE_PLAN_MODEL",
    "exec_model": "SEGUE_EXEC_MODEL",
    "opus_model": "SEGUE_OPUS_MODEL",
    "session_budget_usd": "SEGUE_SESSION_BUDGET",
    "daily_budget_usd": "SEGUE_DAILY_BUDGET",
    "theme": "SEGUE_THEME",
    "plan_effort": "SEGUE_PLAN_EFFORT",
    "exec_effort": "SEGUE_EXEC_EFFORT",
    "plan_engine": "SEGUE_PLAN_ENGINE",
    "exec_engine": "SEGUE_EXEC_ENGINE",
    "drift_second_opinion": "SEGUE_DRIFT_SECOND_OPINION",
    "auto_route": "SEGUE_AUTO_ROUTE",
    "auto_confirm_factor": "SEGUE_AUTO_CONFIRM_FACTOR",
    "tools": "SEGUE_TOOLS",
}


def _coerce(name: str, value: object, default: object) -> object:
    if isinstance(default, bool):
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if isinstance(default, int):
        return int(value)  # type: ignore[arg-type]
    if isinstance(default, float):
        return float(value)  # type: ignore[arg-type]
    if isinstance(default, dict):
        if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
            raise ValueError(value)
        return {str(k): v.strip() for k, v in value.items()}
    if isinstance(default, tuple):
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return tuple(str(v) for v in value)  # type: ignore[union-attr]
    if name.endswith("_model"):
        return resolve_model(str(value))
    return str(value)


def _read_settings_text(path: Path) -> str:
    from core.regular_files import open_regular

    # open_regular, not read_text: a settings.toml that is a FIFO must not hang start-up.
    with open_regular(path) as handle:
        return handle.read().decode("utf-8")


def _parse_toml(text: str) -> dict:
    import tomllib  # only when there is a file: without one, start-up is 1.5 ms quicker

    return tomllib.loads(text)


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Settings from the TOML file then the environment; a bad value is reported, not fatal."""
    environ = os.environ if environ is None else environ
    path = paths.settings_path() if path is None else path
    defaults = Settings()
    values: dict[str, object] = {}
    problems: list[str] = []
    try:
        raw = _parse_toml(_read_settings_text(path)) if path.exists() else {}
    except (OSError, UnicodeDecodeError, ValueError) as error:  # TOMLDecodeError is a ValueError
        problems.append(f"{path}: could not read settings ({error}); using defaults")
        raw = {}
    known = {f.name for f in fields(Settings)} - {"problems"}
    for name, value in raw.items():
        if name not in known:
            problems.append(f"{path}: unknown setting {name!r} ignored")
            continue
        try:
            values[name] = _coerce(name, value, getattr(defaults, name))
        except (TypeError, ValueError):
            problems.append(f"{path}: setting {name!r} has a bad value {value!r}")
    for name, variable in _ENV.items():
        if variable in environ:
            try:
                values[name] = _coerce(name, environ[variable], getattr(defaults, name))
            except (TypeError, ValueError):
                problems.append(f"{variable} has a bad value {environ[variable]!r}")
    for name in ("plan_engine", "exec_engine"):
        if values.get(name, "api") not in ENGINES:
            problems.append(f"setting {name!r} must be \"api\" or \"claude-code\"; using \"api\"")
            values[name] = "api"
    for name in ("plan_effort", "exec_effort"):
        value = str(values.get(name, getattr(defaults, name))).strip().lower()
        if value not in EFFORT_LEVELS:
            problems.append(f"setting {name!r} must be one of {', '.join(EFFORT_LEVELS)}; using {getattr(defaults, name)!r}")
            value = getattr(defaults, name)
        values[name] = value
    _check_auto_route(values, problems)
    return replace(defaults, **values, problems=tuple(problems))


def _check_auto_route(values: dict[str, object], problems: list[str]) -> None:
    """Pane names as "plan"/"exec" (labels such as "execution" accepted); a factor of at least 1."""
    from core.panes import Pane

    panes: list[str] = []
    for name in values.get("auto_route", ()):  # type: ignore[union-attr]
        pane = Pane.from_label(str(name)) or (Pane.EXEC if str(name).strip().lower() == "execute" else None)
        if pane is None:
            problems.append(f"setting 'auto_route' names an unknown pane {name!r}; expected \"plan\" or \"exec\"")
        elif pane.value not in panes:
            panes.append(pane.value)
    if "auto_route" in values:
        values["auto_route"] = tuple(panes)
    factor = values.get("auto_confirm_factor")
    if factor is not None and not (isinstance(factor, float) and factor >= 1.0):
        problems.append("setting 'auto_confirm_factor' must be a number of at least 1; using 2.0")
        values["auto_confirm_factor"] = 2.0
