"""What the drift tests share: a stand-in for the session core.drift reads, and a proposed edit."""

from __future__ import annotations

from pathlib import Path

from core.tools.text_editor import ProposedEdit, TextEditor


class DriftSession:
    """What core.drift reads of a session."""

    def __init__(self, project: Path) -> None:
        from core.settings import Settings

        self.project_dir = project
        self.picked_plan = None
        self.settings = Settings()


def proposed_edit(project: Path, tool_input: dict) -> ProposedEdit:
    """The text editor's proposal for `tool_input`, the file viewed first as the model would."""
    editor = TextEditor(project)
    editor.handle({"command": "view", "path": tool_input["path"]})
    outcome = editor.handle(tool_input)
    assert isinstance(outcome, ProposedEdit), outcome
    return outcome
