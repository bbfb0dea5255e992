"""F2: pick any model from the catalog for the focused pane, with prices and what the switch costs.

Each model shows its prices per million tokens and its context size; when the pane holds a
prompt cache, each other model also shows the estimated extra cost of the next message after
switching to it (the cache belongs to a model, so a switch writes the prefix again).
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core import models
from core.costs import pricing
from core.costs.cache_accounting import switch_penalty_text
from core.panes import Pane

async def fetch_catalog(endpoint: Any) -> list[str]:
    """Model ids from the endpoint's /v1/models; the known ids when it cannot answer."""
    from core import capabilities

    try:
        ids = (await capabilities.fetch(endpoint, remember=False)).ids
    except Exception:  # noqa: BLE001 - any failure falls back to the known list
        ids = []
    return ids or list(models.KNOWN_MODEL_IDS)


def _window(tokens: int) -> str:
    """1_000_000 -> '1M', 200_000 -> '200k' (max_input_tokens from the Models API)."""
    return f"{tokens // 1_000_000}M" if tokens % 1_000_000 == 0 else f"{tokens // 1000}k"


def describe(model_id: str) -> str:
    prices = pricing.unit_prices(model_id)
    info = models.info(model_id)
    if prices is None:
        price = "price unknown"
    else:
        price = f"${float(prices.input):g}/${float(prices.output):g} per MTok in/out"
    # One line at 80 columns: a row that wraps reads as two models.
    return f"{info.name:<11} {model_id:<20} {price} · {_window(info.context_window)}"


def penalty_note(cached_prefix_tokens: int, current: str, model_id: str) -> str | None:
    """The one cache-loss sentence (core.costs.cache_accounting), or None when nothing cached is lost."""
    return switch_penalty_text(cached_prefix_tokens, current, model_id)


class ModelPicker(ModalScreen[str | None]):
    """Dismisses with the picked model id, or None to keep the current one.

    `cached_prefix_tokens`: the pane's prompt cache on `current` (0: none).
    """

    CSS_PATH = "model_picker.tcss"
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="close_picker", tooltip="Keep the current model")]

    def __init__(self, pane: str, current: str, endpoint: Any, *, cached_prefix_tokens: int = 0) -> None:
        super().__init__()
        self.pane = Pane.from_label(pane) or Pane.PLAN
        self.current = current
        self.endpoint = endpoint
        self.cached_prefix_tokens = cached_prefix_tokens
        self.ids: list[str] = list(models.KNOWN_MODEL_IDS)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(f"Model for the {self.pane.label.lower()} pane", id="picker-title")
            yield OptionList(*self._options(self.ids), id="picker-list")
            yield Static(self._note(), id="picker-note")

    def _note(self) -> str:
        keys = "Enter picks · Esc keeps the current model · the conversation is kept"
        if not self.cached_prefix_tokens:
            return keys
        tokens = pricing.format_tokens(self.cached_prefix_tokens)
        return (
            f"This pane has a {tokens}-token prompt cache on {models.display_name(self.current)}; "
            f"another model starts without it.\n{keys}"
        )

    def penalty(self, model_id: str) -> str | None:
        """The switch-cost line shown under `model_id`, if any."""
        return penalty_note(self.cached_prefix_tokens or 0, self.current, model_id)

    def _options(self, ids) -> list[Option]:
        options = []
        for model_id in ids:
            mark = "● " if model_id == self.current else "  "
            family = models.family_of(model_id)
            colour = f"${family}" if family in ("opus", "sonnet") else "bold"
            line = Content.from_markup(f"[{colour}]$mark$name[/]", mark=mark, name=describe(model_id))
            note = self.penalty(model_id)
            if note:
                line = Content.assemble(line, "\n", Content.from_markup("    [$warning]$note[/]", note=note))
            options.append(Option(line, id=model_id))
        return options

    def on_mount(self) -> None:
        self._highlight_current()
        self.query_one(OptionList).focus()
        self._load_catalog()

    def _highlight_current(self, model_id: str | None = None) -> None:
        option_list = self.query_one(OptionList)
        for index in range(option_list.option_count):
            if option_list.get_option_at_index(index).id == (model_id or self.current):
                option_list.highlighted = index

    @work(exclusive=True, group="model-catalog")
    async def _load_catalog(self) -> None:
        ids = await fetch_catalog(self.endpoint)
        if ids == self.ids:
            return
        self.ids = ids
        option_list = self.query_one(OptionList)
        # Keep the user's place if they moved before the catalog arrived.
        highlighted = option_list.highlighted_option.id if option_list.highlighted_option else None
        option_list.clear_options()
        option_list.add_options(self._options(ids))
        self._highlight_current(highlighted if highlighted in ids else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
