"""What every engine is to a Session: a name, one turn as a stream of events, and a close.

The API engine (core.engines.api.ApiEngine) and the Claude Code engine
(core.engines.claude_code.ClaudeCodeEngine) both implement it; the session asks
`engine_for(pane)` and never switches on which one it got. Both word failures through
core.engines.errors and estimate live output through core.engines.estimates.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from core.events import TurnEvent

if TYPE_CHECKING:
    from core.engines.api import TurnRequest


@runtime_checkable
class Engine(Protocol):
    name: str  # "api" | "claude-code", as in settings and `--engine`

    def turn(self, request: TurnRequest, cancel: asyncio.Event) -> AsyncIterator[TurnEvent]:
        """One reply: TurnStarted is the session's; this yields deltas, usage, retries, then TurnDone/TurnFailed."""
        ...

    async def aclose(self) -> None:
        """Free what the engine holds (a running process); the session calls it once, at its end."""
        ...
