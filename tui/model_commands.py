"""Command-palette provider: "Switch planning pane to …" for every model in the catalog.

Each command's help says what the switch costs when the pane holds a prompt cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from core import models
from core.session import PANES

# The newest of each family (what "sonnet" means everywhere else) wins a tie with older ids,
# so "switch planning pane to sonnet" + Enter picks Sonnet 5.5, not Sonnet 4.5. Scores stay
# in 0..1, so older ids are scaled down rather than the newest up.
_NEWEST = frozenset(models.ALIASES.values())
_OLDER_SCALE = 0.95


class ModelCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, Any, str, str]]:
        """(text, callback, help, model id) for every pane and every model it does not use."""
        from tui.app import pane_label

        app = self.app
        for pane in PANES:
            current = app.session.panes[pane].model
            for model_id in models.KNOWN_MODEL_IDS:
                if model_id == current:
                    continue
                text = f"Switch {pane_label(pane).lower()} pane to {models.display_name(model_id)} ({model_id})"
                yield text, partial(app.switch_model, pane, model_id), self._help(pane, current, model_id), model_id
            yield from self._effort_commands(pane, current)

    def _effort_commands(self, pane: str, current: str) -> Iterator[tuple[str, Any, str, str]]:
        """"Set planning pane effort to low" for each level the pane's model has (model id "" = not a switch)."""
        from tui.app import pane_label
        from tui.effort import effort_change_note, levels_for, set_effort

        now = self.app.session.effective_effort(pane)
        for level in levels_for(current):
            if level == now:
                continue
            text = f"Set {pane_label(pane).lower()} pane effort to {level}"
            help_text = f"now {now} on {models.display_name(current)}. {effort_change_note(current, now, level)}"
            yield text, partial(set_effort, self.app, pane, level), help_text, ""

    def _help(self, pane: str, current: str, model_id: str) -> str:
        help_text = f"now {models.display_name(current)}; the conversation is kept"
        penalty_for = getattr(self.app, "switch_penalty_text", None)
        penalty = penalty_for(pane, model_id) if penalty_for is not None else None
        return f"{help_text}. {penalty}" if penalty else help_text

    async def discover(self) -> Hits:
        for text, callback, help_text, model_id in self._commands():
            if model_id in (models.ALIASES["opus"], models.ALIASES["sonnet"]):
                yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text, model_id in self._commands():
            score = matcher.match(text)
            if score > 0:
                if model_id not in _NEWEST:
                    score *= _OLDER_SCALE
                yield Hit(score, matcher.highlight(text), callback, text=text, help=help_text)
