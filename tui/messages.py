"""The TUI's Textual messages, named after the pipeline stage, so one user action can be followed by grep."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from core.costs.usage import TokenUsage


class PromptSubmitted(Message):
    def __init__(self, pane: str, prompt: str) -> None:
        super().__init__()
        self.pane = pane
        self.prompt = prompt


class UsageUpdated(Message):
    """Usage of the reply streaming in `pane` (live) or of a finished one (live=False)."""

    def __init__(self, pane: str, model: str, usage: TokenUsage, live: bool) -> None:
        super().__init__()
        self.pane = pane
        self.model = model
        self.usage = usage
        self.live = live


class TurnFinished(Message):
    """A turn ended; `usage` is the reply's final usage (None when it never reached the API),
    `requests` its (model, usage) per API request when a tool loop made several."""

    def __init__(
        self,
        pane: str,
        status: str,
        model: str = "",
        usage: TokenUsage | None = None,
        requests: tuple[tuple[str, TokenUsage], ...] = (),
    ) -> None:
        super().__init__()
        self.pane = pane
        self.status = status  # complete | cancelled | failed | partial
        self.model = model
        self.usage = usage
        self.requests = requests


class ModelSwitched(Message):
    def __init__(self, pane: str, old: str, new: str) -> None:
        super().__init__()
        self.pane = pane
        self.old = old
        self.new = new


class ProjectFilesChanged(Message):
    """The watcher saw CLAUDE.md or plan files change on disk."""

    def __init__(self, changes: list[Any], initial: bool = False) -> None:
        super().__init__()
        self.changes = changes
        self.initial = initial  # the files found when watching started, not edits


class ModelSwitchRequested(Message):
    """A pane asks for another model (the advisor's Ctrl+G); the main screen switches it."""

    def __init__(self, pane: str, model: str) -> None:
        super().__init__()
        self.pane = pane
        self.model = model


class CancelRequested(Message):
    """Esc in a pane with nothing streaming: cancel whichever reply is streaming."""
