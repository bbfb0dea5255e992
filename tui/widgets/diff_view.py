"""A plan diff drawn line by line on demand: split or unified, folds, word highlights, Markdown colours."""

from __future__ import annotations

import re
import time
from typing import Literal

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.handoff.plan_diff import DiffLine, Fold, PlanDiff, SplitRow

Layout = Literal["split", "unified"]
# A row of the view: a fold, a hunk header, a unified line or a split pair.
Row = tuple[str, object]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_LIST_MARKER = re.compile(r"^(\s*)([-*+]|\d+[.)])(\s+)(\[[ xX]\]\s)?")
_QUOTE = re.compile(r"^\s*>")
_INLINE = re.compile(
    r"(?P<code>`[^`]+`)|(?P<strong>\*\*[^*]+\*\*|__[^_]+__)|(?P<em>(?<![\w*])\*[^*\s][^*]*\*(?![\w*])|(?<!\w)_[^_\s][^_]*_(?!\w))|(?P<link>\[[^\]]+\]\([^)]+\))"
)

_INLINE_STYLE = {"code": "inline-code", "strong": "strong", "em": "emphasis", "link": "link"}

# Line states for Markdown colouring, computed once per text.
_PLAIN, _FENCE_LINE, _IN_CODE = 0, 1, 2


def code_states(lines: tuple[str, ...]) -> list[int]:
    """For each line: plain Markdown, a code fence line, or inside a fenced block."""
    states: list[int] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            states.append(_FENCE_LINE)
        else:
            states.append(_IN_CODE if fence is not None else _PLAIN)
    return states


class DiffView(ScrollView, can_focus=True):
    """Only the rows on screen are ever turned into Strips, so a 5,000-line plan opens at once."""

    COMPONENT_CLASSES = {
        "diff-view--gutter",
        "diff-view--cursor",
        "diff-view--added",
        "diff-view--removed",
        "diff-view--added-word",
        "diff-view--removed-word",
        "diff-view--added-marker",
        "diff-view--removed-marker",
        "diff-view--empty",
        "diff-view--fold",
        "diff-view--hunk",
        "diff-view--divider",
        "diff-view--heading",
        "diff-view--list-marker",
        "diff-view--fence",
        "diff-view--code",
        "diff-view--inline-code",
        "diff-view--strong",
        "diff-view--emphasis",
        "diff-view--link",
        "diff-view--quote",
    }

    BINDINGS = [
        Binding("enter", "toggle_fold", "Expand", id="diff_expand_fold", tooltip="Expand or collapse the unchanged lines under the cursor"),
        Binding("up", "cursor_up", "Up", id="diff_cursor_up", show=False, tooltip="Move the cursor up one row"),
        Binding("down", "cursor_down", "Down", id="diff_cursor_down", show=False, tooltip="Move the cursor down one row"),
        Binding("pageup", "cursor_page_up", "Page up", id="diff_page_up", show=False, tooltip="Move up one page"),
        Binding("pagedown", "cursor_page_down", "Page down", id="diff_page_down", show=False, tooltip="Move down one page"),
        Binding("home", "cursor_first", "First", id="diff_first", show=False, tooltip="Go to the first row"),
        Binding("end", "cursor_last", "Last", id="diff_last", show=False, tooltip="Go to the last row"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class HunkReached(Message):
        """The cursor moved onto a hunk (for the summary line's "hunk 3 of 9")."""

        def __init__(self, index: int, total: int) -> None:
            super().__init__()
            self.index = index
            self.total = total

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.diff: PlanDiff | None = None
        self.layout_mode: Layout = "unified"
        self.expanded: set[int] = set()
        self.rows: list[Row] = []
        self.hunk_rows: list[int] = []
        self.lines_rendered = 0  # how many Strips were built
        self.first_painted_at: float | None = None  # perf_counter() of the first diff line drawn (benchmark)
        self._old_states: list[int] = []
        self._new_states: list[int] = []
        self._number_width = 1
        self._longest = 0
        self._strips: LRUCache[tuple, Strip] = LRUCache(2048)
        self._styles: dict[tuple[str, bool], Style] = {}

    # -- model ---------------------------------------------------------------------------
    def show_diff(self, diff: PlanDiff, layout: Layout) -> None:
        self.diff = diff
        self.layout_mode = layout
        self.expanded = set()
        self._old_states = code_states(diff.old_lines)
        self._new_states = code_states(diff.new_lines)
        self._number_width = len(str(max(len(diff.old_lines), len(diff.new_lines), 1)))
        self._longest = max((len(line) for line in (*diff.old_lines, *diff.new_lines)), default=0)
        self._rebuild(keep_cursor=False)
        self.scroll_to(0, 0, animate=False)

    def set_layout(self, layout: Layout) -> None:
        if layout == self.layout_mode:
            return
        anchor = self._row_anchor(self.cursor)
        self.layout_mode = layout
        self._rebuild(keep_cursor=False)
        self._move_to(self._find_anchor(anchor))

    def _rebuild(self, *, keep_cursor: bool = True) -> None:
        rows: list[Row] = []
        hunk_rows: list[int] = []
        split = self.layout_mode == "split"
        for block in self.diff.blocks if self.diff else ():
            if isinstance(block, Fold):
                if block.index in self.expanded:
                    for line in block.lines():
                        rows.append(("pair", SplitRow(line, line)) if split else ("line", line))
                else:
                    rows.append(("fold", block))
                continue
            hunk_rows.append(len(rows))
            rows.append(("hunk", block))
            if split:
                rows.extend(("pair", row) for row in block.rows)
            else:
                rows.extend(("line", line) for line in block.lines)
        self.rows = rows
        self.hunk_rows = hunk_rows
        self._strips.clear()
        if not keep_cursor:
            self.cursor = 0
        self.cursor = min(self.cursor, max(len(rows) - 1, 0))
        self._update_virtual_size()
        self.refresh()

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        overflow = max(0, self._longest - self._text_width(width))
        self.virtual_size = Size(width + overflow, len(self.rows))

    def _gutter_width(self) -> int:
        # unified: "old new ± "; split, per side: "no ± "
        n = self._number_width
        return n * 2 + 4 if self.layout_mode == "unified" else n + 3

    def _text_width(self, width: int) -> int:
        if self.layout_mode == "unified":
            return max(1, width - self._gutter_width())
        return max(1, (width - 1) // 2 - self._gutter_width())

    def on_resize(self) -> None:
        self._strips.clear()
        self._update_virtual_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    # -- navigation ----------------------------------------------------------------------
    def current_hunk(self) -> int | None:
        """Index of the hunk the cursor is in (or on the header of), if any."""
        current = None
        for index, row in enumerate(self.hunk_rows):
            if row > self.cursor:
                break
            current = index
        return current

    def next_hunk(self) -> int | None:
        for index, row in enumerate(self.hunk_rows):
            if row > self.cursor:
                self._jump(row)
                return index
        return None

    def previous_hunk(self) -> int | None:
        for index in range(len(self.hunk_rows) - 1, -1, -1):
            if self.hunk_rows[index] < self.cursor:
                self._jump(self.hunk_rows[index])
                return index
        return None

    def _jump(self, row: int) -> None:
        """Put the row near the top with a line of what came before still showing."""
        self.cursor = row
        self.scroll_to(y=max(0, row - 1), animate=False)
        self.post_message(self.HunkReached(self.hunk_rows.index(row), len(self.hunk_rows)))

    def _move_to(self, row: int) -> None:
        self.cursor = max(0, min(row, len(self.rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        if not self.rows:
            return
        self.refresh_line(old)
        self.refresh_line(new)
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif height and new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_page_up(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=max(0, self.scroll_offset.y - page), animate=False)
        self._move_to(self.cursor - page)

    def action_cursor_page_down(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_offset.y + page, animate=False)
        self._move_to(self.cursor + page)

    def action_cursor_first(self) -> None:
        self._move_to(0)

    def action_cursor_last(self) -> None:
        self._move_to(len(self.rows) - 1)

    # -- folds ---------------------------------------------------------------------------
    def action_toggle_fold(self) -> None:
        self.toggle_fold_at(self.cursor)

    def toggle_fold_at(self, row: int) -> bool:
        """Expand the fold at `row`, or collapse the expanded fold the row belongs to."""
        if not 0 <= row < len(self.rows):
            return False
        kind, payload = self.rows[row]
        if kind == "fold":
            anchor = self._row_anchor(row)
            self.expanded.add(payload.index)
        else:
            fold = self._expanded_fold_of(row)
            if fold is None:
                return False
            anchor = ("old", fold.old_start)
            self.expanded.discard(fold.index)
        self._rebuild()
        self._move_to(self._find_anchor(anchor))
        return True

    def set_all_folds(self, expanded: bool) -> None:
        anchor = self._row_anchor(self.cursor)
        folds = [b.index for b in self.diff.blocks if isinstance(b, Fold)] if self.diff else []
        self.expanded = set(folds) if expanded else set()
        self._rebuild()
        self._move_to(self._find_anchor(anchor))

    @property
    def all_expanded(self) -> bool:
        return not any(kind == "fold" for kind, _ in self.rows)

    def _expanded_fold_of(self, row: int) -> Fold | None:
        line = self._row_line(row)
        if line is None or line.kind != "context" or line.old_no is None or not self.diff:
            return None
        for block in self.diff.blocks:
            if isinstance(block, Fold) and block.index in self.expanded:
                if block.old_start <= line.old_no < block.old_start + len(block.texts):
                    return block
        return None

    def _row_line(self, row: int) -> DiffLine | None:
        kind, payload = self.rows[row]
        if kind == "line":
            return payload
        if kind == "pair":
            return payload.left or payload.right
        return None

    def _row_anchor(self, row: int) -> tuple[str, int]:
        """A position that survives a rebuild: a line number on one side."""
        if not self.rows:
            return ("old", 0)
        kind, payload = self.rows[min(row, len(self.rows) - 1)]
        if kind == "fold":
            return ("old", payload.old_start)
        if kind == "hunk":
            return ("hunk", payload.index)
        line = self._row_line(row)
        if line.old_no is not None:
            return ("old", line.old_no)
        return ("new", line.new_no)

    def _find_anchor(self, anchor: tuple[str, int]) -> int:
        side, number = anchor
        for index, (kind, payload) in enumerate(self.rows):
            if side == "hunk":
                if kind == "hunk" and payload.index == number:
                    return index
                continue
            if kind == "fold":
                start = payload.old_start if side == "old" else payload.new_start
                if start <= number < start + len(payload.texts):
                    return index
                continue
            lines = (payload.left, payload.right) if kind == "pair" else (payload,) if kind == "line" else ()
            for line in lines:
                if line is not None and (line.old_no if side == "old" else line.new_no) == number:
                    return index
        return 0

    def show_line(self, *, old_no: int | None = None, new_no: int | None = None) -> None:
        """Bring a line of either version into view, expanding the fold that hides it."""
        side, number = ("new", new_no) if new_no is not None else ("old", old_no or 0)
        for block in self.diff.blocks if self.diff else ():
            if isinstance(block, Fold):
                start = block.old_start if side == "old" else block.new_start
                if start <= number < start + len(block.texts) and block.index not in self.expanded:
                    self.expanded.add(block.index)
                    self._rebuild()
                    break
        row = self._find_anchor((side, number))
        self.cursor = row
        self.scroll_to(y=max(0, row - 1), animate=False)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + self.scroll_offset.y
        if 0 <= row < len(self.rows):
            self._move_to(row)
            if self.rows[row][0] == "fold":
                self.toggle_fold_at(row)

    # -- drawing -------------------------------------------------------------------------
    def _style(self, name: str, partial: bool = False) -> Style:
        # Component styles are looked up once per theme/CSS change, not per line.
        key = (name, partial)
        style = self._styles.get(key)
        if style is None:
            if name == "base":
                style = self.rich_style
            else:
                style = self.get_component_rich_style(f"diff-view--{name}", partial=partial)
            self._styles[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width or self.size.width
        if row >= len(self.rows):
            return Strip.blank(width, self._style("base"))
        key = (row, scroll_x, width, row == self.cursor, self.layout_mode)
        strip = self._strips.get(key)
        if strip is None:
            text = self._row_text(row, scroll_x, width)
            # Offsets are part of the key, so the strip is cached with them applied.
            strip = Strip(text.render(self.app.console), width).apply_offsets(scroll_x, row)
            self._strips[key] = strip
            self.lines_rendered += 1
            if self.first_painted_at is None:
                self.first_painted_at = time.perf_counter()
        return strip

    def _row_text(self, row: int, scroll_x: int, width: int) -> Text:
        """One row as a single Text exactly `width` cells wide (gutters stay put when scrolling sideways)."""
        kind, payload = self.rows[row]
        cursor = self._style("cursor") if row == self.cursor else None
        if kind in ("fold", "hunk"):
            if kind == "fold":
                count = len(payload.texts)
                label = f" ⋯ {count} unchanged {'line' if count == 1 else 'lines'} (enter or click to expand) ⋯"
                style = self._style("fold")
            else:
                label = f" {payload.header}  {payload.section}".rstrip()
                style = self._style("hunk")
            if cursor is not None:
                style += cursor
            text = Text(label, style=style, end="", no_wrap=True)
            return self._fit(text, width, style)
        text = Text(end="", no_wrap=True)
        text_width = self._text_width(width)
        if kind == "line":
            n = self._number_width
            old = "" if payload.old_no is None else str(payload.old_no)
            new = "" if payload.new_no is None else str(payload.new_no)
            self._append_gutter(text, f"{old:>{n}} {new:>{n}} ", payload, cursor)
            self._append_line(text, payload, scroll_x, text_width)
            return self._fit(text, width, self._style("base"))
        side_width = (width - 1) // 2
        self._append_side(text, payload.left, "old", cursor, scroll_x, text_width)
        text.append("│", self._style("divider"))
        self._append_side(text, payload.right, "new", cursor, scroll_x, text_width)
        return self._fit(text, max(width, side_width * 2 + 1), self._style("base"))

    @staticmethod
    def _fit(text: Text, width: int, style: Style) -> Text:
        text.truncate(width, pad=True)
        if text.cell_len < width:
            text.append(" " * (width - text.cell_len), style)
        return text

    def _append_gutter(self, text: Text, numbers: str, line: DiffLine | None, cursor: Style | None) -> None:
        gutter = self._style("gutter")
        if cursor is not None:
            gutter = gutter + cursor
        text.append(numbers, gutter)
        if line is None or line.kind == "context":
            text.append("  ", gutter)
            return
        marker = self._style("added-marker" if line.kind == "added" else "removed-marker")
        if cursor is not None:
            marker = marker + cursor
        text.append("+" if line.kind == "added" else "-", marker)
        text.append(" ", gutter)

    def _append_side(
        self, text: Text, line: DiffLine | None, side: str, cursor: Style | None, scroll_x: int, text_width: int
    ) -> None:
        n = self._number_width
        if line is None:
            self._append_gutter(text, " " * (n + 1), None, cursor)
            text.append(" " * text_width, self._style("empty"))
            return
        number = line.old_no if side == "old" else line.new_no
        self._append_gutter(text, f"{'' if number is None else number:>{n}} ", line, cursor)
        self._append_line(text, line, scroll_x, text_width)

    def _append_line(self, text: Text, line: DiffLine, scroll_x: int, text_width: int) -> None:
        """The line's text, Markdown-coloured, word spans highlighted, cropped to the visible columns."""
        if line.kind == "added":
            base, word = self._style("added"), self._style("added-word")
        elif line.kind == "removed":
            base, word = self._style("removed"), self._style("removed-word")
        else:
            base, word = self._style("base"), None
        body = Text(line.text.replace("\t", " "), style=base, end="", no_wrap=True)
        if line.kind == "removed" or line.new_no is None:
            state = self._old_states[line.old_no - 1]
        else:
            state = self._new_states[line.new_no - 1]
        self._colour_markdown(body, state)
        if word is not None:
            for start, end in line.spans:
                body.stylize(word, start, end)
        if scroll_x:
            body = body[scroll_x:]
        self._fit(body, text_width, base)
        text.append_text(body)

    def _colour_markdown(self, text: Text, state: int) -> None:
        plain = text.plain
        if state == _FENCE_LINE:
            text.stylize(self._style("fence", partial=True))
            return
        if state == _IN_CODE:
            text.stylize(self._style("code", partial=True))
            return
        if _HEADING.match(plain):
            text.stylize(self._style("heading", partial=True))
            return
        if _QUOTE.match(plain):
            text.stylize(self._style("quote", partial=True))
        marker = _LIST_MARKER.match(plain)
        if marker:
            end = marker.end(4) if marker.group(4) else marker.end(2)
            text.stylize(self._style("list-marker", partial=True), marker.start(2), end)
        if "`" in plain or "*" in plain or "_" in plain or "[" in plain:
            for match in _INLINE.finditer(plain):
                name = _INLINE_STYLE[match.lastgroup]
                text.stylize(self._style(name, partial=True), match.start(), match.end())
