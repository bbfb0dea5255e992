"""The simulator speaks the Messages API well enough for the real SDK, urllib and raw HTTP/1.1."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

import anthropic
import pytest

from core.models import KNOWN_MODEL_IDS
from core.simulator import Simulator

PLAN = [{"role": "user", "content": "Plan an authentication system for the shop"}]


def client(sim: Simulator, **kwargs) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=sim.base_url, api_key="sk-test-key", max_retries=0, **kwargs)


def async_client(sim: Simulator) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=sim.base_url, api_key="sk-test-key", max_retries=0)


def test_stream_event_sequence_and_final_message(simulator):
    with client(simulator).messages.stream(model="claude-sonnet-5-5", max_tokens=8000, messages=PLAN) as stream:
        events = [event for event in stream if event.type not in ("text", "thinking", "signature")]
        final = stream.get_final_message()
    kinds = [event.type for event in events]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[2:-3]) == {"content_block_delta"}
    assert events[0].message.id.startswith("msg_")
    assert events[0].message.model == "claude-sonnet-5-5"
    assert events[0].message.usage.output_tokens == 1
    deltas = "".join(event.delta.text for event in events if event.type == "content_block_delta")
    assert final.content[0].type == "text" and final.content[0].text == deltas
    assert final.stop_reason == "end_turn"
    # message_delta usage is cumulative: it restates the input and carries the final output count.
    delta_usage = events[-2].usage
    assert delta_usage.output_tokens == final.usage.output_tokens == -(-len(deltas) // 4)
    assert delta_usage.input_tokens == events[0].message.usage.input_tokens
    assert 300 <= final.usage.output_tokens <= 720


def test_streamed_text_equals_the_non_streaming_text(simulator):
    sdk = client(simulator)
    whole = sdk.messages.create(model="claude-opus-5-5", max_tokens=8000, messages=PLAN)
    raw = sdk.messages.create(model="claude-opus-5-5", max_tokens=8000, messages=PLAN, stream=True)
    text = "".join(e.delta.text for e in raw if e.type == "content_block_delta" and e.delta.type == "text_delta")
    assert whole.content[0].text == text
    assert whole.id.startswith("msg_") and whole.role == "assistant" and whole.model == "claude-opus-5-5"
    assert whole.usage.output_tokens == -(-len(text) // 4)


async def test_async_client_streams_and_creates(simulator):
    sdk = async_client(simulator)
    async with sdk.messages.stream(model="claude-haiku-5-5", max_tokens=8000, messages=PLAN) as stream:
        pieces = [event.text async for event in stream if event.type == "text"]
        final = await stream.get_final_message()
    assert final.content[0].text == "".join(pieces)
    created = await sdk.messages.create(model="claude-haiku-5-5", max_tokens=8000, messages=PLAN)
    assert created.content[0].text == final.content[0].text
    assert created.usage.output_tokens == final.usage.output_tokens


def test_count_tokens_equals_total_input_of_the_same_request(simulator):
    sdk = client(simulator)
    system = [
        {"type": "text", "text": "You follow the rules. " * 400, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Extra context."},
    ]
    tools = [{"name": "lookup", "description": "Look a thing up", "input_schema": {"type": "object", "properties": {}}}]
    counted = sdk.messages.count_tokens(model="claude-sonnet-5-5", system=system, tools=tools, messages=PLAN)
    reply = sdk.messages.create(model="claude-sonnet-5-5", max_tokens=8000, system=system, tools=tools, messages=PLAN)
    usage = reply.usage
    assert usage.cache_creation_input_tokens > 0  # the sum below includes a cache part
    assert counted.input_tokens == usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens


def test_models_list_and_get(simulator):
    sdk = client(simulator)
    models = list(sdk.models.list())
    assert [m.id for m in models] == list(KNOWN_MODEL_IDS)
    assert all(m.type == "model" and m.display_name.startswith("Claude ") for m in models)
    page = sdk.models.list(limit=2)
    assert [m.id for m in page.data] == list(KNOWN_MODEL_IDS[:2])
    assert page.has_more and page.first_id == KNOWN_MODEL_IDS[0] and page.last_id == KNOWN_MODEL_IDS[1]
    assert sdk.models.retrieve("claude-opus-5-5").display_name == "Claude Opus 5.5"
    with pytest.raises(anthropic.NotFoundError):
        sdk.models.retrieve("claude-nonexistent-1")


def test_unknown_model_is_404_not_found(simulator):
    with pytest.raises(anthropic.NotFoundError) as caught:
        client(simulator).messages.create(model="gpt-4o", max_tokens=100, messages=PLAN)
    assert caught.value.body["error"]["type"] == "not_found_error"
    assert caught.value.response.headers["request-id"].startswith("req_")


def test_bad_bodies_are_400_invalid_request(simulator):
    sdk = client(simulator)
    with pytest.raises(anthropic.BadRequestError) as caught:
        sdk.messages.create(model="claude-sonnet-5-5", max_tokens=100, messages=[])
    assert caught.value.body["error"]["type"] == "invalid_request_error"
    request = urllib.request.Request(
        simulator.base_url + "/v1/messages", data=b"{not json", headers={"content-type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(request, timeout=10)
    body = json.loads(raw.value.read())
    assert raw.value.code == 400
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error" and body["request_id"]


def test_beta_query_unknown_fields_system_blocks_thinking_metadata_accepted(simulator):
    sdk = client(simulator)
    with sdk.beta.messages.stream(
        model="claude-opus-5-5",
        max_tokens=8000,
        system=[{"type": "text", "text": "Be brief."}],
        thinking={"type": "adaptive", "display": "summarized"},
        output_config={"effort": "high"},
        metadata={"user_id": "someone"},
        betas=["interleaved-thinking-2025-05-14"],
        messages=PLAN,
        extra_body={"a_field_from_the_future": {"x": 1}},
        extra_query={"beta": "true"},
    ) as stream:
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text"]
    recorded = simulator.requests[-1]
    assert recorded["path"] == "/v1/messages" and recorded["query"] == {"beta": "true"}
    assert recorded["body"]["a_field_from_the_future"] == {"x": 1}
    assert "anthropic-beta" in recorded["headers"]


def test_requests_record_bodies_but_never_keys(simulator):
    client(simulator).messages.create(model="claude-sonnet-5-5", max_tokens=100, messages=PLAN)
    anthropic.Anthropic(base_url=simulator.base_url, auth_token="bearer-secret", max_retries=0).messages.create(
        model="claude-sonnet-5-5", max_tokens=100, messages=PLAN
    )
    assert len(simulator.requests) == 2
    assert simulator.requests[0]["body"]["messages"] == PLAN
    for recorded in simulator.requests:
        assert "x-api-key" not in recorded["headers"] and "authorization" not in recorded["headers"]
        assert "sk-test-key" not in json.dumps(recorded) and "bearer-secret" not in json.dumps(recorded)


def test_raw_urllib_stream_is_chunked_sse_with_request_id(simulator):
    payload = {"model": "claude-sonnet-5-5", "max_tokens": 50, "stream": True, "messages": PLAN}
    request = urllib.request.Request(
        simulator.base_url + "/v1/messages", data=json.dumps(payload).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["request-id"].startswith("req_")
        body = response.read().decode()
    names = [line.removeprefix("event: ") for line in body.splitlines() if line.startswith("event: ")]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    data = [json.loads(line.removeprefix("data: ")) for line in body.splitlines() if line.startswith("data: ")]
    assert [d["type"] for d in data] == names
    assert data[-2]["delta"]["stop_reason"] == "max_tokens" and data[-2]["usage"]["output_tokens"] == 50


def test_keep_alive_serves_several_requests_on_one_connection(simulator):
    host, port = simulator.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    payload = json.dumps({"model": "claude-haiku-5-5", "max_tokens": 20, "messages": PLAN})
    for stream in (False, True, False):
        body = json.loads(payload) | {"stream": stream}
        connection.request("POST", "/v1/messages", json.dumps(body), {"content-type": "application/json", "connection": "keep-alive"})
        response = connection.getresponse()
        assert response.status == 200
        response.read()
    connection.request("GET", "/v1/models")
    assert json.loads(connection.getresponse().read())["first_id"] == KNOWN_MODEL_IDS[0]
    connection.close()
    assert len(simulator.requests) == 3


def test_stop_ends_a_paced_stream_and_the_port_is_free():
    sim = Simulator(pacing=True)
    base_url = sim.start()
    sdk = anthropic.Anthropic(base_url=base_url, api_key="k", max_retries=0)
    stream = sdk.messages.create(model="claude-opus-5-5", max_tokens=8000, messages=PLAN, stream=True)
    first = next(iter(stream))
    assert first.type == "message_start"
    sim.stop()
    with pytest.raises(Exception):
        for _ in stream:
            pass
    with pytest.raises(anthropic.APIConnectionError):
        sdk.models.list()
