"""The badge that says which model a pane talks to, in that model family's colour.

In auto mode it says AUTO and the last pick ("AUTO · Sonnet 5.5 · low"); before the first
pick, just AUTO.
"""

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
    ModelBadge.auto-idle { background: $accent; color: $background; }
    """

    model: reactive[str] = reactive("", layout=True)
    effort: reactive[str] = reactive("", layout=True)  # the level requests carry; "" when the model has none
    auto: reactive[bool] = reactive(False, layout=True)  # the pane is in auto mode
    picked: reactive[tuple[str, str]] = reactive(("", ""), layout=True)  # auto mode's last (model, effort)

    def __init__(self, model: str, effort: str = "", *, auto: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.set_reactive(ModelBadge.model, model)
        self.set_reactive(ModelBadge.effort, effort)
        self.set_reactive(ModelBadge.auto, auto)

    def on_mount(self) -> None:
        self.watch_model(self.model)

    def watch_effort(self, effort: str) -> None:
        self.watch_model(self.model)

    def watch_auto(self, auto: bool) -> None:
        self.watch_model(self.model)

    def watch_picked(self, picked: tuple[str, str]) -> None:
        self.watch_model(self.model)

    @property
    def label(self) -> str:
        """What the badge reads: "Sonnet 5.5 · medium", "AUTO", "AUTO · Opus 5.5 · xhigh"."""
        model, effort = self.picked if self.auto else (self.model, self.effort)
        name = models.display_name(model) if model else ""
        shown = f"{name} · {effort}" if name and effort else name
        if self.auto:
            return f"AUTO · {shown}" if shown else "AUTO"
        return shown

    def watch_model(self, model: str) -> None:
        shown_model = self.picked[0] if self.auto else model
        family = models.family_of(shown_model) if shown_model else ""
        for name in ("opus", "sonnet", "haiku", "other"):
            self.set_class(name == family, name)
        self.set_class(self.auto and not shown_model, "auto-idle")
        self.update(self.label)
        if self.auto:
            manual = models.display_name(model) + (f" · {self.effort}" if self.effort else "")
            self.tooltip = (
                "Auto-route: each prompt goes to the model and effort the advisor picks; "
                f"the pane's own choice ({manual}) is the cost baseline. The palette turns it off."
            )
            return
        effort_help = f"effort {self.effort} (F7 cycles)" if self.effort else "no effort levels on this model"
        self.tooltip = f"{model}, {effort_help} — Ctrl+T toggles Opus/Sonnet, F2 picks any model"
