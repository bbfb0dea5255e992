"""Ctrl+D: compare any two versions of a plan (git history, index, working tree, what Segue saw)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import ContentSwitcher, Footer, OptionList, Static
from textual.widgets.option_list import Option

from core.handoff.plan_diff import PlanDiff, SectionChange
from core.handoff.plan_versions import PlanVersions, PlanVersionsError, Version
from tui.widgets.diff_view import DiffView

SPLIT_MIN_WIDTH = 100  # below this, two sides of a plan are too narrow to read


def describe(version: Version) -> str:
    """A version's name for the header and the picker.

    Times are shown in the offset they were recorded with (as `git log` does), so the same
    history reads the same on every machine.
    """
    if version.when is None or version.kind == "working":
        return version.label
    return f"{version.label} · {version.when:%Y-%m-%d %H:%M:%S}"  # seconds: saves a minute apart differ


class VersionsLoaded(Message):
    """The versions of the file were read (in a worker thread) and the default pair diffed."""

    def __init__(self, versions: PlanVersions | None, diff: PlanDiff | None, pair: tuple[int, int] | None, error: str | None) -> None:
        super().__init__()
        self.versions = versions
        self.diff = diff
        self.pair = pair
        self.error = error


class DiffComputed(Message):
    """A newly picked pair of versions was diffed."""

    def __init__(self, pair: tuple[int, int], diff: PlanDiff) -> None:
        super().__init__()
        self.pair = pair
        self.diff = diff


class VersionPicker(ModalScreen[tuple[int, int] | None]):
    """Pick the left (older) and right (newer) versions: Enter on the left list, then on the right."""

    CSS_PATH = "diff_screen.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="diff_picker_cancel", tooltip="Keep the current comparison"),
        Binding("tab", "switch_list", "Other side", id="diff_picker_switch", show=False, tooltip="Move between the left and right lists"),
    ]

    def __init__(self, versions: tuple[Version, ...], pair: tuple[int, int]) -> None:
        super().__init__()
        self.versions = versions
        self.left, self.right = pair

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("Compare two versions: Enter picks the left one, then the right one.", id="picker-title")
            with Horizontal(id="picker-lists"):
                yield OptionList(*self._options(), id="picker-left")
                yield OptionList(*self._options(), id="picker-right")
            yield Footer(compact=True)

    def _options(self) -> list[Option]:
        return [Option(escape(describe(v)), id=str(n)) for n, v in enumerate(self.versions)]

    def on_mount(self) -> None:
        left = self.query_one("#picker-left", OptionList)
        right = self.query_one("#picker-right", OptionList)
        left.border_title = "left (old)"
        right.border_title = "right (new)"
        left.highlighted = self.left
        right.highlighted = self.right
        left.focus()

    @on(OptionList.OptionSelected, "#picker-left")
    def _left_picked(self, event: OptionList.OptionSelected) -> None:
        self.left = event.option_index
        self.query_one("#picker-right", OptionList).focus()

    @on(OptionList.OptionSelected, "#picker-right")
    def _right_picked(self, event: OptionList.OptionSelected) -> None:
        self.right = event.option_index
        left_list = self.query_one("#picker-left", OptionList)
        if left_list.highlighted is not None:
            self.left = left_list.highlighted
        self.dismiss((self.left, self.right))

    def action_switch_list(self) -> None:
        left = self.query_one("#picker-left", OptionList)
        (self.query_one("#picker-right", OptionList) if left.has_focus else left).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class DiffScreen(Screen[None]):
    """The plan diff viewer for one file."""

    CSS_PATH = "diff_screen.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="diff_close", tooltip="Close the diff viewer"),
        Binding("s", "toggle_layout", "Split/unified", id="diff_toggle_layout", tooltip="Switch between side-by-side and unified layouts (side by side needs 100 columns)"),
        Binding("n", "next_hunk", "Next change", id="diff_next_hunk", tooltip="Jump to the next hunk"),
        Binding("p", "previous_hunk", "Prev change", id="diff_previous_hunk", tooltip="Jump to the previous hunk"),
        Binding("S,t", "toggle_sections", "Sections", id="diff_toggle_sections", tooltip="Show which Markdown sections were added, removed or changed"),
        Binding("v", "pick_versions", "Versions", id="diff_pick_versions", tooltip="Pick any two versions to compare"),
        Binding("e", "toggle_all_folds", "Expand all", id="diff_toggle_all_folds", tooltip="Expand or collapse every run of unchanged lines"),
    ]

    def __init__(self, path: Path, project_dir: Path, seen_versions: Iterable = ()) -> None:
        super().__init__()
        self.path = Path(path)
        self.project_dir = Path(project_dir)
        self.seen_versions = list(seen_versions)
        self.versions: PlanVersions | None = None
        self.pair: tuple[int, int] | None = None
        self.diff: PlanDiff | None = None
        self.preferred_layout = "split"
        self.position = ""  # " · change 2 of 9" once n/p has been used

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(f"Plan diff · {self._display_path()}", id="diff-title")
        yield Static("", id="diff-versions")
        yield Static("", id="diff-summary")
        yield Static("", id="diff-notice")
        with ContentSwitcher(initial="diff-loading", id="diff-body"):
            yield Static("Reading versions…", id="diff-loading")
            yield DiffView(id="diff-view")
            yield OptionList(id="diff-sections")
            yield Static("", id="diff-message")
        yield Footer(compact=True)

    def _display_path(self) -> str:
        from core.handoff.project_files import project_relative

        return project_relative(self.path, self.project_dir)

    @property
    def diff_view(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def layout_mode(self) -> str:
        """What is shown: the preferred layout, unless the terminal is too narrow for split."""
        if self.app.size.width < SPLIT_MIN_WIDTH:
            return "unified"
        return self.preferred_layout

    def on_mount(self) -> None:
        self.query_one("#diff-notice").display = False
        self.run_worker(self._load, thread=True, exclusive=True, group="plan-diff", name="load plan versions")

    def on_resize(self) -> None:
        if self.diff is not None:
            self.diff_view.set_layout(self.layout_mode)
            self._show_header()

    # -- workers -------------------------------------------------------------------------
    def _load(self) -> None:
        from core.handoff.plan_diff import diff_texts
        from core.handoff.plan_versions import load_versions

        try:
            versions = load_versions(self.path, self.project_dir, self.seen_versions)
        except PlanVersionsError as problem:
            self.post_message(VersionsLoaded(None, None, None, str(problem)))
            return
        default = versions.default_pair()
        if default is None:
            self.post_message(VersionsLoaded(versions, None, None, versions.explanation()))
            return
        pair = (versions.versions.index(default[0]), versions.versions.index(default[1]))
        diff = diff_texts(default[0].text, default[1].text)
        self.post_message(VersionsLoaded(versions, diff, pair, None))

    def _compare(self, pair: tuple[int, int]) -> None:
        from core.handoff.plan_diff import diff_texts

        left, right = (self.versions.versions[n] for n in pair)
        self.post_message(DiffComputed(pair, diff_texts(left.text, right.text)))

    @on(VersionsLoaded)
    def _versions_loaded(self, event: VersionsLoaded) -> None:
        self.versions = event.versions
        if event.error is not None:
            self._show_message(event.error)
            return
        self._notice(event.versions)
        self._show(event.pair, event.diff)

    @on(DiffComputed)
    def _diff_computed(self, event: DiffComputed) -> None:
        self._show(event.pair, event.diff)

    # -- showing -------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.query_one("#diff-message", Static).update(text)
        self.query_one("#diff-versions", Static).update("")
        self.query_one("#diff-summary", Static).update("")
        self.query_one(ContentSwitcher).current = "diff-message"

    def _notice(self, versions: PlanVersions) -> None:
        # Not being in git (or not committed yet) is no news when other versions exist; a
        # deleted file is: the user should know the working tree has nothing.
        deleted = [p for p in versions.problems if type(p).__name__ == "FileDeleted"]
        notice = self.query_one("#diff-notice", Static)
        notice.update(str(deleted[0]) if deleted else "")
        notice.display = bool(deleted)

    def _show(self, pair: tuple[int, int], diff: PlanDiff) -> None:
        self.pair = pair
        self.position = ""
        self.diff = diff
        view = self.diff_view
        view.show_diff(diff, self.layout_mode)
        self._fill_sections(diff)
        self._show_header()
        switcher = self.query_one(ContentSwitcher)
        if switcher.current != "diff-sections":
            switcher.current = "diff-view"
            view.focus()

    def _show_header(self) -> None:
        left, right = (self.versions.versions[n] for n in self.pair)
        self.query_one("#diff-versions", Static).update(f"[b]{escape(describe(left))}[/b] → [b]{escape(describe(right))}[/b]")
        summary = self.diff.summary
        if summary.identical:
            text = "No changes between these versions."
        else:
            parts = []
            for count, word in (
                (summary.sections_changed, "changed"),
                (summary.sections_added, "added"),
                (summary.sections_removed, "removed"),
            ):
                if count:
                    parts.append(f"{count} {word}")
            sections = f"sections: {', '.join(parts)}" if parts else "no section changed"
            hunks = len(self.diff.hunks)
            text = (
                f"[$success]+{summary.added}[/] [$error]−{summary.removed}[/] · "
                f"{hunks} {'hunk' if hunks == 1 else 'hunks'} · {sections} · {self.layout_mode}{self.position}"
            )
        self.query_one("#diff-summary", Static).update(text)

    def _fill_sections(self, diff: PlanDiff) -> None:
        options = self.query_one("#diff-sections", OptionList)
        options.clear_options()
        for n, change in enumerate(diff.sections):
            options.add_option(Option(self._section_prompt(change), id=str(n)))

    @staticmethod
    def _section_prompt(change: SectionChange) -> str:
        colour = {"added": "$success", "removed": "$error", "changed": "$warning", "renamed": "$warning"}.get(
            change.status, "$text-muted"
        )
        counts = ""
        if change.added or change.removed:
            counts = f"  [$success]+{change.added}[/] [$error]−{change.removed}[/]"
        renamed = f"  (was “{change.old_title}”)" if change.old_title else ""
        return f"[{colour}]{change.status:<9}[/] {escape(change.label)}{escape(renamed)}{counts}"

    @on(OptionList.OptionSelected, "#diff-sections")
    def _section_picked(self, event: OptionList.OptionSelected) -> None:
        change = self.diff.sections[event.option_index]
        self.query_one(ContentSwitcher).current = "diff-view"
        view = self.diff_view
        view.focus()
        if change.new_line is not None:
            view.show_line(new_no=change.new_line)
        else:
            view.show_line(old_no=change.old_line)

    @on(DiffView.HunkReached)
    def _hunk_reached(self, event: DiffView.HunkReached) -> None:
        # In the summary line rather than a toast: a toast would cover the very lines jumped to.
        self.position = f" · change {event.index + 1} of {event.total}"
        self._show_header()

    # -- actions -------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss()

    def action_toggle_layout(self) -> None:
        if self.app.size.width < SPLIT_MIN_WIDTH:
            self.notify(f"Side by side needs at least {SPLIT_MIN_WIDTH} columns; showing unified.", severity="warning")
            return
        self.preferred_layout = "unified" if self.preferred_layout == "split" else "split"
        if self.diff is not None:
            self.diff_view.set_layout(self.layout_mode)
            self._show_header()

    def action_next_hunk(self) -> None:
        if self.diff is not None and self.diff_view.next_hunk() is None and self.diff.hunks:
            self.notify("No more changes below.", timeout=1.5)

    def action_previous_hunk(self) -> None:
        if self.diff is not None and self.diff_view.previous_hunk() is None and self.diff.hunks:
            self.notify("No more changes above.", timeout=1.5)

    def action_toggle_sections(self) -> None:
        if self.diff is None:
            return
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == "diff-sections":
            switcher.current = "diff-view"
            self.diff_view.focus()
        else:
            switcher.current = "diff-sections"
            self.query_one("#diff-sections", OptionList).focus()

    def action_toggle_all_folds(self) -> None:
        if self.diff is not None:
            view = self.diff_view
            view.set_all_folds(not view.all_expanded)

    def action_pick_versions(self) -> None:
        if self.versions is None or self.pair is None:
            return
        self.app.push_screen(VersionPicker(self.versions.versions, self.pair), self._versions_picked)

    def _versions_picked(self, pair: tuple[int, int] | None) -> None:
        if pair is None or pair == self.pair:
            return
        self.run_worker(lambda: self._compare(pair), thread=True, exclusive=True, group="plan-diff", name="diff versions")
