"""One engine interface: both engines are Engines, the session picks one per pane, failures read alike."""

from __future__ import annotations

import asyncio
import importlib

import anthropic
import pytest

from core.costs.usage import TokenUsage
from core.engines.api import ApiEngine, classify
from core.engines.base import Engine
from core.engines.claude_code import ClaudeCodeEngine, StreamMapper
from core.engines.client import demo_endpoint
from core.engines.estimates import ESTIMATE_EVERY_CHARS, OutputEstimate
from core.events import Retrying, TurnDone, TurnFailed, UsageUpdate
from core.session import Session
from core.settings import Settings
from tests.test_claude_code_engine import _line

SONNET = "claude-sonnet-5-5"
# The HTTP library the installed SDK is built on (httpx or a fork of it), for real Response objects.
httpx = importlib.import_module(anthropic.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0])
_ERRORS = {
    401: anthropic.AuthenticationError,
    403: anthropic.PermissionDeniedError,
    429: anthropic.RateLimitError,
    500: anthropic.InternalServerError,
    529: anthropic.InternalServerError,
}


def _api_error(status: int) -> anthropic.APIStatusError:
    response = httpx.Response(status, request=httpx.Request("POST", "http://127.0.0.1:9/v1/messages"))
    return _ERRORS[status]("refused", response=response, body={"type": "error", "error": {"type": "x", "message": "refused"}})


def test_both_engines_satisfy_the_protocol_and_the_session_makes_one_per_pane(tmp_path):
    session = Session(demo_endpoint("http://127.0.0.1:9"), Settings(tools=False), tmp_path, engines={"exec": "claude-code"})
    plan, exec_ = session.engine_for("plan"), session.engine_for("exec")
    assert isinstance(plan, ApiEngine) and isinstance(exec_, ClaudeCodeEngine)
    assert isinstance(plan, Engine) and isinstance(exec_, Engine)
    assert (plan.name, exec_.name) == ("api", "claude-code")
    assert session.engine_for("plan") is plan  # one object per pane and engine, kept between turns
    session.set_engine("exec", "api")
    assert isinstance(session.engine_for("exec"), ApiEngine)
    session.set_engine("exec", "claude-code")
    assert session.engine_for("exec") is exec_  # switching back keeps Claude Code's own session


@pytest.mark.parametrize("status", sorted(_ERRORS))
def test_the_same_failure_gets_the_same_sentence_from_both_engines(status):
    kind, retryable, said = classify(_api_error(status))
    mapper = StreamMapper(SONNET)
    (retry,) = mapper.feed(_line(type="system", subtype="api_retry", attempt=1, retry_delay_ms=10, error_status=status))
    if retryable:
        assert retry == Retrying(1, 0.01, said)
    else:
        assert isinstance(retry, TurnFailed) and (retry.kind, retry.message) == (kind, said)
    (result,) = StreamMapper(SONNET).feed(
        _line(type="result", subtype="success", is_error=True, api_error_status=status, result=f"API Error: {status}")
    )
    assert isinstance(result, TurnFailed) and result.kind == kind
    assert result.message.startswith(said.rstrip("."))


async def test_an_api_engine_turn_goes_through_the_protocol(simulator, tmp_path):
    session = Session(demo_endpoint(simulator.base_url), Settings(tools=False), tmp_path)
    try:
        request, _, _ = session.request_for("plan", "Say hello.")
        events = [event async for event in session.engine_for("plan").turn(request, asyncio.Event())]
    finally:
        await session.aclose()
    assert isinstance(events[-1], TurnDone) and events[-1].text


async def test_claude_code_engine_says_how_to_install_it_when_it_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr("core.engines.claude_code.find_claude", lambda *_: None)
    engine = ClaudeCodeEngine(demo_endpoint("http://127.0.0.1:9"), tmp_path)
    session = Session(demo_endpoint("http://127.0.0.1:9"), Settings(tools=False), tmp_path)
    request, _, _ = session.request_for("exec", "Hi")
    events = [event async for event in engine.turn(request, asyncio.Event())]
    assert len(events) == 1 and isinstance(events[0], TurnFailed) and "Claude Code is not installed" in events[0].message
    await engine.aclose()


def test_live_output_estimates_come_at_the_same_pace_in_both_engines():
    estimate = OutputEstimate()
    assert not estimate.add(ESTIMATE_EVERY_CHARS - 1)
    assert estimate.add(1) and not estimate.add(1)
    assert estimate.applied(TokenUsage(10, 0)).output_tokens >= ESTIMATE_EVERY_CHARS // 4
    mapper = StreamMapper(SONNET)
    piece = "x" * ESTIMATE_EVERY_CHARS
    events = mapper.feed(_line(type="stream_event", event={"type": "content_block_delta", "delta": {"type": "text_delta", "text": piece}}))
    (update,) = [event for event in events if isinstance(event, UsageUpdate)]
    assert update.estimated and update.usage.output_tokens == OutputEstimate(ESTIMATE_EVERY_CHARS).applied(TokenUsage()).output_tokens
