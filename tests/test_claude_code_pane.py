"""A pane run by the real Claude Code CLI against the simulator, through the same session pipeline."""

from __future__ import annotations

import pytest

from core.engines.claude_code import find_claude
from core.engines.client import demo_endpoint
from core.engines.claude_code_setup import MISSING as CLAUDE_MISSING
from core.session import Session
from core.settings import Settings
from core.store.database import Store
from core.events import TurnDone, TurnFailed


def _turn_events(session, pane, prompt):
    async def collect():
        return [event async for event in session.send(pane, prompt)]

    return collect()


async def test_execution_pane_on_claude_code_streams_and_records(simulator, tmp_path):
    if find_claude(tmp_path) is None:
        pytest.skip("Claude Code is not installed (npm install --prefix .tools @anthropic-ai/claude-code)")
    with Store() as store:
        session = Session(
            demo_endpoint(simulator.base_url), Settings(exec_engine="claude-code"), tmp_path, store=store
        )
        events = await _turn_events(session, "exec", "Implement a slugify helper")
        done = events[-1]
        assert isinstance(done, TurnDone), events[-1]
        assert "slugify" in done.text.lower()
        assert done.usage.output_tokens > 0
        # The request went through Claude Code (its beta query), to our simulator.
        assert simulator.requests and simulator.requests[-1]["query"].get("beta") == "true"
        stored = store.messages(session.id, "exec")
        assert [row.status for row in stored] == ["complete", "complete"]
        assert stored[-1].text == done.text
        assert store.usage_rows(session.id)[-1].cost_usd is not None


async def test_missing_claude_code_is_one_clear_sentence(simulator, tmp_path, monkeypatch):
    monkeypatch.setattr("core.engines.claude_code.find_claude", lambda *args, **kwargs: None)
    session = Session(demo_endpoint(simulator.base_url), Settings(plan_engine="claude-code"), tmp_path)
    events = await _turn_events(session, "plan", "Plan the cache")
    assert isinstance(events[-1], TurnFailed)
    assert events[-1].message == CLAUDE_MISSING
    assert simulator.requests == []
