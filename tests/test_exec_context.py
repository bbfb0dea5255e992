"""The execution pane's system blocks: instructions, CLAUDE.md, the plan, one cached prefix."""

from __future__ import annotations

from pathlib import Path

from core.atomic_write import FileSnapshot
from core.handoff.exec_context import build_exec_context


def snap(name: str, text: str) -> FileSnapshot:
    return FileSnapshot(Path("/p") / name, text, 1, len(text), "h")


def test_blocks_and_label():
    context = build_exec_context(
        snap("CLAUDE.md", "- Use tabs"), snap("AUTH_PLAN.md", "# Auth Plan\n1. x"), {"CLAUDE.md": 2, "AUTH_PLAN.md": 3}
    )
    assert [block["type"] for block in context.blocks] == ["text", "text", "text"]
    assert "executing a plan" in context.blocks[0]["text"] and "AUTH_PLAN.md" in context.blocks[0]["text"]
    assert context.blocks[1]["text"] == "# CLAUDE.md\n\n- Use tabs"
    assert context.blocks[2]["text"] == "# AUTH_PLAN.md\n\n# Auth Plan\n1. x"
    # Only the last block marks the cache breakpoint: the whole context is one prefix.
    assert [("cache_control" in block) for block in context.blocks] == [False, False, True]
    assert context.blocks[2]["cache_control"] == {"type": "ephemeral"}
    assert context.files == (("CLAUDE.md", 2), ("AUTH_PLAN.md", 3))
    assert context.label() == "CLAUDE.md (v2) · AUTH_PLAN.md (v3)"


def test_missing_files():
    only_plan = build_exec_context(None, snap("AUTH_PLAN.md", "plan"))
    assert only_plan.label() == "AUTH_PLAN.md (v1)"
    assert len(only_plan.blocks) == 2 and only_plan.blocks[-1]["cache_control"] == {"type": "ephemeral"}
    nothing = build_exec_context(None, None)
    assert nothing.label() == "no context files"
    assert len(nothing.blocks) == 1 and "cache_control" in nothing.blocks[0]


def test_rebuilt_context_carries_the_new_text():
    before = build_exec_context(snap("CLAUDE.md", "old rule"), None)
    after = build_exec_context(snap("CLAUDE.md", "new rule"), None, {"CLAUDE.md": 2})
    assert "old rule" in before.blocks[-1]["text"] and "new rule" in after.blocks[-1]["text"]
    assert after.label() == "CLAUDE.md (v2)"


def test_instruction_override():
    context = build_exec_context(None, None, instruction_text="Be brief.")
    assert context.blocks[0]["text"] == "Be brief."
