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

    def __init__(self, model: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(ModelBadge.model, model)

    def on_mount(self) -> None:
        self.watch_model(self.model)

    def watch_model(self, model: str) -> None:
        family = models.family_of(model)
        for name in ("opus", "sonnet", "haiku", "other"):
            self.set_class(name == family, name)
        self.update(models.display_name(model))
        self.tooltip = f"{model} — Ctrl+T toggles Opus/Sonnet, F2 picks any model"
