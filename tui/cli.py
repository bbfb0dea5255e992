"""The `segue` command: the TUI by default, headless subcommands for scripts.

Subcommands load lazily (one module each under tui/commands/) so `segue` starts fast and
no headless command pays for Textual.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

# name -> module under tui.commands exposing a click command called `command`
SUBCOMMANDS: dict[str, str] = {
    "advise": "advise",
    "ask": "ask",
    "usage": "usage",
    "sessions": "sessions",
    "export": "sessions",
    "cost": "sessions",
    "drift": "drift",
    "simulator": "simulator",
}


class ProjectDirArgument(click.Argument):
    """PROJECT_DIR belongs to the TUI form only, so subcommand usage lines leave it out
    (`segue ask [OPTIONS] PROMPT`, not `segue [PROJECT_DIR] ask ...`)."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        return []


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The group's optional PROJECT_DIR would swallow a subcommand's name: a first
        # positional that names a subcommand is the subcommand (open a folder of that
        # name as `segue ./advise`).
        first = next((index for index, arg in enumerate(args) if not arg.startswith("-")), None)
        if first is not None and args[first] in SUBCOMMANDS:
            args = [*args[:first], ".", *args[first:]]
        elif "--" not in args:
            # The TUI form: `segue DIR --new` reads like `segue --new DIR`. A group stops
            # parsing options at its first positional (the rest would be a subcommand).
            ctx.allow_interspersed_args = True
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [PROJECT_DIR]")
        formatter.write_usage(ctx.command_path, "COMMAND [ARGS]...", prefix="   or: ")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module_name = SUBCOMMANDS.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"tui.commands.{module_name}")
        return getattr(module, f"{name}_command")


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("project_dir", cls=ProjectDirArgument, required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Run against the embedded simulator even if ANTHROPIC_API_KEY is set.")
@click.option("--new", "new_session", is_flag=True, help="Start a fresh session instead of resuming the last one.")
@click.option(
    "--engine", type=click.Choice(["api", "claude-code"]), default=None,
    help="Run both panes directly on the API or through Claude Code (the claude CLI) for this run.",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, demo: bool, new_session: bool, engine: str | None) -> None:
    """Segue: Opus plans, Sonnet executes. Opens the TUI for PROJECT_DIR (default: here)."""
    if ctx.invoked_subcommand is not None:
        return
    project = (project_dir or Path.cwd()).expanduser().resolve()
    if not project.is_dir():
        raise click.ClickException(f"{project} is not a directory.")
    from tui.launch import run_app

    sys.exit(run_app(project, demo=demo, new_session=new_session, engine=engine))


if __name__ == "__main__":
    main()
