"""The badge that says how a pane runs: "Claude Code" (with who pays, and accept-edits) or nothing for the API."""

from __future__ import annotations

from textual.widgets import Static


class EngineBadge(Static):
    DEFAULT_CSS = """
    EngineBadge { width: auto; padding: 0 1; display: none; background: $secondary; color: $background; text-style: bold; }
    EngineBadge.claude-code { display: block; }
    EngineBadge.accept-edits { background: $warning; }
    """

    def __init__(self, session, pane: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.session = session
        self.pane = pane

    def on_mount(self) -> None:
        self.refresh_label()

    def refresh_label(self) -> None:
        on_claude_code = self.session.engines.get(self.pane) == "claude-code"
        self.set_class(on_claude_code, "claude-code")
        accept = on_claude_code and self.pane == "exec" and self.session.accept_edits
        self.set_class(accept, "accept-edits")
        if not on_claude_code:
            self.update("")
            self.tooltip = None
            return
        # Only a pane on Claude Code needs these: the first frame (API panes) goes without them.
        from core.engines.claude_code_setup import BILLING_LABELS, billing

        who = billing(self.session.claude_code_endpoint)
        mode = self.session.permission_mode(self.pane) or "your Claude Code permission settings"
        label = "Claude Code"
        if who != "demo":
            label += " · key" if who == "api-key" else " · login"
        if accept:
            label += " · accept edits"
        self.update(label)
        self.tooltip = f"This pane runs through the claude CLI ({BILLING_LABELS[who]}); permission mode: {mode}. Ctrl+P switches the engine."
