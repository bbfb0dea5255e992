"""Textual messages named after the pipeline stage, so one user action can be followed by grep."""

from __future__ import annotations

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
    def __init__(self, pane: str, status: str) -> None:
        super().__init__()
        self.pane = pane
        self.status = status  # complete | cancelled | failed | partial


class ModelSwitched(Message):
    def __init__(self, pane: str, old: str, new: str) -> None:
        super().__init__()
        self.pane = pane
        self.old = old
        self.new = new
