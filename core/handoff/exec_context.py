"""The execution pane's system context: instructions, CLAUDE.md and the active plan, cached as one prefix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.atomic_write import FileSnapshot

CACHE_CONTROL = {"type": "ephemeral"}


def instructions(plan_name: str | None) -> str:
    plan = f"the plan {plan_name}" if plan_name else "the plan"
    return (
        "You are executing a plan in a two-model workflow: a planning model wrote the plan, you "
        f"implement it. Follow CLAUDE.md (the project's rules) and {plan} exactly; where they are "
        "silent, choose the simplest thing that fits them. Write complete, working code."
    )


@dataclass(frozen=True)
class ExecContext:
    """System blocks for the execution pane and the files (with version numbers) they hold."""

    blocks: list[dict[str, Any]]
    files: tuple[tuple[str, int], ...]

    def label(self) -> str:
        """E.g. "CLAUDE.md (v2) · AUTH_PLAN.md (v3)"; "no context files" when there are none."""
        if not self.files:
            return "no context files"
        return " · ".join(f"{name} (v{version})" for name, version in self.files)


def build_exec_context(
    claude_md: FileSnapshot | None,
    plan: FileSnapshot | None,
    versions: dict[str, int] | None = None,
    *,
    instruction_text: str | None = None,
) -> ExecContext:
    """Instructions, then "# CLAUDE.md" and "# <PLAN NAME>" text blocks.

    cache_control sits on the last block only: the API caches everything up to and including
    it, so the whole context is one cached prefix and an edit to either file re-writes it once.
    `versions` maps a file name to the version number shown in the label (default 1).
    """
    versions = versions or {}
    plan_name = plan.path.name if plan is not None else None
    blocks: list[dict[str, Any]] = [{"type": "text", "text": instruction_text or instructions(plan_name)}]
    files: list[tuple[str, int]] = []
    for snapshot in (claude_md, plan):
        if snapshot is None:
            continue
        name = snapshot.path.name
        blocks.append({"type": "text", "text": f"# {name}\n\n{snapshot.text}"})
        files.append((name, versions.get(name, 1)))
    blocks[-1] = {**blocks[-1], "cache_control": dict(CACHE_CONTROL)}
    return ExecContext(blocks=blocks, files=tuple(files))
