"""Palette commands for a pane's engine: switch between the API and Claude Code, and the visible
accept-edits toggle for the execution pane (Claude Code's print mode cannot ask before an edit)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand

from core.session import PANES

ENGINE_NAMES = {"api": "the API", "claude-code": "Claude Code"}
PANE_NAMES = {"plan": "planning", "exec": "execution"}


def switch_engine(app, pane: str, engine: str) -> None:
    """The one action behind the palette's engine commands; the conversation is kept."""
    session = app.session
    if session.panes[pane].streaming:
        app.notify("A reply is streaming here: Esc cancels it, then switch the engine.", severity="warning")
        return
    session.set_engine(pane, engine)
    app.pane(pane).refresh_engine()
    extra = " (plan mode: it reads, it does not edit)" if engine == "claude-code" and pane == "plan" else ""
    app.notify(f"The {PANE_NAMES[pane]} pane now runs on {ENGINE_NAMES[engine]}{extra}.", timeout=4)


def toggle_accept_edits(app) -> None:
    session = app.session
    session.accept_edits = not session.accept_edits
    app.pane("exec").refresh_engine()
    if session.accept_edits:
        app.notify("Claude Code may now edit files in the execution pane without asking (acceptEdits).",
                   severity="warning", timeout=6)
    else:
        app.notify("Claude Code in the execution pane follows your own permission settings again.", timeout=5)


def engine_system_commands(app) -> Iterable[SystemCommand]:
    session = app.session
    for pane in PANES:
        current = session.engines.get(pane, "api")
        target = "api" if current == "claude-code" else "claude-code"
        yield SystemCommand(
            f"Run the {PANE_NAMES[pane]} pane on {ENGINE_NAMES[target]}",
            f"Now on {ENGINE_NAMES[current]}; the conversation is kept.",
            lambda pane=pane, target=target: switch_engine(app, pane, target),
        )
    if session.accept_edits:
        yield SystemCommand(
            "Stop letting Claude Code edit files without asking",
            "Execution pane: back to your Claude Code permission settings.",
            lambda: toggle_accept_edits(app),
        )
    elif session.engines.get("exec", "api") == "claude-code":
        # Only where it means something: the API engine always asks (its approval dialog), and
        # the toggle offered there was taken and then did nothing.
        yield SystemCommand(
            "Let Claude Code edit files without asking (execution pane)",
            "Claude Code runs with --permission-mode acceptEdits; its edits show as diffs.",
            lambda: toggle_accept_edits(app),
        )
