"""Simulator replies: deterministic per prompt, model family and seed, and shaped to the task."""

from __future__ import annotations

import re

import anthropic

from core.simulator import Simulator
from core.simulator.faults import parse, strip
from core.simulator.replies import compose


def create(sim: Simulator, prompt: str, model: str = "claude-opus-5-5", **kwargs):
    client = anthropic.Anthropic(base_url=sim.base_url, api_key="k", max_retries=0)
    kwargs.setdefault("max_tokens", 8000)
    return client.messages.create(model=model, messages=[{"role": "user", "content": prompt}], **kwargs)


def test_same_seed_same_reply_across_servers_and_seed_or_family_changes_it():
    prompt = "Plan the payment retries for the billing service"
    with Simulator(pacing=False, seed=7) as one, Simulator(pacing=False, seed=7) as two, Simulator(pacing=False, seed=8) as other:
        first = create(one, prompt).content[0].text
        assert create(two, prompt).content[0].text == first
        assert create(other, prompt).content[0].text != first
        assert create(one, prompt, model="claude-sonnet-5-5").content[0].text != first


def test_planning_prompt_gets_a_plan_about_its_topic(simulator):
    text = create(simulator, "Plan an authentication system for our Flask shop").content[0].text
    assert text.startswith("# Authentication System Plan\n")
    headings = re.findall(r"^## (.+)$", text, re.M)
    for section in ("Goals", "Options", "Decisions", "Implementation Steps", "Risks & Trade-offs", "Open Questions"):
        assert section in headings
    assert re.search(r"^1\. ", text, re.M) and re.search(r"^2\. ", text, re.M)
    assert "Argon2id" in text and "15 minutes" in text
    assert "Flask" in text  # the framework the prompt names is where the plan builds it


def test_a_system_prompt_asking_to_plan_makes_a_plan(simulator):
    system = "You are the planning model in a two-model workflow: you plan, a faster model implements."
    text = create(simulator, "Implement search for the product list", system=system).content[0].text
    assert text.startswith("# Search Plan\n") and "## Implementation Steps" in text


def test_execution_prompt_gets_intro_naming_context_files_and_python_code(simulator):
    system = [
        {"type": "text", "text": "You are executing a plan. A planning model wrote the plan, you implement it."},
        {"type": "text", "text": "# CLAUDE.md\n\nUse pytest."},
        {"type": "text", "text": "# AUTH_PLAN.md\n\n# Auth Plan\n...", "cache_control": {"type": "ephemeral"}},
    ]
    text = create(simulator, "Implement step 1 of AUTH_PLAN.md: password hashing", model="claude-sonnet-5-5", system=system).content[0].text
    first_line = text.splitlines()[0]
    assert first_line.startswith("I'll implement") and "following CLAUDE.md and AUTH_PLAN.md" in first_line
    assert text.count("```python") >= 2
    assert "## Summary" in text


def test_thinking_block_only_when_enabled(simulator):
    """Budget thinking on a model that takes it (claude-opus-4-5); adaptive on 5.5 below."""
    prompt = "Should we split the monolith into services?"
    plain = create(simulator, prompt, model="claude-opus-4-5")
    assert [block.type for block in plain.content] == ["text"]
    thought = create(simulator, prompt, model="claude-opus-4-5", thinking={"type": "enabled", "budget_tokens": 4000})
    assert [block.type for block in thought.content] == ["thinking", "text"]
    thinking = thought.content[0]
    assert 100 <= len(thinking.thinking) / 4 <= 260 and thinking.signature
    assert thought.content[1].text == plain.content[0].text
    assert thought.usage.output_tokens == -(-len(thinking.thinking) // 4) + plain.usage.output_tokens
    disabled = create(simulator, prompt, model="claude-opus-4-5", thinking={"type": "disabled"})
    assert [block.type for block in disabled.content] == ["text"]


def test_adaptive_thinking_shows_text_only_with_display_summarized(simulator):
    prompt = "Should we split the monolith into services?"
    summarized = create(simulator, prompt, thinking={"type": "adaptive", "display": "summarized"})
    assert summarized.content[0].type == "thinking" and len(summarized.content[0].thinking) > 100
    omitted = create(simulator, prompt, thinking={"type": "adaptive"})
    assert omitted.content[0].type == "thinking"
    assert omitted.content[0].thinking == "" and omitted.content[0].signature


def test_prefill_continues_the_reply(simulator):
    """On a model that still takes prefill (claude-opus-4-5)."""
    prompt = "Implement the cart page"
    full = create(simulator, prompt, model="claude-opus-4-5").content[0].text
    client = anthropic.Anthropic(base_url=simulator.base_url, api_key="k", max_retries=0)
    head = full[: len(full) // 3]
    rest = client.messages.create(
        model="claude-opus-4-5",
        max_tokens=8000,
        messages=[{"role": "user", "content": prompt}, {"role": "assistant", "content": head.rstrip()}],
    )
    assert head.rstrip() + rest.content[0].text == full
    assert rest.usage.output_tokens == -(-len(rest.content[0].text) // 4)
    strayed = client.messages.create(
        model="claude-opus-4-5",
        max_tokens=8000,
        messages=[{"role": "user", "content": prompt}, {"role": "assistant", "content": "Something else entirely " * 5}],
    ).content[0].text
    assert strayed and full.endswith(strayed)


def test_max_tokens_stops_the_reply(simulator):
    reply = create(simulator, "Plan the release", max_tokens=25)
    assert reply.stop_reason == "max_tokens" and reply.usage.output_tokens == 25


def test_markers_are_parsed_and_never_echoed():
    raw = "Plan the [[sim:fast]] search [[sim:tokens=900]] page [[sim:429]]"
    markers = parse(raw)
    assert markers.fast and markers.rate_limit and markers.tokens == 900 and not markers.drop
    assert strip(raw) == "Plan the search page"
    text = compose(strip(raw), "", "opus", 0, tokens=900).text
    assert "[[" not in text and "sim:" not in text


def test_default_lengths_fall_in_range():
    prompts = ["Plan a caching layer", "Fix the flaky login test", "What is a monad?", "Design the schema migration"]
    for family in ("opus", "sonnet", "haiku"):
        for prompt in prompts:
            reply = compose(prompt, "", family, 3)
            assert 300 <= len(reply.text) / 4 <= 720, (family, prompt)
