"""Issue #11: every request Segue builds is one the strict simulator (the real API's rules) accepts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import anthropic
import pytest

from core import capabilities
from core.costs import pricing
from core.costs.usage import TokenUsage
from core.engines import api
from core.engines.api import CONTINUE_PROMPT, TurnRequest, stream_turn
from core.engines.client import demo_endpoint, make_client
from core.events import Retrying, TurnDone, TurnFailed
from core.session import Session
from core.settings import Settings
from core.simulator import Simulator
from core.simulator.contract import PREFILL_REFUSED, TABLE
from core.store.database import Store

SCENARIOS = {"first": "", "drop": " [[sim:drop]]", "overloaded": " [[sim:overloaded-midstream]]"}


@pytest.fixture
def no_backoff(monkeypatch):
    """The retry path is the production one; only its wait is shortened."""
    monkeypatch.setattr(api, "BACKOFF_BASE", 0.0)


async def run_turn(session: Session, pane: str, prompt: str) -> list:
    return [event async for event in session.send(pane, prompt)]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("pane", ["plan", "exec"])
@pytest.mark.parametrize("model", list(TABLE))
async def test_every_model_pane_and_retry_sends_what_the_strict_simulator_accepts(
    simulator, tmp_path, no_backoff, model, pane, scenario
):
    # One request per turn here; the tool loop's requests have their own test (test_exec_tools).
    session = Session(demo_endpoint(simulator.base_url), Settings(tools=False), tmp_path)
    session.set_model(pane, model)
    prompt = ("Plan the cache layer" if pane == "plan" else "Implement the cache layer") + " [[sim:fast]]"
    try:
        events = await run_turn(session, pane, prompt + SCENARIOS[scenario])
    finally:
        await session.aclose()
    final = events[-1]
    assert isinstance(final, TurnDone), final
    assert final.text and not final.cancelled
    caps = TABLE[model]
    first = simulator.requests[0]["body"]
    assert first["max_tokens"] <= caps.max_tokens
    thinking = first.get("thinking")
    if caps.adaptive:
        assert thinking == {"type": "adaptive", "display": "summarized"}
    elif caps.budget_thinking:
        assert thinking["type"] == "enabled"
    if caps.efforts:
        assert first["output_config"]["effort"] in caps.efforts
    else:
        assert "output_config" not in first
    if scenario == "first":
        assert len(simulator.requests) == 1
        return
    retries = [event for event in events if isinstance(event, Retrying)]
    assert len(retries) == 1 and len(simulator.requests) == 2
    retry = simulator.requests[1]["body"]["messages"]
    if caps.prefill:
        assert retry[-1]["role"] == "assistant" and "resumes the partial reply" in retries[0].reason
    else:
        assert retry[-1]["role"] == "user" and CONTINUE_PROMPT in str(retry[-1]["content"])
        assert retry[-2]["role"] == "assistant"
        assert "continue after the partial reply" in retries[0].reason


def _sdk(sim: Simulator) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=sim.base_url, api_key="k", max_retries=0)


USER = [{"role": "user", "content": "Plan a cache"}]
REFUSALS = [
    # (what, request fields, status, error type, part of the message)
    ("unknown model", {"model": "claude-nonexistent-9"}, 404, "not_found_error", "claude-nonexistent-9"),
    ("max_tokens over the maximum", {"model": "claude-sonnet-4-5", "max_tokens": 64_001}, 400, "invalid_request_error", "maximum allowed"),
    ("enabled on adaptive-only", {"thinking": {"type": "enabled", "budget_tokens": 2000}}, 400, "invalid_request_error",
     '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive"'),
    ("disabled on adaptive-only", {"thinking": {"type": "disabled"}}, 400, "invalid_request_error", '"thinking.type.disabled"'),
    ("adaptive on an older model", {"model": "claude-opus-4-5", "thinking": {"type": "adaptive"}}, 400, "invalid_request_error",
     '"thinking.type.adaptive" is not supported'),
    ("budget under 1024", {"model": "claude-opus-4-5", "thinking": {"type": "enabled", "budget_tokens": 500}}, 400,
     "invalid_request_error", "greater than or equal to 1024"),
    ("budget not under max_tokens", {"model": "claude-opus-4-5", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 2000}},
     400, "invalid_request_error", "`max_tokens` must be greater"),
    ("effort level the model lacks", {"model": "claude-haiku-5-5", "output_config": {"effort": "max"}}, 400, "invalid_request_error",
     "'max' is not supported"),
    ("effort on a model without it", {"model": "claude-sonnet-4-5", "output_config": {"effort": "low"}}, 400, "invalid_request_error",
     "does not support the effort parameter"),
    ("prefill on 4.6+", {"model": "claude-opus-4-6", "messages": [*USER, {"role": "assistant", "content": "Sure"}]}, 400,
     "invalid_request_error", PREFILL_REFUSED),
    ("temperature on 5.x", {"extra_body": {"temperature": 0.2}}, 400, "invalid_request_error", "`temperature`"),
    ("top_k on 5.x", {"extra_body": {"top_k": 5}}, 400, "invalid_request_error", "`top_k`"),
]


@pytest.mark.parametrize(("what", "fields", "status", "kind", "fragment"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_the_simulator_refuses_each_rule_like_the_api(simulator, what, fields, status, kind, fragment):
    request = {"model": "claude-opus-5-5", "max_tokens": 4000, "messages": USER, "timeout": 30, **fields}
    with pytest.raises(anthropic.APIStatusError) as raised:
        _sdk(simulator).messages.create(**request)
    error = raised.value
    assert error.status_code == status
    assert error.body["error"]["type"] == kind
    assert fragment in error.body["error"]["message"]


def test_tool_results_need_the_thinking_block_back_unchanged(simulator):
    tools = [{"name": "read", "description": "Read a file", "input_schema": {"type": "object", "properties": {}}}]
    thinking = {"type": "adaptive", "display": "summarized"}
    first = _sdk(simulator).messages.create(model="claude-opus-5-5", max_tokens=4000, messages=USER, thinking=thinking)
    block = first.content[0]
    assert block.type == "thinking"
    tool_use = {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {}}
    result = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]}
    kept = {"type": "thinking", "thinking": block.thinking, "signature": block.signature}

    def send(assistant_blocks):
        return _sdk(simulator).messages.create(
            model="claude-opus-5-5", max_tokens=4000, tools=tools, thinking=thinking,
            messages=[*USER, {"role": "assistant", "content": assistant_blocks}, result],
        )

    assert send([kept, tool_use]).content
    with pytest.raises(anthropic.BadRequestError, match="Expected `thinking` or `redacted_thinking`"):
        send([tool_use])
    with pytest.raises(anthropic.BadRequestError, match="Invalid `signature`"):
        send([{**kept, "thinking": kept["thinking"] + " (edited)"}, tool_use])


def test_models_api_serves_the_same_table(simulator):
    listed = list(_sdk(simulator).models.list(limit=100))
    assert [model.id for model in listed] == list(TABLE)
    opus = _sdk(simulator).models.retrieve("claude-opus-5-5")
    assert opus.line == "opus" and opus.max_input_tokens == 1_000_000 and opus.max_tokens == 128_000
    assert opus.capabilities.thinking.types.adaptive.supported
    assert not opus.capabilities.thinking.types.enabled.supported
    assert capabilities.from_api(opus.model_dump(mode="json")) == TABLE["claude-opus-5-5"]
    haiku = capabilities.from_api(_sdk(simulator).models.retrieve("claude-haiku-5-5").model_dump(mode="json"))
    assert haiku.efforts == ("low", "medium", "high")


def test_missing_fields_fall_back_to_the_bundled_row_and_the_line_is_never_guessed():
    sparse = capabilities.from_api({"id": "claude-opus-5-5", "max_tokens": 100_000})
    assert sparse.max_tokens == 100_000 and sparse.adaptive and sparse.line == "opus"
    stranger = capabilities.from_api({"id": "claude-opus-9-lookalike", "line": None})
    assert stranger.line is None and not stranger.prefill and not stranger.thinking_types
    capabilities.use(capabilities.Catalog({"claude-opus-9-lookalike": stranger}, fresh=True))
    from core import models

    assert models.family_of("claude-opus-9-lookalike") == "other"
    assert models.toggle_model("claude-opus-9-lookalike") == models.ALIASES["opus"]


async def test_capability_cache_refresh_and_offline_fallback(tmp_path, segue_home):
    with Simulator(pacing=False) as sim:
        fetched = await capabilities.load(demo_endpoint(sim.base_url))
        base_url = sim.base_url
    assert fetched.fresh and fetched.ids == list(TABLE)
    assert (segue_home / capabilities.CACHE_FILE).is_file()
    # The simulator is gone: the fresh disk copy serves, without asking.
    offline = demo_endpoint(base_url)
    again = await capabilities.load(offline)
    assert again.fresh and again.ids == fetched.ids
    # A day later it is stale: the refresh fails offline, so the stale copy serves, marked not fresh.
    later = datetime.now(timezone.utc) + capabilities.REFRESH_AFTER + timedelta(minutes=1)
    assert capabilities.cached(base_url, now=later).fresh is False
    stale = await capabilities.load(offline, refresh=True)
    assert not stale.fresh and stale.ids == fetched.ids
    # Another base URL never gets this one's answers: offline, it starts from the bundled table.
    other = await capabilities.load(demo_endpoint("http://127.0.0.1:9/elsewhere"))
    assert not other.fresh and other.ids == [caps.id for caps in capabilities.BUNDLED]


async def test_the_models_list_is_the_sdk_request_without_the_sdk(monkeypatch):
    """The list is fetched over plain HTTP with the SDK's request: key and version headers, cursor
    paging with after_id = last_id, every page kept, the same models as through the SDK."""
    from anthropic._constants import ANTHROPIC_API_VERSION

    from core.engines import client
    from core.simulator import server

    assert client.ANTHROPIC_VERSION == ANTHROPIC_API_VERSION, "send the version the SDK sends"
    monkeypatch.setattr(client, "MODELS_PAGE_SIZE", 5)
    monkeypatch.setattr(server, "PRIVATE_HEADERS", frozenset())  # let the log show the key for this test
    with Simulator(pacing=False) as sim:
        endpoint = demo_endpoint(sim.base_url)
        catalog = await capabilities.fetch(endpoint, remember=False)
        pages = list(sim.model_list_requests)
        assert catalog.ids == list(TABLE) and len(TABLE) > 10
        assert [page["query"] for page in pages] == [
            {"limit": "5"}, {"limit": "5", "after_id": list(TABLE)[4]}, {"limit": "5", "after_id": list(TABLE)[9]},
        ]
        for page in pages:
            assert page["path"] == "/v1/models"
            assert page["headers"]["x-api-key"] == endpoint.api_key
            assert page["headers"]["anthropic-version"] == ANTHROPIC_API_VERSION
        # The same list through the SDK: the same models, the same fields.
        sdk = make_client(endpoint, max_retries=0)
        through_sdk = [model.model_dump(mode="json") async for model in sdk.models.list(limit=100)]
        sdk_headers = list(sim.model_list_requests)[-1]["headers"]
        await sdk.close()
        assert {caps.id: caps for caps in map(capabilities.from_api, through_sdk)} == catalog.models
        assert sdk_headers["anthropic-version"] == ANTHROPIC_API_VERSION


async def test_effort_change_reaches_the_request(simulator, tmp_path):
    session = Session(demo_endpoint(simulator.base_url), Settings(), tmp_path)
    session.set_effort("plan", "xhigh")
    await run_turn(session, "plan", "Plan it [[sim:fast]]")
    assert simulator.requests[-1]["body"]["output_config"] == {"effort": "xhigh"}
    session.set_model("plan", "claude-sonnet-5")  # no xhigh there: the nearest level below
    await run_turn(session, "plan", "Plan it again [[sim:fast]]")
    assert simulator.requests[-1]["body"]["output_config"] == {"effort": "high"}
    await session.aclose()


async def test_second_turn_reads_its_history_from_the_cache(simulator, tmp_path):
    session = Session(demo_endpoint(simulator.base_url), Settings(), tmp_path)
    await run_turn(session, "plan", "Plan a large cache layer [[sim:fast]] [[sim:tokens=1500]]")
    # The second request carries the first reply: big enough to be written to the cache...
    second = await run_turn(session, "plan", "Now the eviction policy [[sim:fast]]")
    # ...and the third reads all of it back, though its own breakpoint moved to the newest turn.
    third = await run_turn(session, "plan", "And the metrics [[sim:fast]]")
    await session.aclose()
    assert second[-1].usage.cache_creation_input_tokens > 1000
    assert third[-1].usage.cache_read_input_tokens >= second[-1].usage.cache_creation_input_tokens


async def test_one_hour_cache_write_is_kept_stored_and_priced_at_twice_input(simulator, tmp_path):
    system = [{"type": "text", "text": "Project rules. " * 800, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    request = TurnRequest("claude-opus-5-5", [{"role": "user", "content": "Plan it [[sim:fast]]"}], system=system, max_tokens=2000)
    client = make_client(demo_endpoint(simulator.base_url), max_retries=0)
    events = [event async for event in stream_turn(client, request)]
    await client.close()
    usage = events[-1].usage
    # The system block is a one-hour write; the conversation's own breakpoint after it is a 5-minute one.
    assert 1000 < usage.cache_creation_1h_input_tokens < usage.cache_creation_input_tokens
    per_mtok = pricing.cost("claude-opus-5-5", TokenUsage(cache_creation_input_tokens=1_000_000, cache_creation_1h_input_tokens=1_000_000))
    base = pricing.cost("claude-opus-5-5", TokenUsage(input_tokens=1_000_000))
    assert per_mtok == 2 * base == Decimal("8")
    with Store() as store:
        session_id = store.create_session(str(tmp_path))
        store.add_usage(session_id, None, "plan", "claude-opus-5-5", usage, pricing.cost("claude-opus-5-5", usage), None)
        assert store.usage_rows(session_id)[0].usage.cache_creation_1h_input_tokens == usage.cache_creation_1h_input_tokens
        assert store.totals(session_id).usage.cache_creation_1h_input_tokens == usage.cache_creation_1h_input_tokens


def test_unknown_models_never_get_a_prefill():
    request = TurnRequest("claude-from-the-future", [{"role": "user", "content": "Hi"}])
    params = request.params(partial="Half a reply")
    assert params["messages"][-1] == {"role": "user", "content": [{"type": "text", "text": CONTINUE_PROMPT, "cache_control": {"type": "ephemeral"}}]}
    assert "thinking" not in params and "output_config" not in params


@pytest.mark.parametrize(
    ("base_url", "key", "kind", "says"),
    [
        ("closed", "k", "connection", "refused"),
        ("htp:/nowhere", "k", "other", "base URL is not valid"),
        ("open", "sk-ant-secret\nrest", "auth", "contains a newline"),
    ],
)
async def test_classify_says_which_connection_problem_it_was(simulator, base_url, key, kind, says):
    from core.engines.client import Endpoint

    if base_url == "closed":
        with Simulator(pacing=False) as gone:
            base_url = gone.base_url
    elif base_url == "open":
        base_url = simulator.base_url
    client = make_client(Endpoint(base_url, key, demo=False), max_retries=0)
    request = TurnRequest("claude-opus-5-5", [{"role": "user", "content": "Hi"}], max_tokens=100)
    events = [event async for event in stream_turn(client, request, max_attempts=1)]
    await client.close()
    final = events[-1]
    assert isinstance(final, TurnFailed) and final.kind == kind
    assert says in final.message and "secret" not in final.message
