"""Anthropic's bash tool, narrowed: only commands on the user's allow-list, each approved, no shell."""

from __future__ import annotations

import asyncio
import os
import shlex
from pathlib import Path

TOOL_NAME = "bash"
TOOL_SPEC = {"type": "bash_20250124", "name": TOOL_NAME}
TIMEOUT_SECONDS = 120.0
OUTPUT_TAIL_BYTES = 30_000
# Anything that chains, substitutes or redirects could run a command that is not on the list.
FORBIDDEN = (";", "|", "&&", "&", "$(", "`", ">", "<", "\n")


def refusal(command: object, allowed: tuple[str, ...]) -> str | None:
    """Why `command` may not run (one sentence for the model), or None if it may."""
    if not isinstance(command, str) or not command.strip():
        return "Error: bash needs a command."
    text = command.strip()
    for token in FORBIDDEN:
        if token in text:
            shown = "a newline" if token == "\n" else f"'{token}'"
            return f"Error: commands containing {shown} are refused; run one allow-listed command at a time."
    if text not in allowed:
        listed = ", ".join(allowed) if allowed else "none"
        return f"Error: {text!r} is not in the allowed_commands setting (allowed: {listed})."
    return None


async def run(command: str, cwd: Path, *, timeout: float = TIMEOUT_SECONDS) -> tuple[str, bool]:
    """Run an allow-listed command without a shell; (the last 30 kB of its output, is_error)."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        return f"Error: could not parse the command: {error}.", True
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PAGER": "cat", "GIT_PAGER": "cat"},
        )
    except OSError as error:
        return f"Error: could not start {argv[0]}: {error.strerror or error}.", True
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return f"Error: {command} timed out after {timeout:.0f} s and was stopped.", True
    tail = output[-OUTPUT_TAIL_BYTES:].decode("utf-8", errors="replace")
    if len(output) > OUTPUT_TAIL_BYTES:
        tail = f"[output clipped: the last {OUTPUT_TAIL_BYTES} bytes]\n" + tail
    if process.returncode:
        return f"{tail}\n[exit code {process.returncode}]", True
    return tail or "(no output)", False
