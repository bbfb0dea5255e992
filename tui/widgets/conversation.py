"""The messages of one pane: the user's prompts and the model's streamed replies."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Collapsible, Markdown, Static
from textual.timer import Timer

from core import models
from tui.markdown_cuts import split_sections
from tui.widgets.reply_sections import FLUSH_SECONDS, ReplySection, SectionedStream


class CoalescedStream:
    """Text for one Markdown (a reply's thinking), gathered between flushes and written as one piece."""

    def __init__(self, owner: Widget, markdown: Markdown) -> None:
        self.owner = owner
        self.stream = Markdown.get_stream(markdown)
        self.pending: list[str] = []
        self.timer: Timer | None = None

    def write(self, fragment: str) -> None:
        self.pending.append(fragment)
        if self.timer is None:
            self.timer = self.owner.set_timer(FLUSH_SECONDS, self.flush)

    async def flush(self) -> None:
        self.timer = None
        if self.pending:
            text, self.pending = "".join(self.pending), []
            await self.stream.write(text)

    async def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        await self.flush()
        await self.stream.stop()


class OlderMessages(Static):
    """The line above a resumed conversation's oldest shown message: click (or Ctrl+L) for more."""

    DEFAULT_CSS = """
    OlderMessages { color: $text-muted; padding: 0 1; text-align: center; }
    OlderMessages:hover { color: $foreground; background: $panel; }
    """

    class Requested(Message):
        pass

    count: reactive[int] = reactive(0)

    def __init__(self, count: int) -> None:
        super().__init__()
        self.set_reactive(OlderMessages.count, count)

    def render(self) -> str:
        return f"▲ {self.count} older messages · click or Ctrl+L to show more"

    def on_click(self) -> None:
        self.post_message(self.Requested())


class UserMessage(Static):
    DEFAULT_CSS = """
    UserMessage { margin: 1 0 0 0; padding: 0 1; color: $text-muted; border-left: thick $primary 50%; }
    """

    def __init__(self, prompt: str) -> None:
        from rich.text import Text

        text = Text("you: ", style="bold")
        text.append(prompt)
        super().__init__(text)
        self.prompt = prompt


class ReplyStatus(Static):
    """The line under a reply's text: a retry under way, a cancelled or failed reply."""

    DEFAULT_CSS = """
    ReplyStatus { display: none; padding: 0 1; }
    ReplyStatus.-shown { display: block; }
    ReplyStatus.error { color: $error; }
    ReplyStatus.warning { color: $warning; }
    ReplyStatus.info { color: $text-muted; }
    """


class ReplyView(Vertical):
    """One reply. The widget itself is its head (the model, folded thinking, the tool calls it
    made); its text sections and its status line are its siblings in the log, right after it
    (`widgets()`), so a layout reuses the measurements of every section that did not change
    (inside one growing reply they were all measured again each time it grew)."""

    DEFAULT_CSS = """
    ReplyView { height: auto; margin: 0 0 0 0; }
    ReplyView .reply-model { color: $text-muted; padding: 0 1; }
    ReplyView .reply-model.opus { color: $opus; }
    ReplyView .reply-model.sonnet { color: $sonnet; }
    ReplyView Collapsible { display: none; padding: 0; margin: 0; border: none; background: transparent; }
    ReplyView.has-thinking Collapsible { display: block; }
    ReplyView #thinking { color: $text-muted; }
    """

    def __init__(self, model: str, text: str = "", thinking: str = "", tool_calls: tuple = ()) -> None:
        super().__init__()
        self.model = model
        # A resumed reply's tool calls: (ToolCallStarted, ToolCallFinished or None) pairs.
        self.stored_tool_calls = tool_calls
        self._stored_views: list[Widget] = []
        self._text_parts = [text] if text else []  # joined on read: += on a long reply copied it all each chunk
        self.thinking_text = thinking
        self.stored_status = ""  # e.g. "cancelled — partial reply kept" for a resumed reply
        self._started = time.monotonic()
        self.sections = [ReplySection(part) for part in (split_sections(text) if text else [""])]
        self.status_line = ReplyStatus("")
        self._reply_stream: SectionedStream | None = None
        self._thinking_stream: CoalescedStream | None = None
        self._thinking_shown = 0  # how much of thinking_text the open fold's Markdown has
        self._thinking_title = ""

    def widgets(self) -> list[Widget]:
        """What to mount in the log for this reply, in order."""
        return [self, *self.sections, self.status_line]

    @property
    def status_shown(self) -> bool:
        return self.status_line.has_class("-shown")

    @property
    def text(self) -> str:
        if len(self._text_parts) > 1:
            self._text_parts = ["".join(self._text_parts)]
        return self._text_parts[0] if self._text_parts else ""

    @text.setter
    def text(self, value: str) -> None:
        self._text_parts = [value] if value else []

    def compose(self) -> ComposeResult:
        label = Static(models.display_name(self.model), classes="reply-model")
        label.add_class(models.family_of(self.model))
        yield label
        # The thinking's Markdown is made when someone opens the fold: folded, streamed
        # thinking is only kept as text (each update of a hidden Markdown still re-laid out
        # the screen, eight times a second while Opus thought).
        yield Collapsible(title="thinking", collapsed=True, id="thinking-fold")
        # Tool calls are mounted here, under the thinking: above the reply's text.
        if self.stored_tool_calls:
            from tui.widgets.tool_call import ToolCallView

            for started, finished in self.stored_tool_calls:
                view = ToolCallView(started)
                if finished is not None and finished.diff and not (finished.is_error or finished.denied):
                    # Open from the start, as finish() opens an edit: opened after the mount
                    # it scrolls itself into view, and the resumed log would not end at the end.
                    view.set_reactive(Collapsible.collapsed, False)
                self._stored_views.append(view)
            yield from self._stored_views

    def on_mount(self) -> None:
        self.set_class(bool(self.thinking_text), "has-thinking")
        if self.thinking_text:
            self._title_thinking_done()
        if self.stored_status:
            self.show_status(self.stored_status, "warning")
        # A resumed reply's tool calls (composed, so the first layout has them) end as they did.
        for view, (_, finished) in zip(self._stored_views, self.stored_tool_calls):
            if finished is not None:
                view.finish(finished)

    @property
    def tool_calls(self) -> tuple:
        """The (ToolCallStarted, ToolCallFinished or None) pairs shown in this reply."""
        from tui.widgets.tool_call import ToolCallView

        return tuple((view.call, view.finished) for view in self.children if isinstance(view, ToolCallView))

    def _title_thinking_done(self) -> None:
        for fold in self.query("#thinking-fold"):  # none left while the app shuts down
            fold.title = f"thinking · {len(self.thinking_text.split())} words"

    async def on_collapsible_expanded(self, event: Collapsible.Expanded) -> None:
        # Thinking is parsed only when someone opens it; if it is still streaming, the rest
        # streams into it from here on.
        if event.collapsible.id == "thinking-fold" and not self.query("#thinking"):
            self._thinking_shown = len(self.thinking_text)
            await self.query_one("#thinking-fold", Collapsible).query_one(Collapsible.Contents).mount(
                Markdown(self.thinking_text, id="thinking")
            )

    def toggle_thinking(self) -> None:
        fold = self.query_one(Collapsible)
        fold.collapsed = not fold.collapsed

    async def append_text(self, fragment: str) -> None:
        self._text_parts.append(fragment)
        if self._reply_stream is None:
            self._reply_stream = SectionedStream(self, self.sections, before=self.status_line)
        self._reply_stream.write(fragment)

    async def append_thinking(self, fragment: str) -> None:
        self.thinking_text += fragment
        self.add_class("has-thinking")
        shown = self.query("#thinking")
        if shown:  # the fold is open: stream what it does not show yet
            if self._thinking_stream is None:
                self._thinking_stream = CoalescedStream(self, shown.first(Markdown))
            self._thinking_stream.write(self.thinking_text[self._thinking_shown :])
            self._thinking_shown = len(self.thinking_text)
        title = f"thinking ({time.monotonic() - self._started:.0f} s)"
        if title != self._thinking_title:  # a new title re-lays out the screen: once a second
            self._thinking_title = title
            self.query_one("#thinking-fold", Collapsible).title = title

    async def add_tool_call(self, widget) -> None:
        """A tool call the model made while replying, shown above the reply's text as it happens."""
        await self.mount(widget)

    def reset_thinking(self) -> None:
        """A retry that starts over regenerates its thinking."""
        self.thinking_text = ""
        self._thinking_shown = 0

    async def finish_streams(self) -> None:
        for stream in (self._reply_stream, self._thinking_stream):
            if stream is not None:
                await stream.stop()
        self._reply_stream = self._thinking_stream = None
        if self.thinking_text:
            self._title_thinking_done()

    def show_status(self, message: str, level: str = "info") -> None:
        self.status_line.update(message)
        self.status_line.set_classes(f"{level} -shown")

    def clear_status(self) -> None:
        self.status_line.remove_class("-shown")


def reply_in_view(log: Widget) -> ReplyView | None:
    """The newest reply with thinking that shows on screen in `log`, else the newest with thinking."""
    with_thinking = [reply for reply in log.query(ReplyView) if reply.has_class("has-thinking")]
    visible = log.content_region if log.is_mounted else None

    def on_screen(reply: ReplyView) -> bool:
        parts = [reply, *(section for section in reply.sections if section.is_mounted)]
        return visible is not None and any(part.region.overlaps(visible) for part in parts)

    shown = [reply for reply in with_thinking if on_screen(reply)]
    return (shown or with_thinking or [None])[-1]
