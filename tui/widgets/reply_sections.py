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
import time
import weakref

from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget

from tui import keystrokes
from tui.key_first import layouts_held
from tui.markdown_cuts import find_cut

# Streamed text reaches the Markdown at most this often. Each update re-lays out the screen;
# the API sends a chunk every few tokens (a hundred a second at full speed), so flushing per
# chunk kept the event loop busy and keys waited.
FLUSH_SECONDS = 1 / 8

# At most this much text is drawn per flush. A burst (the simulator at full speed, a stalled
# connection releasing its backlog) is drawn over many frames instead of in long layouts that
# a key would wait behind: the first key of a burst of typing lands on whatever is being drawn.
FLUSH_CHARS = 500
TYPING_FLUSH_CHARS = 250  # while someone types: a smaller piece, so its layout fits between keys
# Two replies' pieces in one frame made one layout twice as long: the clock draws one reply's
# piece at a time, at least this far apart. With FLUSH_CHARS that is 5,000 characters a second
# (some 1,200 tokens) across the panes, many times what models stream; a 250-character piece
# costs nearly as much CPU as a 500 one (each is two layouts of the screen), so smaller pieces
# would make a long burst dearer to draw.
DRAW_SPACING = 0.1
BACKLOG_PAUSE = 1 / 16  # between the flushes that draw a backlog when the reply has ended

# While someone types, streamed text is drawn just after a keystroke's own frame, in the gap
# before the next key, instead of on a clock that sooner or later lands on a key and makes it
# wait for a whole layout. No more often than this, so fast typing doesn't flush per key.
TYPING_FLUSH_SECONDS = 0.25
# How often to look whether the key's frame has been drawn yet (a frame comes every 1/240 s at most).
KEY_FRAME_POLL = keystrokes.GAP_POLL
KEY_FRAME_WRITE = keystrokes.GAP_AFTER  # time given to the terminal writer once the key's frame is made
# The longest a draw waits for that frame: a prompt that isn't drawn (a dialog covers the
# screen) must not hold the reply back.
KEY_FRAME_WAIT_MAX = 0.1
# Within this long after a key the clock leaves the drawing to the next key (once typing
# pauses this long, the clock draws again).
TYPING_WINDOW = keystrokes.TYPING_WINDOW

_streaming: weakref.WeakSet[SectionedStream] = weakref.WeakSet()
_drawn_at = 0.0  # when any reply last started drawing a piece


def _note_drawn() -> None:
    global _drawn_at
    _drawn_at = time.monotonic()


def _spacing_left() -> float:
    """How long until the clock may draw another piece (DRAW_SPACING after the last one)."""
    return DRAW_SPACING - (time.monotonic() - _drawn_at)


def flush_after_keystroke() -> None:
    """A key was just typed: one reply streaming with text to draw draws it after the key's frame.

    One per key, the one drawn longest ago: the two panes' pieces in one gap made a layout too
    long for the gap (its second pass still ran when the next key came).
    """
    ready = []
    for stream in list(_streaming):
        if not stream.owner.is_mounted:  # its app ended mid-stream
            _streaming.discard(stream)
        elif stream.can_draw_after_keystroke():
            ready.append(stream)
    if ready:
        min(ready, key=lambda stream: stream.flushed_at).after_keystroke()


class ReplySection(Vertical):
    """One section of a reply's Markdown; folded (an empty box of the same height) when far
    out of view, unfolded when it comes near again."""

    BLANK = True  # a box of Markdown blocks, nothing of its own to draw (see ConversationLog.BLANK)

    DEFAULT_CSS = """
    ReplySection { height: auto; }
    ReplySection > Markdown { margin: 0; padding: 0 1; }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.live = False  # text is streaming into it: never folded
        self.folded = False

    def compose(self):
        from textual.widgets import Markdown  # here: a keystroke imports this module, not Markdown

        markdown = Markdown(self.text)
        markdown.BLANK = True  # a box of blocks with padding, no border: as ReplySection.BLANK
        yield markdown

    @property
    def markdown(self):
        return self.children[0]

    def fold(self) -> None:
        height = self.size.height  # at the log's current width: a resize unfolds every section
        if self.live or self.folded or height <= 0 or not self.children:
            return
        self.folded = True
        self.styles.height = height
        self.children[0].display = False

    def unfold(self) -> None:
        if not self.folded:
            return
        self.folded = False
        self.styles.height = None  # back to the stylesheet's auto
        self.children[0].display = True


class SectionedStream:
    """A reply's streamed text, gathered between flushes and written to its last section,
    starting a new section where the text allows a cut."""

    def __init__(self, owner: Widget, sections: list[ReplySection], before: Widget) -> None:
        self.owner = owner  # the ReplyView (the head of the reply in the log)
        self.before = before  # its status line: new sections go into the log just above it
        self.sections = sections
        self.pending: list[str] = []
        self.timer: Timer | None = None
        self.lock = asyncio.Lock()
        self.flushing = False  # a timer must not be stopped (cancelled) while its flush writes
        self.flushed_at = 0.0
        self.waiting_for_frame = False  # a draw is due after a frame (a key's, or the app queue's turn)
        self._frame_asked_at = 0.0
        _streaming.add(self)
        self.section_text = sections[-1].text if sections else ""
        if sections:
            sections[-1].live = True
            sections[-1].unfold()

    def write(self, fragment: str) -> None:
        self.pending.append(fragment)
        if self.timer is None and not self.flushing:
            self.timer = self.owner.set_timer(FLUSH_SECONDS, self._timed_flush)

    def _timed_flush(self) -> None:
        self.timer = None
        # Through the app's queue: a key already waiting there is seen first (the app notes it),
        # and then this text is drawn after that key's frame instead of ahead of it.
        self.waiting_for_frame = True
        self.owner.app.call_later(self._clock_gate)

    def _clock_gate(self) -> None:
        self.waiting_for_frame = False
        if not self.owner.is_mounted:
            return
        if self._typing_draws():
            # The key's own change draws this after its frame (`after_keystroke`); should it
            # not (a key that changes no prompt), the clock looks again.
            if self.pending and self.timer is None and not self.flushing:
                self.timer = self.owner.set_timer(FLUSH_SECONDS, self._timed_flush)
            return
        wait = _spacing_left()
        if wait > 0:  # another reply's piece was just drawn: this one gets a frame of its own
            if self.timer is None and not self.flushing:
                self.timer = self.owner.set_timer(wait, self._timed_flush)
            return
        _note_drawn()
        self.owner.call_later(self.flush)

    def can_draw_after_keystroke(self) -> bool:
        return bool(
            self.pending
            and not self.flushing
            and not self.waiting_for_frame
            and time.monotonic() - self.flushed_at >= TYPING_FLUSH_SECONDS
        )

    def after_keystroke(self) -> None:
        if not self.can_draw_after_keystroke():
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.waiting_for_frame = True
        self._frame_asked_at = time.monotonic()
        self.owner.call_after_refresh(self._flush_after_frame)

    async def _flush_after_frame(self) -> None:
        key_not_out = not keystrokes.key_shown_for(KEY_FRAME_WRITE) or self.owner.app._batch_count
        if key_not_out and time.monotonic() - self._frame_asked_at < KEY_FRAME_WAIT_MAX:
            # The key is not on screen yet: Textual also runs after-refresh callbacks when the
            # screen goes idle before the key's change reached it, or skips a frame while another
            # draw mounts its blocks; and a frame that is made is written to the terminal by a
            # thread of its own, which a draw started at once kept waiting for the interpreter
            # (measured: 20-30 ms). Wait until the frame showing the key is out, rather than make
            # it wait for this draw too.
            self.owner.set_timer(KEY_FRAME_POLL, self._flush_after_frame)
            return
        self.waiting_for_frame = False
        if self.timer is not None:  # a write re-armed the clock meanwhile: this flush replaces it
            self.timer.stop()
            self.timer = None
        _note_drawn()
        await self.flush()

    async def flush(self) -> None:
        """Write what is pending; one flush at a time, so sections get their text in order."""
        async with self.lock:
            self.flushing = True
            try:
                if self.pending:
                    text = "".join(self.pending)
                    limit = TYPING_FLUSH_CHARS if keystrokes.typed_within(TYPING_WINDOW) else FLUSH_CHARS
                    text, rest = text[:limit], text[limit:]
                    self.pending = [rest] if rest else []
                    with layouts_held():  # one layout for the piece, not one per step of it
                        await self._write(text)
            finally:
                self.flushing = False
                self.flushed_at = time.monotonic()
            if self.pending and self.timer is None:  # more than one flush's worth, or arrived meanwhile
                self.timer = self.owner.set_timer(FLUSH_SECONDS, self._timed_flush)

    async def _write(self, text: str) -> None:
        first = len(self.sections) - 1  # the section the text goes on in; later ones are new
        before = set(self.sections[first].walk_children(with_self=True)) if self.sections else set()
        try:
            await self._write_sections(text)
        finally:
            self._forget_new_blocks_layout_requests(max(first, 0), before)

    def _forget_new_blocks_layout_requests(self, first: int, before: set) -> None:
        """A Markdown block is given its text before it is mounted, and asks for a layout then; the
        request reaches the screen only once the block first goes idle, after the layout its
        mount brought on (which placed it, text and all). So each piece cost a second layout
        (traced: about two per piece, the second 25-40 ms after the first). A block mounted by
        this write needs no layout beyond its mount's."""
        for section in self.sections[first:]:
            for widget in section.walk_children(with_self=True):
                if widget not in before and widget._layout_required and widget.is_mounted:
                    widget._layout_required = False

    async def _write_sections(self, text: str) -> None:
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
        # Inserted before the status line: an insert restyles the siblings that have order-dependent
        # styles (:first-child and the like), which is why no rule in a pane's log uses them.
        await self.before.parent.mount(section, before=self.before)

    async def stop(self) -> None:
        """Draw what is left: a backlog a flush at a time, frames and keys in between (while
        someone types, their keys draw it); all at once if the turn is cancelled meanwhile."""
        if self.timer is not None and not self.flushing:
            self.timer.stop()
            self.timer = None
        try:
            await self.flush()  # after one in flight, if any
            while self.pending:
                await asyncio.sleep(BACKLOG_PAUSE)
                if not self._typing_draws() and _spacing_left() <= 0:
                    _note_drawn()
                    await self.flush()
        except asyncio.CancelledError:
            self.owner.call_later(self._flush_all)  # nothing streamed may go missing on screen
            raise
        finally:
            if self.timer is not None:
                self.timer.stop()
                self.timer = None
            _streaming.discard(self)
            if self.sections:
                self.sections[-1].live = False

    async def _flush_all(self) -> None:
        async with self.lock:
            text, self.pending = "".join(self.pending), []
            if text:
                with layouts_held():
                    await self._write(text)

    def _typing_draws(self) -> bool:
        """Someone is typing: their next key draws the text (see `after_keystroke`)."""
        return keystrokes.typed_within(TYPING_WINDOW)
