"""A long live conversation keeps only its last page of messages mounted; older ones come back with Ctrl+L."""

from __future__ import annotations

from dataclasses import dataclass

from tests.app_pilot import make_app, send_and_wait, wait_until
from tui.widgets.conversation import OlderMessages, ReplyView, UserMessage
from tui.widgets.pane import HISTORY_PAGE

SIZE = (160, 48)


@dataclass
class Row:
    role: str
    text: str
    model: str = "claude-opus-5-5"
    thinking: str = ""
    status: str = "complete"


def shown_texts(pane) -> list[str]:
    return [w.prompt if isinstance(w, UserMessage) else w.text for w in pane.log_view.children if isinstance(w, (UserMessage, ReplyView))]


async def test_sending_past_two_pages_puts_the_oldest_behind_the_older_line(simulator, tmp_path):
    rows = []
    for n in range(HISTORY_PAGE):  # two pages: HISTORY_PAGE exchanges
        rows += [Row("user", f"question {n}"), Row("assistant", f"answer {n}")]
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.pane("plan")
        await pane.show_history(rows)
        pane.focus_input()
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: len(shown_texts(pane)) == 2 * HISTORY_PAGE)

        await send_and_wait(pilot, "plan", "Plan the cache [[sim:tokens=30]]")

        shown = shown_texts(pane)
        assert len(shown) == HISTORY_PAGE + 2  # the last page, then the new exchange
        assert shown[0].startswith("question") and shown[-2] == "Plan the cache [[sim:tokens=30]]"
        assert pane.log_view.query_one(OlderMessages).count == HISTORY_PAGE
        # Ctrl+L brings the pruned page back, in order, above what stayed.
        pane.focus_input()
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: len(shown_texts(pane)) == 2 * HISTORY_PAGE + 2)
        assert shown_texts(pane)[: 2 * HISTORY_PAGE] == [row.text for row in rows]
        assert not pane.log_view.query(OlderMessages)
