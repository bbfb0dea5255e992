#!/usr/bin/env python3
"""Render Segue's main screens to screenshots/*.svg, driving the real app against the simulator.

    .venv/bin/python scripts/screenshots.py

Deterministic: a fixed project under a temporary HOME (shown as ~/shop), a fresh store, the
simulator without pacing. Re-run it when the look changes; the README embeds the files.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
sys.path.insert(0, str(ROOT))

CLAUDE_MD = """# Shop

## Conventions
- Python 3.12, FastAPI, SQLAlchemy 2; tests with pytest.
- Every endpoint validates input with pydantic models.
"""


async def wait_for_turns(app) -> None:
    while True:
        busy = [w for w in app.workers if w.group in ("plan", "exec") and not w.is_finished]
        if not busy:
            return
        await app.workers.wait_for_complete(busy)


async def send(pilot, pane: str, prompt: str) -> None:
    app = pilot.app
    app.pane(pane).focus_input()
    app.pane(pane).prompt_input.value = prompt
    await pilot.press("enter")
    await pilot.pause()
    await wait_for_turns(app)
    await pilot.pause()


def save(app, name: str) -> None:
    app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"screenshots/{name}.svg")


async def render(project: Path) -> None:
    from core.engines.client import demo_endpoint
    from core.settings import Settings
    from core.simulator import Simulator
    from tui.launch import build_app

    (project / "CLAUDE.md").write_text(CLAUDE_MD)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    with Simulator(pacing=False) as sim:
        app = build_app(project, demo_endpoint(sim.base_url), Settings(tools=False), new_session=True)
        async with app.run_test(size=(160, 48)) as pilot:
            await send(pilot, "plan", "Plan an authentication system for our shop: sessions or JWT?")
            await pilot.press("ctrl+s")
            await pilot.pause()
            save(app, "save-plan")
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("ctrl+o")
            await pilot.pause()
            await send(pilot, "exec", app.pane("exec").prompt_input.value)
            app.clear_notifications()
            app.pane("plan").focus_input()
            app.pane("plan").prompt_input.value = "Fix the typo in README.md"
            await pilot.pause()
            save(app, "main")
            app.pane("plan").prompt_input.value = ""
            for key, name in (("f1", "help"), ("f2", "model-picker"), ("f4", "costs"), ("f3", "files")):
                await pilot.press(key)
                await pilot.pause(0.3)
                save(app, name)
                await pilot.press("escape")
                await pilot.pause()
            (project / "AUTH_PLAN.md").write_text(
                (project / "AUTH_PLAN.md").read_text().replace("30 minutes", "15 minutes") + "\n## Rollout\n- Behind a flag.\n"
            )
            await pilot.press("ctrl+d")
            await pilot.pause(0.5)
            save(app, "diff")
        app = build_app(project, demo_endpoint(sim.base_url), Settings(tools=False), new_session=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            app.clear_notifications()
            await pilot.pause()
            save(app, "narrow")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["HOME"] = home
        os.environ["SEGUE_HOME"] = str(Path(home) / ".segue")
        os.environ.pop("ANTHROPIC_API_KEY", None)
        project = Path(home) / "shop"
        project.mkdir()
        asyncio.run(render(project))


if __name__ == "__main__":
    main()
