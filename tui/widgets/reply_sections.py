"""A reply's text as a run of Markdown sections, streamed into the newest one.

Every layout of the screen walks every widget on it, and a Markdown widget is one widget per
block: a long reply made each streamed update (and each Ctrl+T) cost more than the last. A reply
is therefore cut into sections (`tui.markdown_cuts`): streamed text only ever reaches the last
one, and a finished section far out of view is folded to an empty box of its own height, so a
layout only walks what is on screen or near it (`tui/widgets/conversation_log.py` decides
which, after streamed updates and scrolls).
"""

from __future__ import annotations

import asyncio

from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Markdown

from tui.markdown_cuts import find_cut

# Streamed text reaches the Markdown at most this often. Each update re-lays out the screen;
# the API sends a chunk every few tokens (a hundred a second at full speed), so flushing per
# chunk kept the event loop busy and keys waited.
FLUSH_SECONDS = 1 / 8


class ReplySection(Vertical):
    """One section of a reply's Markdown; folded (an empty box of the same height) when far
    out of view, unfolded when it comes near again."""

    DEFAULT_CSS = """
    ReplySection { height: auto; }
    ReplySection > Markdown { margin: 0; padding: 0 1; }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.live = False  # text is streaming into it: never folded
        self.folded_at: int | None = None  # the width it was measured at, while folded

    def compose(self):
        yield Markdown(self.text)

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    def fold(self) -> None:
        height, width = self.size.height, self.size.width
        if self.live or self.folded_at is not None or height <= 0 or not self.children:
            return
        self.folded_at = width
        self.styles.height = height
        self.children[0].display = False

    def unfold(self) -> None:
        if self.folded_at is None:
            return
        self.folded_at = None
        self.styles.height = None  # back to the stylesheet's auto
        self.children[0].display = True


class SectionedStream:
    """A reply's streamed text, gathered between flushes and written to its last section,
    starting a new section where the text allows a cut."""

    def __init__(self, owner: Widget, sections: list[ReplySection], body: Widget) -> None:
        self.owner = owner  # the ReplyView
        self.body = body  # where its sections are mounted, the newest last
        self.sections = sections
        self.pending: list[str] = []
        self.timer: Timer | None = None
        self.lock = asyncio.Lock()
        self.flushing = False  # a timer must not be stopped (cancelled) while its flush writes
        self.section_text = sections[-1].text if sections else ""
        if sections:
            sections[-1].live = True
            sections[-1].unfold()

    def write(self, fragment: str) -> None:
        self.pending.append(fragment)
        if self.timer is None and not self.flushing:
            self.timer = self.owner.set_timer(FLUSH_SECONDS, self._timed_flush)

    async def _timed_flush(self) -> None:
        self.timer = None
        await self.flush()

    async def flush(self) -> None:
        """Write what is pending; one flush at a time, so sections get their text in order."""
        async with self.lock:
            self.flushing = True
            try:
                if self.pending:
                    text, self.pending = "".join(self.pending), []
                    await self._write(text)
            finally:
                self.flushing = False
            if self.pending and self.timer is None:  # arrived while this piece was written
                self.timer = self.owner.set_timer(FLUSH_SECONDS, self._timed_flush)
        fit_soon = getattr(self.owner.parent, "fit_soon", None)  # the pane's ConversationLog
        if fit_soon is not None:
            fit_soon()

    async def _write(self, text: str) -> None:
        while text:
            cut = find_cut(self.section_text, text) if self.sections else 0
            head, text = (text, "") if cut is None else (text[:cut], text[cut:])
            if head:
                section = self.sections[-1]
                self.section_text += head
                section.text = self.section_text
                await section.markdown.append(head)
            if cut is not None:
                await self._new_section()

    async def _new_section(self) -> None:
        if self.sections:
            self.sections[-1].live = False
        section = ReplySection()
        section.live = True
        self.sections.append(section)
        self.section_text = ""
        # Appended, never inserted: an insert restyles every sibling (and re-highlights its code).
        await self.body.mount(section)

    async def stop(self) -> None:
        if self.timer is not None and not self.flushing:
            self.timer.stop()
            self.timer = None
        await self.flush()
        while self.pending:  # arrived while a timed flush held the lock
            await self.flush()
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.sections:
            self.sections[-1].live = False
