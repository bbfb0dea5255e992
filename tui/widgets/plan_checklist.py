"""The active plan's steps beside the execution pane; Space ticks one, written back into the plan file."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from core.tools.checklist import PlanChecklist, parse_steps

REFRESH_SECONDS = 1.0  # the model's complete_step and the user's editor both change the file


class PlanChecklistView(SelectionList[int]):
    """Steps of the active plan, ticked from the file; Space (SelectionList's toggle) ticks or unticks."""

    DEFAULT_CSS = """
    PlanChecklistView { width: 32; height: 1fr; border: round $panel; }
    PlanChecklistView.empty { display: none; }
    """

    def __init__(self, plan_path, **kwargs) -> None:
        super().__init__(classes="empty", **kwargs)  # shown once the plan has steps
        self._plan_path = plan_path  # () -> Path | None: the session's active plan
        self._shown: tuple[str | None, str] = (None, "")
        self._updating = False
        self.border_title = "plan steps"

    def on_mount(self) -> None:
        self.refresh_steps()
        self.set_interval(REFRESH_SECONDS, self.refresh_steps)

    def refresh_steps(self) -> None:
        path = self._plan_path()
        try:
            text = Path(path).read_text(encoding="utf-8") if path else ""
        except OSError:
            text = ""
        key = (str(path) if path else None, text)
        if key == self._shown:
            return
        self._shown = key
        steps = parse_steps(text)
        self._updating = True
        try:
            highlighted = self.highlighted
            self.clear_options()
            self.add_options(
                [Selection(("  " * step.depth) + f"{step.number}. {step.text}", step.number, step.done) for step in steps]
            )
            if highlighted is not None and steps:
                self.highlighted = min(highlighted, len(steps) - 1)
        finally:
            self._updating = False
        self.border_title = f"steps · {Path(path).name}" if path else "plan steps"
        self.set_class(not steps, "empty")

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        if self._updating:
            return
        path = self._plan_path()
        if path is None:
            return
        number = event.selection.value
        try:
            PlanChecklist(Path(path)).tick(number, done=number in self.selected)
        except ValueError as error:
            self.notify(str(error), severity="warning")
        self.refresh_steps()
