"""Segue's themes: Textual Theme objects with one accent colour each for Opus and Sonnet."""

from __future__ import annotations

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

# For low vision and washed-out screens: pure black and white, bright saturated accents,
# every colour well above WCAG AAA contrast (7:1) against the background.
SEGUE_HIGH_CONTRAST = Theme(
    name="segue-high-contrast",
    primary="#4fc3ff",
    secondary="#ff9cf0",
    accent="#ffb86b",
    warning="#ffee00",
    error="#ff6e6e",
    success="#6dff8a",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    boost="#333333",
    dark=True,
    variables={"opus": "#ffb86b", "sonnet": "#4fc3ff", "demo": "#ffee00", "text-muted": "#d0d0d0"},
)

THEMES: tuple[Theme, ...] = (SEGUE_DARK, SEGUE_LIGHT, SEGUE_HIGH_CONTRAST)


def variable_defaults() -> dict[str, str]:
    """$opus, $sonnet and $demo for stylesheets parsed before a theme is applied."""
    return dict(SEGUE_DARK.variables)
