"""What a first demo session shows in its empty planning pane: three prompts worth trying."""

from __future__ import annotations

from textual.widgets import Static

# (pane, prompt, what it shows). The third trips the "Opus for a trivial task" guard rail.
DEMO_PROMPTS: tuple[tuple[str, str, str], ...] = (
    ("plan", "Plan an authentication system for a small web shop", "Opus plans; Ctrl+S saves it, Ctrl+O hands it over"),
    ("exec", "Implement a CSV export of orders in shop/export.py", "Sonnet writes the code"),
    ("plan", "Fix the typo 'recieve' in README.md", "trips a guard rail: Opus for a typo"),
)


class TryPrompts(Static):
    """Shown until the first prompt is sent; demo mode only (a real key costs real money).

    Short enough for an 80x24 terminal's planning pane: one line per prompt.
    """

    DEFAULT_CSS = """
    TryPrompts { color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        lines = ["[b]Demo mode, nothing is billed. Prompts to try:[/b]"]
        for number, (pane, prompt, shows) in enumerate(DEMO_PROMPTS, start=1):
            where = "" if pane == "plan" else "Tab, then "
            colour = "$opus" if pane == "plan" else "$sonnet"
            lines.append(f"{number}. {where}[{colour}]{prompt}[/] [dim]({shows})[/]")
        super().__init__("\n".join(lines), id="try-prompts", markup=True)
