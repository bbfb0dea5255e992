"""The badge that says which model a pane talks to, in that model family's colour."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from core import models


class ModelBadge(Static):
    DEFAULT_CSS = """
    ModelBadge { width: auto; padding: 0 1; text-style: bold; }
    ModelBadge.opus { background: $opus; color: $background; }
    ModelBadge.sonnet { background: $sonnet; color: $background; }
    ModelBadge.haiku { background: $secondary; color: $background; }
    ModelBadge.other { background: $panel; color: $foreground; }
    """

    model: reactive[str] = reactive("", layout=True)
    effort: reactive[str] = reactive("", layout=True)  # the level requests carry; "" when the model has none

    def __init__(self, model: str, effort: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(ModelBadge.model, model)
        self.set_reactive(ModelBadge.effort, effort)

    def on_mount(self) -> None:
        self.watch_model(self.model)

    def watch_effort(self, effort: str) -> None:
        self.watch_model(self.model)

    def watch_model(self, model: str) -> None:
        family = models.family_of(model)
        for name in ("opus", "sonnet", "haiku", "other"):
            self.set_class(name == family, name)
        name = models.display_name(model)
        self.update(f"{name} · {self.effort}" if self.effort else name)
        effort_help = f"effort {self.effort} (F7 cycles)" if self.effort else "no effort levels on this model"
        self.tooltip = f"{model}, {effort_help} — Ctrl+T toggles Opus/Sonnet, F2 picks any model"
