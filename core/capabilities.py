"""What each model accepts: the Models API's capabilities, cached on disk, with a bundled fallback.

One table serves three readers: request building (core/engines/api.py), the simulator's
validation and its GET /v1/models, and the pickers. The Models API reports thinking types,
effort levels, token limits, line and lifecycle; any field may be missing, so each missing
field falls back to the bundled row. Prefill and sampling rules are not in the capabilities:
they come from a Segue-side table by model generation, and a model Segue does not know never
gets a prefill.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EFFORT_LEVELS: tuple[str, ...] = ("low", "medium", "high", "xhigh", "max")
THINKING_TYPES: tuple[str, ...] = ("adaptive", "enabled", "disabled", "between_tools")
REFRESH_AFTER = timedelta(hours=24)
CACHE_FILE = "model_capabilities.json"
MIN_THINKING_BUDGET = 1024  # the API's floor for thinking.budget_tokens


@dataclass(frozen=True)
class ModelCaps:
    id: str
    display_name: str
    line: str | None  # opus | sonnet | haiku | fable | mythos | None: never guessed from the id
    max_input_tokens: int
    max_tokens: int
    thinking_types: frozenset[str]
    efforts: tuple[str, ...]  # the effort levels the model takes, low to max; () = no effort parameter
    lifecycle: str = "active"
    # Segue-side, by generation (not in the Models API):
    prefill: bool = False  # a trailing assistant turn is accepted
    sampling: bool = False  # non-default temperature/top_p/top_k are accepted

    @property
    def adaptive(self) -> bool:
        return "adaptive" in self.thinking_types

    @property
    def budget_thinking(self) -> bool:
        return "enabled" in self.thinking_types

    def nearest_effort(self, wanted: str) -> str | None:
        """`wanted` if the model has it, else the closest level below (then above); None: no effort."""
        if not self.efforts:
            return None
        if wanted in self.efforts:
            return wanted
        rank = EFFORT_LEVELS.index(wanted) if wanted in EFFORT_LEVELS else EFFORT_LEVELS.index("high")
        below = [level for level in self.efforts if EFFORT_LEVELS.index(level) < rank]
        return below[-1] if below else self.efforts[0]


_ALL = EFFORT_LEVELS
_NO_XHIGH = ("low", "medium", "high", "max")
_ADAPTIVE_ONLY = frozenset({"adaptive", "between_tools"})
_BOTH = frozenset({"adaptive", "enabled", "disabled", "between_tools"})
_BUDGET = frozenset({"enabled", "disabled"})


def _caps(model_id: str, name: str, line: str | None, max_in: int, max_out: int, thinking: frozenset[str],
          efforts: tuple[str, ...], *, prefill: bool = False, sampling: bool = False) -> ModelCaps:
    return ModelCaps(model_id, name, line, max_in, max_out, thinking, efforts, "active", prefill, sampling)


# The bundled table, newest first: offline start, missing fields, and the simulator's truth.
BUNDLED: tuple[ModelCaps, ...] = (
    _caps("claude-opus-5-5", "Claude Opus 5.5", "opus", 1_000_000, 128_000, _ADAPTIVE_ONLY, _ALL),
    _caps("claude-sonnet-5-5", "Claude Sonnet 5.5", "sonnet", 1_000_000, 128_000, _ADAPTIVE_ONLY, _ALL),
    _caps("claude-haiku-5-5", "Claude Haiku 5.5", "haiku", 1_000_000, 128_000, _ADAPTIVE_ONLY, ("low", "medium", "high")),
    _caps("claude-opus-5", "Claude Opus 5", "opus", 1_000_000, 128_000, _ADAPTIVE_ONLY, _ALL),
    _caps("claude-sonnet-5", "Claude Sonnet 5", "sonnet", 1_000_000, 64_000, _ADAPTIVE_ONLY, _NO_XHIGH),
    _caps("claude-opus-4-8", "Claude Opus 4.8", "opus", 1_000_000, 128_000, _ADAPTIVE_ONLY, _ALL),
    _caps("claude-opus-4-7", "Claude Opus 4.7", "opus", 1_000_000, 128_000, _ADAPTIVE_ONLY, _ALL),
    _caps("claude-opus-4-6", "Claude Opus 4.6", "opus", 200_000, 128_000, _BOTH, _NO_XHIGH, sampling=True),
    _caps("claude-sonnet-4-6", "Claude Sonnet 4.6", "sonnet", 200_000, 64_000, _BOTH, _NO_XHIGH, sampling=True),
    _caps("claude-opus-4-5", "Claude Opus 4.5", "opus", 200_000, 64_000, _BUDGET, ("low", "medium", "high"),
          prefill=True, sampling=True),
    _caps("claude-sonnet-4-5", "Claude Sonnet 4.5", "sonnet", 200_000, 64_000, _BUDGET, (), prefill=True, sampling=True),
    _caps("claude-haiku-4-5", "Claude Haiku 4.5", "haiku", 200_000, 64_000, _BUDGET, (), prefill=True, sampling=True),
)
_BUNDLED_BY_ID = {caps.id: caps for caps in BUNDLED}

# A model neither the API nor the bundled table describes: the most cautious request.
_UNKNOWN = ModelCaps("", "", None, 200_000, 16_000, frozenset(), ())


# -- the API's JSON, both ways ------------------------------------------------------------------


def _supported(value: Any) -> bool | None:
    if isinstance(value, dict):
        value = value.get("supported")
    return value if isinstance(value, bool) else None


def from_api(data: dict[str, Any]) -> ModelCaps:
    """A Models-API model object (dict) -> ModelCaps; each missing field from the bundled row."""
    model_id = str(data.get("id", ""))
    base = _BUNDLED_BY_ID.get(model_id, replace(_UNKNOWN, id=model_id, display_name=model_id))
    values: dict[str, Any] = {}
    if isinstance(data.get("display_name"), str):
        values["display_name"] = data["display_name"]
    if "line" in data and (data["line"] is None or isinstance(data["line"], str)):
        values["line"] = data["line"]
    for name in ("max_input_tokens", "max_tokens"):
        if isinstance(data.get(name), int) and data[name] > 0:
            values[name] = data[name]
    if isinstance(data.get("lifecycle"), str):
        values["lifecycle"] = data["lifecycle"]
    capabilities = data.get("capabilities")
    if isinstance(capabilities, dict):
        thinking = capabilities.get("thinking")
        types = thinking.get("types") if isinstance(thinking, dict) else None
        if isinstance(types, dict):
            kept = set(base.thinking_types)
            for name in THINKING_TYPES:
                flag = _supported(types.get(name))
                if flag is True:
                    kept.add(name)
                elif flag is False:
                    kept.discard(name)
            values["thinking_types"] = frozenset(kept)
        elif isinstance(thinking, dict) and _supported(thinking) is False:
            values["thinking_types"] = frozenset()
        effort = capabilities.get("effort")
        if isinstance(effort, dict):
            if _supported(effort) is False:
                values["efforts"] = ()
            else:
                levels = []
                for level in EFFORT_LEVELS:
                    flag = _supported(effort.get(level))
                    if flag is True or (flag is None and level in base.efforts):
                        levels.append(level)
                values["efforts"] = tuple(levels)
    return replace(base, **values)


def to_api(caps: ModelCaps, created_at: str) -> dict[str, Any]:
    """The Models API's JSON for `caps` (what the simulator serves)."""

    def flag(value: bool) -> dict[str, bool]:
        return {"supported": value}

    effort = {level: flag(level in caps.efforts) for level in EFFORT_LEVELS}
    return {
        "type": "model",
        "id": caps.id,
        "display_name": caps.display_name,
        "created_at": created_at,
        "lifecycle": caps.lifecycle,
        "line": caps.line,
        "max_input_tokens": caps.max_input_tokens,
        "max_tokens": caps.max_tokens,
        "capabilities": {
            "thinking": {
                "supported": bool(caps.thinking_types - {"disabled"}),
                "types": {name: flag(name in caps.thinking_types) for name in THINKING_TYPES},
            },
            "effort": {"supported": bool(caps.efforts), **effort},
        },
    }


# -- the catalog in use -------------------------------------------------------------------------


@dataclass
class Catalog:
    """The models the endpoint offers. `fresh`: the list came from the Models API just now or recently."""

    models: dict[str, ModelCaps] = field(default_factory=lambda: dict(_BUNDLED_BY_ID))
    fresh: bool = False
    fetched_at: datetime | None = None

    def get(self, model_id: str) -> ModelCaps:
        known = self.models.get(model_id) or _BUNDLED_BY_ID.get(model_id)
        return known or replace(_UNKNOWN, id=model_id, display_name=model_id)

    def knows(self, model_id: str) -> bool:
        return model_id in self.models

    @property
    def ids(self) -> list[str]:
        return list(self.models)


_current = Catalog()


def current() -> Catalog:
    return _current


def use(catalog: Catalog) -> None:
    global _current
    _current = catalog


def caps_for(model_id: str) -> ModelCaps:
    return _current.get(model_id)


# -- the disk cache, keyed by base URL ---------------------------------------------------------


def _cache_path() -> Path:
    from core import paths

    return paths.data_dir() / CACHE_FILE


def _key(base_url: str | None) -> str:
    return (base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com").rstrip("/")


def _read_cache() -> dict[str, Any]:
    try:
        import json  # not a first-frame import: the cache is read after it

        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def cached(base_url: str | None, *, now: datetime | None = None) -> Catalog | None:
    """The catalog fetched earlier from this base URL, or None; `fresh` while under REFRESH_AFTER old."""
    entry = _read_cache().get(_key(base_url))
    if not isinstance(entry, dict) or not isinstance(entry.get("models"), list):
        return None
    try:
        fetched_at = datetime.fromisoformat(entry["fetched_at"])
    except (KeyError, TypeError, ValueError):
        return None
    now = now or datetime.now(timezone.utc)
    models = {caps.id: caps for caps in (from_api(m) for m in entry["models"] if isinstance(m, dict)) if caps.id}
    if not models:
        return None
    return Catalog(models, fresh=now - fetched_at < REFRESH_AFTER, fetched_at=fetched_at)


def save(base_url: str | None, raw_models: list[dict[str, Any]], *, now: datetime | None = None) -> None:
    import json

    from core.atomic_write import write_atomic

    data = _read_cache()
    data[_key(base_url)] = {"fetched_at": (now or datetime.now(timezone.utc)).isoformat(), "models": raw_models}
    try:
        # Segue's own file (no user edits to protect): written whole, atomically.
        write_atomic(_cache_path(), json.dumps(data, indent=1), expected=None)
    except OSError as error:  # a read-only data dir costs a refetch next start, nothing more
        log.warning("could not cache model capabilities: %s", error)


async def fetch(endpoint: Any, *, now: datetime | None = None, remember: bool = True) -> Catalog:
    """The Models API's list (all pages), saved to the disk cache if `remember`; raises on failure.

    `endpoint`: a core.engines.client.Endpoint. The request is the SDK's, made without the SDK
    (client.list_models, in a thread): importing it for a list of JSON objects would hold the
    catalog back most of a second at start-up.
    """
    import asyncio

    from core.engines.client import list_models

    raw = await asyncio.to_thread(list_models, endpoint)
    if remember:
        save(endpoint.base_url, raw, now=now)
    now = now or datetime.now(timezone.utc)
    return Catalog({caps.id: caps for caps in map(from_api, raw) if caps.id}, fresh=True, fetched_at=now)


async def load(endpoint: Any, *, refresh: bool = False, remember: bool = True) -> Catalog:
    """The catalog to use: a fresh disk copy, else the Models API, else a stale copy, else bundled.

    `remember=False` (the demo simulator on a throwaway port) neither reads nor writes the disk cache.
    """
    disk = cached(endpoint.base_url) if remember else None
    if disk is not None and disk.fresh and not refresh:
        return disk
    try:
        return await fetch(endpoint, remember=remember)
    except Exception as error:  # noqa: BLE001 - offline start must still work
        log.info("model list unavailable (%s); using the %s table", error, "cached" if disk else "bundled")
        if disk is not None:
            disk.fresh = False
            return disk
        return Catalog()
