"""Command-palette provider: "Switch planning pane to …" for every model in the catalog."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from core import models
from core.session import PANES


class ModelCommands(Provider):
    def _commands(self):
        from tui.app import pane_label

        app = self.app
        for pane in PANES:
            current = app.session.panes[pane].model
            for model_id in models.KNOWN_MODEL_IDS:
                if model_id == current:
                    continue
                text = f"Switch {pane_label(pane).lower()} pane to {models.display_name(model_id)} ({model_id})"
                yield text, partial(app.switch_model, pane, model_id), f"now {models.display_name(current)}"

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            if "(claude-opus-5-5)" in text or "(claude-sonnet-5-5)" in text:
                yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
