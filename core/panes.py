"""The two panes as one type: what each is called on screen, in sentences and in its prompt box."""

from __future__ import annotations

from enum import StrEnum


class Pane(StrEnum):
    """A pane; a str, so "plan" and Pane.PLAN are the same key in the store and in dicts."""

    PLAN = "plan"
    EXEC = "exec"

    @property
    def title(self) -> str:
        """The pane's title on screen: PLAN, EXECUTE."""
        return "PLAN" if self is Pane.PLAN else "EXECUTE"

    @property
    def label(self) -> str:
        """The pane in a sentence: "Planning" pane, "Execution" pane."""
        return "Planning" if self is Pane.PLAN else "Execution"

    @property
    def verb(self) -> str:
        """What the pane asks its model to do: "Ask Opus to plan…"."""
        return "plan" if self is Pane.PLAN else "implement"

    @classmethod
    def from_label(cls, text: str) -> Pane | None:
        """A pane from its id or its label in any case ("exec", "Execution"); None if neither."""
        lowered = text.strip().lower()
        return next((pane for pane in cls if lowered in (pane.value, pane.label.lower())), None)


PANES: tuple[Pane, ...] = tuple(Pane)
