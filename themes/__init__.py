"""Segue's themes: Textual Theme objects with one accent colour each for Opus and Sonnet."""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

OPUS = "#d97757"  # Anthropic's clay: the planner
SONNET = "#6a9bcc"  # a calm blue: the executor

SEGUE_DARK = Theme(
    name="segue-dark",
    primary="#6a9bcc",
    secondary="#b48ead",
    accent="#d97757",
    warning="#ebcb8b",
    error="#e06c75",
    success="#98c379",
    foreground="#e6e1dc",
    background="#1d1f21",
    surface="#25282b",
    panel="#2f3337",
    dark=True,
    variables={"opus": OPUS, "sonnet": SONNET, "demo": "#ebcb8b"},
)

SEGUE_LIGHT = Theme(
    name="segue-light",
    primary="#2f6da3",
    secondary="#8a5a83",
    accent="#b8532f",
    warning="#a36b00",
    error="#b3261e",
    success="#2e7d32",
    foreground="#1d1f21",
    background="#faf9f6",
    surface="#f0eeea",
    panel="#e4e1dc",
    dark=False,
    variables={"opus": "#b8532f", "sonnet": "#2f6da3", "demo": "#a36b00"},
)

THEMES: tuple[Theme, ...] = (SEGUE_DARK, SEGUE_LIGHT)


def variable_defaults() -> dict[str, str]:
    """$opus, $sonnet and $demo for stylesheets parsed before a theme is applied."""
    return dict(SEGUE_DARK.variables)


class ThemedApp(App):
    """An App with Segue's themes registered and its colour variables defined.

    SegueApp and the small host apps in tests both start from here.
    """

    def __init__(self, *args, theme: str = "segue-dark", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for segue_theme in THEMES:
            self.register_theme(segue_theme)
        self.theme = theme if theme in self.available_themes else "segue-dark"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **variable_defaults()}
