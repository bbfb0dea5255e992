"""Command-palette provider: "Switch planning pane to …" for every model in the catalog.

Each command's help says what the switch costs when the pane holds a prompt cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from core import models
from core.panes import PANES, Pane

# The newest of each family (what "sonnet" means everywhere else) wins a tie with older ids,
# so "switch planning pane to sonnet" + Enter picks Sonnet 5.5, not Sonnet 4.5. Scores stay
# in 0..1, so older ids are scaled down rather than the newest up.
_NEWEST = frozenset(models.ALIASES.values())
_OLDER_SCALE = 0.95


class ModelCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, Any, str, str]]:
        """(text, callback, help, model id) for every pane and every model it does not use."""
        main = self._main()
        if main is None:
            return
        for pane in PANES:
            current = main.session.panes[pane].model
            for model_id in models.KNOWN_MODEL_IDS:
                if model_id == current:
                    continue
                text = f"Switch {pane.label.lower()} pane to {models.display_name(model_id)} ({model_id})"
                yield text, partial(main.switch_model, pane, model_id), self._help(main, pane, current, model_id), model_id
            yield from self._effort_commands(main, pane, current)

    def _effort_commands(self, main: Any, pane: Pane, current: str) -> Iterator[tuple[str, Any, str, str]]:
        """"Set planning pane effort to low" for each level the pane's model has (model id "" = not a switch)."""
        from tui.effort import effort_change_note, levels_for, set_effort

        now = main.session.effective_effort(pane)
        for level in levels_for(current):
            if level == now:
                continue
            text = f"Set {pane.label.lower()} pane effort to {level}"
            help_text = f"now {now} on {models.display_name(current)}. {effort_change_note(current, now, level)}"
            yield text, partial(set_effort, main, pane, level), help_text, ""

    def _main(self) -> Any:
        """The app's main screen (the one that owns the panes), whatever screen is on top."""
        from tui.screens.main_screen import MainScreen

        return next((screen for screen in self.app.screen_stack if isinstance(screen, MainScreen)), None)

    def _help(self, main: Any, pane: str, current: str, model_id: str) -> str:
        help_text = f"now {models.display_name(current)}; the conversation is kept"
        penalty = main.costs.switch_penalty_text(pane, model_id)
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
