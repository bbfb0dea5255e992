"""Each `[[sim:...]]` marker gives the SDK-level outcome Segue's retry code is written against."""

from __future__ import annotations

import asyncio
import threading

import anthropic
import httpx2
import pytest

from core.simulator import Simulator

MODEL = "claude-sonnet-5-5"


def ask(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def sdk(sim: Simulator) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=sim.base_url, api_key="k", max_retries=0)


def stream_text(sim: Simulator, messages: list[dict], model: str = MODEL) -> tuple[str, Exception | None]:
    """The text that arrived and the error that ended the stream (None if it completed)."""
    text = ""
    try:
        with sdk(sim).messages.stream(model=model, max_tokens=8000, messages=messages) as stream:
            for event in stream:
                if event.type == "text":
                    text += event.text
    except Exception as error:  # noqa: BLE001 - the test inspects it
        return text, error
    return text, None


def test_401_always_authentication_error(simulator):
    for _ in range(2):
        with pytest.raises(anthropic.AuthenticationError) as caught:
            sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=ask("Fix it [[sim:401]]"))
        assert caught.value.body["error"]["type"] == "authentication_error"


def test_429_with_retry_after_then_the_identical_retry_succeeds(simulator):
    messages = ask("Fix the login bug [[sim:429]]")
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.body["error"]["type"] == "rate_limit_error"
    reply = sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert reply.stop_reason == "max_tokens" and reply.content[0].text
    assert "[[sim" not in reply.content[0].text
    assert len(simulator.requests) == 2


def test_529_then_the_identical_retry_succeeds(simulator):
    messages = ask("Fix the login bug [[sim:529]]")
    with pytest.raises(anthropic.APIStatusError) as caught:
        sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert caught.value.status_code == 529
    assert caught.value.body["error"]["type"] == "overloaded_error"
    retry = sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert retry.content[0].text
    # A different request with the same marker meets its own first 529.
    with pytest.raises(anthropic.APIStatusError):
        stream_text_or_raise(simulator, messages)


def stream_text_or_raise(sim: Simulator, messages: list[dict]) -> str:
    text, error = stream_text(sim, messages)
    if error is not None:
        raise error
    return text


def _resumed(messages: list[dict], partial: str, model: str) -> list[dict]:
    """The retry's messages as Segue sends them: a prefill where the model takes one, else "continue"."""
    from core.engines.api import CONTINUE_PROMPT

    resumed = [*messages, {"role": "assistant", "content": partial.rstrip()}]
    return resumed if model == "claude-sonnet-4-5" else [*resumed, {"role": "user", "content": CONTINUE_PROMPT}]


@pytest.mark.parametrize("model", [MODEL, "claude-sonnet-4-5"])
def test_overloaded_midstream_after_some_text_then_the_retry_continues(simulator, model):
    messages = ask("Implement the cart page [[sim:overloaded-midstream]]")
    partial, error = stream_text(simulator, messages, model)
    assert isinstance(error, anthropic.APIStatusError)
    assert error.body["error"]["type"] == "overloaded_error"
    assert partial
    full = sdk(simulator).messages.create(model=model, max_tokens=8000, messages=ask("Implement the cart page")).content[0].text
    assert full.startswith(partial) and 0.3 < len(partial) / len(full) < 0.6
    rest, error = stream_text(simulator, _resumed(messages, partial, model), model)
    assert error is None
    assert partial.rstrip() + rest == full


@pytest.mark.parametrize("model", [MODEL, "claude-sonnet-4-5"])
def test_drop_is_a_transport_error_after_some_text_then_the_retry_continues(simulator, model):
    messages = ask("Implement the cart page [[sim:drop]]")
    partial, error = stream_text(simulator, messages, model)
    assert isinstance(error, (httpx2.TransportError, anthropic.APIConnectionError)), error
    assert not isinstance(error, anthropic.APIStatusError)
    assert partial
    rest, error = stream_text(simulator, _resumed(messages, partial, model), model)
    assert error is None and rest


def test_a_prefill_on_a_model_that_refuses_it_is_the_real_400(simulator):
    messages = [*ask("Implement the cart page"), {"role": "assistant", "content": "I'll"}]
    with pytest.raises(anthropic.BadRequestError, match="does not support assistant message prefill"):
        sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages)


def test_drop_on_a_non_streaming_request_fires_once(simulator):
    messages = ask("Add a footer [[sim:drop]]")
    with pytest.raises(anthropic.APIConnectionError):
        sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert sdk(simulator).messages.create(model=MODEL, max_tokens=100, messages=messages).content[0].text


@pytest.mark.parametrize("tokens", [40, 1200, 15_000])
def test_tokens_marker_sets_reply_length(simulator, tokens):
    reply = sdk(simulator).messages.create(
        model=MODEL, max_tokens=20_000, messages=ask(f"Write the parser [[sim:tokens={tokens}]] [[sim:fast]]")
    )
    assert abs(reply.usage.output_tokens - tokens) <= tokens * 0.1
    assert reply.stop_reason == "end_turn"
    assert "[[sim" not in reply.content[0].text


async def test_tokens_marker_streams_40k_tokens(simulator):
    client = anthropic.AsyncAnthropic(base_url=simulator.base_url, api_key="k", max_retries=0)
    async with client.messages.stream(
        model=MODEL, max_tokens=64_000, messages=ask("Write the parser [[sim:tokens=40000]][[sim:fast]]")
    ) as stream:
        final = await stream.get_final_message()
    assert 36_000 <= final.usage.output_tokens <= 44_000
    assert final.usage.output_tokens == -(-len(final.content[0].text) // 4)


class GatedSleep:
    """Stands in for the pacing delay: records each pause; the first one blocks until released."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.entered.set()
        self.release.wait(10)


async def test_fast_marker_skips_pacing_while_a_paced_reply_waits():
    gate = GatedSleep()
    with Simulator(pacing=True, sleep=gate) as sim:
        client = anthropic.AsyncAnthropic(base_url=sim.base_url, api_key="k", max_retries=0)

        async def paced() -> anthropic.types.Message:
            async with client.messages.stream(model="claude-opus-5-5", max_tokens=8000, messages=ask("Plan the search")) as stream:
                return await stream.get_final_message()

        paced_task = asyncio.create_task(paced())
        assert await asyncio.to_thread(gate.entered.wait, 10)
        assert gate.pauses == [0.6]  # Opus's time to first token, before anything was sent

        fast = await client.messages.create(model="claude-opus-5-5", max_tokens=8000, messages=ask("Plan the search [[sim:fast]]"))
        assert fast.content[0].text and gate.pauses == [0.6]  # the whole fast reply needed no pause
        assert not paced_task.done()

        gate.release.set()
        final = await paced_task
    assert final.content[0].text == fast.content[0].text
    # One pause per streamed chunk after the first token, paced at Opus's ~45 tokens/s.
    chunk_pauses = gate.pauses[1:]
    assert len(chunk_pauses) > 50
    assert sum(chunk_pauses) == pytest.approx(len(final.content[0].text) / 4 / 45, rel=0.02)


def test_sonnet_and_haiku_are_paced_faster_than_opus():
    totals = {}
    for model in ("claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"):
        pauses: list[float] = []
        with Simulator(pacing=True, sleep=pauses.append) as sim:
            reply = sdk(sim).messages.create(
                model=model, max_tokens=8000, messages=ask("Write the parser [[sim:tokens=300]]"), stream=True
            )
            for _ in reply:
                pass
        totals[model] = (pauses[0], sum(pauses[1:]))
    first_token = [totals[m][0] for m in ("claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5")]
    generation = [totals[m][1] for m in ("claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5")]
    assert first_token == sorted(first_token, reverse=True) and first_token[0] > first_token[-1]
    assert generation == sorted(generation, reverse=True) and generation[0] > 2 * generation[1]
