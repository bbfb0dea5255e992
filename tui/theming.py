"""The App base every Segue app (and each test host) starts from: Segue's themes registered."""

from __future__ import annotations

from textual.app import App

from themes import THEMES, variable_defaults


class ThemedApp(App):
    """An App with Segue's themes registered and its colour variables defined.

    SegueApp and the small host apps in tests and benchmarks start from here.
    """

    def __init__(self, *args, theme: str = "segue-dark", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for segue_theme in THEMES:
            self.register_theme(segue_theme)
        self.theme = theme if theme in self.available_themes else "segue-dark"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **variable_defaults()}
