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
        # Textual made the stylesheet with its default theme's variables and, for the theme set
        # above, queued a refresh that parses every source again. Nothing is parsed or styled
        # yet: with the right variables in now, that refresh has nothing to do (refresh_css).
        self._theme_at_start = self.theme
        self.stylesheet.set_variables(self.get_css_variables())

    def refresh_css(self, animate: bool = True) -> None:
        # Before the first screen, with the theme still the one set in __init__, a refresh would
        # parse all of Segue's CSS twice over (5 ms of the first frame) to the same result.
        if not self.screen_stack and self.theme == self._theme_at_start:
            return
        super().refresh_css(animate)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **variable_defaults()}
