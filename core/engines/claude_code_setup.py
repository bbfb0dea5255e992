"""Who runs and pays for a Claude Code pane, and whether `claude` is installed, new enough and logged in.

`--demo` always means the simulator, for both engines; Claude Code then gets its own config
dir under Segue's data dir, so demo transcripts never land in the user's `~/.claude`. Without
`--demo`, a Claude Code pane uses ANTHROPIC_API_KEY when it is set, else the user's own
Claude Code login (subscription users need no key).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from core import paths
from core.engines.client import Endpoint

MIN_VERSION = (2, 1, 197)
INSTALL_COMMAND = "npm install -g @anthropic-ai/claude-code@latest"
MISSING = (
    f"Claude Code is not installed: run `{INSTALL_COMMAND}` (or set SEGUE_CLAUDE to its path); "
    "the API engine keeps working."
)
CHECK_TIMEOUT = 20.0  # seconds for `claude --version` / `claude auth status`
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def demo_config_dir() -> Path:
    """Claude Code's config dir in demo mode: under Segue's data dir, never the user's ~/.claude."""
    return paths.data_dir() / "claude-code"


def login_endpoint(environ: Mapping[str, str] | None = None) -> Endpoint:
    """A Claude Code pane without an API key: no key in its environment, so it uses its own login."""
    environ = os.environ if environ is None else environ
    return Endpoint(environ.get("ANTHROPIC_BASE_URL") or None, "", demo=False)


def billing(endpoint: Endpoint) -> str:
    """"demo", "api-key" or "login": who answers and pays for a Claude Code pane."""
    if endpoint.demo:
        return "demo"
    return "api-key" if endpoint.api_key else "login"


BILLING_LABELS = {
    "demo": "demo: the simulator answers",
    "api-key": "billed to ANTHROPIC_API_KEY",
    "login": "your Claude Code login pays",
}


def environment(endpoint: Endpoint) -> dict[str, str]:
    """What a Claude Code pane adds to the child's environment for this endpoint."""
    if endpoint.demo:
        config = demo_config_dir()
        config.mkdir(parents=True, exist_ok=True)
        return {"CLAUDE_CONFIG_DIR": str(config)}
    return {}


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.search(text)
    return tuple(int(part) for part in match.groups()) if match else None  # type: ignore[return-value]


async def _run(argv: list[str], env: Mapping[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env=dict(env), start_new_session=True,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=CHECK_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        return -1, ""
    return process.returncode or 0, out.decode(errors="replace")


async def preflight(claude: str, endpoint: Endpoint, env: Mapping[str, str]) -> str | None:
    """None when `claude` can run a turn for `endpoint`, else one sentence saying what to do."""
    want = ".".join(map(str, MIN_VERSION))
    try:
        code, out = await _run([claude, "--version"], env)
    except OSError as error:
        return f"Claude Code could not be started ({claude}: {error.strerror or error}); run `{INSTALL_COMMAND}`."
    version = parse_version(out)
    if code != 0 or version is None:
        return f"Claude Code at {claude} did not say its version; reinstall it with `{INSTALL_COMMAND}`."
    if version < MIN_VERSION:
        have = ".".join(map(str, version))
        return f"Claude Code {have} is older than {want}, which Segue needs: run `{INSTALL_COMMAND}`."
    if billing(endpoint) != "login":
        return None
    code, out = await _run([claude, "auth", "status", "--json"], env)
    try:
        logged_in = bool(json.loads(out).get("loggedIn"))
    except (ValueError, AttributeError):
        logged_in = code == 0
    if not logged_in:
        return (
            "Claude Code is not logged in: run `claude auth login` (or set ANTHROPIC_API_KEY, or start Segue "
            "with --demo); the API engine keeps working."
        )
    return None
