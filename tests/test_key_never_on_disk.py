"""The API key never reaches disk: a real run of everything that writes, then grep every file.

A unique fake key goes through the SDK's own environment to a simulator started here (real
mode, not demo), which is made to record the auth header so the test can prove the key was
in use. Then: `segue ask` as a process (text, JSON, a refused key, the SDK's debug log on),
a TUI session in Pilot logging to Segue's log file (and everything, at DEBUG, to another), a saved plan and a
screenshot, `segue export` (both formats), `segue sessions --json` and `segue cost --json`
redirected into files. Every file under SEGUE_HOME and the project must be free of the key
and of the request headers the SDK sent.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import core.simulator.server as simulator_server
from core import paths
from core.engines.client import real_endpoint
from core.settings import Settings
from core.simulator import Simulator
from tui.launch import build_app

SEGUE = Path(sys.executable).with_name("segue")


@pytest.fixture
def key() -> str:
    return "sk-ant-api03-" + secrets.token_hex(24) + "-NEVERONDISK"


@pytest.fixture
def recording_simulator(monkeypatch):
    # The simulator normally drops auth headers from what it records; here we want them,
    # to prove every request carried the key.
    monkeypatch.setattr(simulator_server, "PRIVATE_HEADERS", frozenset())
    with Simulator(pacing=False) as sim:
        yield sim


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "CLAUDE.md").write_text("# Shop\n\nKeep functions small.\n", encoding="utf-8")
    return folder.resolve()


def run_segue(project: Path, env: dict[str, str], *args: str, stdout_file: Path | None = None) -> subprocess.CompletedProcess:
    """A real `segue` process; its output is kept in the project, as a user's redirection would."""
    with open(stdout_file or os.devnull, "w", encoding="utf-8") as out, open(project / "segue-stderr.log", "a", encoding="utf-8") as err:
        return subprocess.run([str(SEGUE), *args], cwd=project, env=env, stdout=out, stderr=err, timeout=120)


def every_file(*roots: Path) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob("*") if path.is_file())


async def test_the_key_is_never_written(key, recording_simulator, project, monkeypatch, segue_home):
    sim = recording_simulator
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", sim.base_url)
    env = dict(os.environ) | {"ANTHROPIC_LOG": "debug"}  # the SDK's own debug log, on stderr

    # 1. Headless turns: text, JSON (exec with CLAUDE.md), and a refused key.
    assert run_segue(project, env, "ask", "Plan a rate limiter [[sim:fast]]", stdout_file=project / "ask.txt").returncode == 0
    assert run_segue(project, env, "ask", "--json", "--pane", "exec", "Implement it [[sim:fast]]", stdout_file=project / "ask.json").returncode == 0
    assert run_segue(project, env, "ask", "Plan it [[sim:401]]", stdout_file=project / "ask-401.txt").returncode == 1

    # 2. A TUI session in real mode with DEBUG logging into Segue's log file.
    endpoint = real_endpoint()
    assert endpoint is not None and not endpoint.demo and endpoint.api_key == key
    # Segue's own log as run_app configures it (INFO), and a DEBUG log of everything (the
    # SDK's request dumps included) as someone chasing a bug would turn on.
    handler = logging.FileHandler(paths.log_path(), encoding="utf-8")
    handler.setLevel(logging.INFO)
    debug_handler = logging.FileHandler(project / "debug.log", encoding="utf-8")
    debug_handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.addHandler(debug_handler)
    root.setLevel(logging.DEBUG)
    try:
        app = build_app(project, endpoint, Settings(plan_thinking=False, tools=False))
        async with app.run_test(size=(160, 48)) as pilot:
            for pane, prompt in [("plan", "Plan a search index [[sim:fast]]"), ("exec", "Implement it [[sim:fast]]"), ("exec", "Again [[sim:401]]")]:
                app.pane(pane).focus_input()
                await pilot.pause()
                app.pane(pane).prompt_input.value = prompt
                await pilot.press("enter")
                while busy := [w for w in app.workers if w.group in ("plan", "exec") and not w.is_finished]:
                    await app.workers.wait_for_complete(busy)
            # Ctrl+S saves the planning reply as a plan file in the project (Enter accepts the name).
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press("enter")
            for _ in range(2000):
                if list(project.glob("*_PLAN.md")):
                    break
                await pilot.pause()
            await pilot.pause()
            app.save_screenshot("screen.svg", str(project))
            session_id = app.session.id
    finally:
        for each in (handler, debug_handler):
            root.removeHandler(each)
            each.close()
        root.setLevel(old_level)
    assert paths.log_path().stat().st_size > 0 and (project / "debug.log").stat().st_size > 0, "the logs were written"

    # 3. The store from the shell.
    assert run_segue(project, env, "export", session_id, stdout_file=project / "export.md").returncode == 0
    assert run_segue(project, env, "export", session_id, "--format", "json", stdout_file=project / "export.json").returncode == 0
    assert run_segue(project, env, "sessions", "--json", stdout_file=project / "sessions.json").returncode == 0
    assert run_segue(project, env, "cost", "--json", session_id, stdout_file=project / "cost.json").returncode == 0

    # Every request carried the key: it was really in use, so its absence below means something.
    assert len(sim.requests) >= 6
    assert all(request["headers"].get("authorization") == f"Bearer {key}" for request in sim.requests)

    files = every_file(segue_home, project)
    names = {path.name for path in files}
    assert any(name.endswith("_PLAN.md") for name in names), names
    assert {"screen.svg", "export.md", "export.json", "sessions.json", "cost.json", "ask.json", "segue.log"} <= names
    assert any(name.endswith((".db", ".sqlite", ".sqlite3")) for name in names), names
    # What the SDK sent in its headers must not be copied anywhere either.
    sent_headers = {name: value for request in sim.requests for name, value in request["headers"].items()}
    forbidden = [
        key,
        key[-24:],  # a truncated or masked copy would still give the key away
        sent_headers["user-agent"],
        "x-stainless-",
        *(f"{name}: {value}" for name, value in sent_headers.items()),
        *(f"'{name}': '{value}'" for name, value in sent_headers.items()),
    ]
    for path in files:
        content = path.read_bytes()
        # The SDK's own debug output (its stderr, the DEBUG log) names some request headers
        # such as x-stainless-helper-method; only the key is checked there.
        debug_output = path.name in ("segue-stderr.log", "debug.log")
        for needle in forbidden[:2] if debug_output else forbidden:
            assert needle.encode() not in content, f"{needle!r} found in {path}"
