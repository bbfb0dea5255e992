"""The TUI form of `segue` on the command line: options before or after the folder, usage lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import tui.launch
from tui.cli import main


@pytest.fixture
def launches(monkeypatch) -> list[tuple[Path, dict]]:
    """Calls that would have started the TUI, in place of running it."""
    calls: list[tuple[Path, dict]] = []
    monkeypatch.setattr(tui.launch, "run_app", lambda project, **options: calls.append((project, options)) or 0)
    return calls


@pytest.mark.parametrize(
    "args",
    [["DIR", "--new", "--demo"], ["--new", "DIR", "--demo"], ["--demo", "--new", "DIR"], ["DIR", "--engine", "api", "--new", "--demo"]],
)
def test_options_work_before_or_after_the_folder(tmp_path, launches, args):
    project = tmp_path / "shop"
    project.mkdir()
    result = CliRunner().invoke(main, [str(project) if arg == "DIR" else arg for arg in args])
    assert result.exit_code == 0, result.output
    engine = "api" if "--engine" in args else None
    assert launches == [(project.resolve(), {"demo": True, "new_session": True, "engine": engine})]


def test_a_subcommand_is_still_a_subcommand(tmp_path, launches, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["advise", "--json", "Rename a variable"])
    assert result.exit_code == 0, result.output
    assert '"model"' in result.output and launches == []


def test_an_unknown_option_after_the_folder_is_named(tmp_path, launches):
    result = CliRunner().invoke(main, [str(tmp_path), "--nope"])
    assert result.exit_code == 2 and "No such option '--nope'" in result.output and launches == []


def test_usage_lines_read_as_the_two_forms():
    result = CliRunner().invoke(main, ["--help"], prog_name="segue")
    lines = result.output.splitlines()
    assert lines[0] == "Usage: segue [OPTIONS] [PROJECT_DIR]"
    assert lines[1].strip() == "or: segue COMMAND [ARGS]..."
    ask = CliRunner().invoke(main, ["ask", "--help"], prog_name="segue")
    assert ask.output.startswith("Usage: segue ask [OPTIONS] PROMPT")
    assert "PROJECT_DIR" not in ask.output
