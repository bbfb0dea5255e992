"""F2: pick any model from the catalog for the focused pane, with its prices per million tokens."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core import models, pricing


async def fetch_catalog(client: Any) -> list[str]:
    """Model ids from the API's /v1/models; the SDK's known ids when it cannot answer."""
    try:
        page = await client.models.list(limit=100)
        ids = [model.id for model in page.data]
    except Exception:  # noqa: BLE001 - any failure falls back to the known list
        ids = []
    return ids or list(models.KNOWN_MODEL_IDS)


def describe(model_id: str) -> str:
    prices = pricing.unit_prices(model_id)
    info = models.info(model_id)
    if prices is None:
        price = "price unknown"
    else:
        price = f"${float(prices.input):g} in · ${float(prices.output):g} out per MTok"
    return f"{info.name:<12} {model_id:<28} {price} · {info.context_window // 1000}k context"


class ModelPicker(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ModelPicker { align: center middle; }
    ModelPicker > Vertical { width: 96; max-width: 95%; height: auto; max-height: 80%; border: round $primary; background: $surface; padding: 0 1; }
    ModelPicker #picker-title { text-style: bold; padding: 0 0 1 0; }
    ModelPicker OptionList { height: auto; max-height: 20; }
    ModelPicker #picker-note { color: $text-muted; padding: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="close_picker", tooltip="Keep the current model")]

    def __init__(self, pane_label: str, current: str, client: Any) -> None:
        super().__init__()
        self.pane_label = pane_label
        self.current = current
        self.client = client

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Model for the {self.pane_label} pane", id="picker-title")
            yield OptionList(*self._options(models.KNOWN_MODEL_IDS), id="picker-list")
            yield Static("Enter picks · Esc keeps the current model · the conversation is kept", id="picker-note")

    def _options(self, ids) -> list[Option]:
        options = []
        for model_id in ids:
            mark = "● " if model_id == self.current else "  "
            options.append(Option(mark + describe(model_id), id=model_id))
        return options

    def on_mount(self) -> None:
        self._highlight_current()
        self.query_one(OptionList).focus()
        self._load_catalog()

    def _highlight_current(self) -> None:
        option_list = self.query_one(OptionList)
        for index in range(option_list.option_count):
            if option_list.get_option_at_index(index).id == self.current:
                option_list.highlighted = index

    @work(exclusive=True, group="model-catalog")
    async def _load_catalog(self) -> None:
        ids = await fetch_catalog(self.client)
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(self._options(ids))
        self._highlight_current()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
