"""Demo replies fit the task: short typo fixes, plans that weigh the named options, code that keeps decisions."""

from __future__ import annotations

import re

import anthropic

from core.drift.check import check_reply
from core.drift.decisions import extract
from core.handoff.exec_context import instructions
from core.simulator import Simulator
from core.simulator.replies import compose

CLAUDE_MD = "# Shop rules\n\n- Hash passwords with Argon2id, not bcrypt.\n- JWTs expire after 15 minutes.\n- Use optimistic locking (not pessimistic) for order updates.\n"


def create(sim: Simulator, prompt: str, system: str | None = None, model: str = "claude-sonnet-5-5") -> str:
    client = anthropic.Anthropic(base_url=sim.base_url, api_key="k", max_retries=0)
    kwargs = {"system": system} if system else {}
    reply = client.messages.create(model=model, max_tokens=8000, messages=[{"role": "user", "content": prompt}], **kwargs)
    return reply.content[0].text


def _exec_system(plan_text: str | None = None) -> str:
    parts = [instructions("AUTH_PLAN.md" if plan_text else None), f"# CLAUDE.md\n\n{CLAUDE_MD}"]
    if plan_text:
        parts.append(f"# AUTH_PLAN.md\n\n{plan_text}")
    return "\n\n".join(parts)


def test_a_typo_fix_is_a_one_line_diff_under_60_words(simulator):
    text = create(simulator, "Fix the typo in README.md")
    assert len(text.split()) < 60
    diff = re.search(r"```diff\n(.*?)```", text, re.S).group(1)
    assert [line[0] for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")] == ["-", "+"]
    assert "README.md" in text and "##" not in text


def test_notification_plan_weighs_each_named_option_and_recommends_with_phases(simulator):
    prompt = "Plan real-time notifications for our web app. Compare WebSockets, SSE and long polling."
    text = create(simulator, prompt, model="claude-opus-5-5")
    options = re.findall(r"^### (.+)$", text, re.M)
    assert options == ["WebSockets", "SSE", "Long polling"]
    for trade_off in ("connection", "prox", "reconnect", "fan-out"):
        assert trade_off in text.lower(), trade_off
    assert "**Recommendation: SSE with Redis pub/sub.**" in text and "Why: " in text
    assert re.search(r"^1\. Phase 1: ", text, re.M) and re.search(r"^4\. Phase 4: ", text, re.M)
    # No prompt words pasted as a list.
    assert "real-time, notifications" not in text.lower() and "keeps" not in text


def test_common_topics_get_their_own_options_and_a_pick():
    for prompt, option, pick in [
        ("Plan rate limiting for the login endpoint", "Token bucket", "token bucket"),
        ("Should we split the monolith into microservices?", "Microservices", "modular monolith"),
        ("Plan a caching layer for product pages", "Memcached", "Redis"),
        ("Plan how to fix the race condition in order updates", "Pessimistic locking", "optimistic locking"),
        ("Plan the database choice for the shop", "MongoDB", "PostgreSQL"),
        ("Plan an authentication system", "JWT", "Argon2id"),
    ]:
        text = compose(prompt, "", "opus", 0).text
        assert f"### {option}\n" in text, prompt
        assert re.search(rf"\*\*Recommendation: [^\n]*{pick}", text), prompt


def test_auth_implementation_follows_claude_md_and_the_plan_with_tests(simulator):
    plan = create(simulator, "Plan an authentication system for our Flask shop", model="claude-opus-5-5")
    system = _exec_system(plan)
    text = create(simulator, "Implement the core authentication system according to AUTH_PLAN.md", system)
    assert text.splitlines()[0].startswith("I'll implement the core authentication system following CLAUDE.md and AUTH_PLAN.md.")
    assert "from argon2 import PasswordHasher" in text and "bcrypt" not in text
    assert "timedelta(minutes=15)" in text and "def test_" in text
    decisions = extract(CLAUDE_MD, "CLAUDE.md", rules_file=True) + extract(plan, "AUTH_PLAN.md")
    assert check_reply(text, decisions) == []


def test_implementation_uses_the_numbers_its_context_decides():
    rules = "- Hash passwords with Argon2id (128 MB, 4 iterations).\n- JWTs expire after 5 minutes.\n"
    text = compose("Implement login", instructions(None) + "\n\n# CLAUDE.md\n\n" + rules, "sonnet", 0).text
    assert "memory_cost=131072" in text and "time_cost=4" in text and "timedelta(minutes=5)" in text


def test_drift_marker_contradicts_one_decision_and_the_check_flags_it(simulator):
    system = _exec_system()
    decisions = extract(CLAUDE_MD, "CLAUDE.md", rules_file=True)
    kept = create(simulator, "Implement order updates", system)
    assert "optimistic locking" in kept and check_reply(kept, decisions) == []
    drifted = create(simulator, "Implement order updates [[sim:drift]]", system)
    assert "pessimistic locking" in drifted and "[[" not in drifted
    findings = check_reply(drifted, decisions)
    assert {finding.decision.line for finding in findings} == {5}  # the locking rule
    # Deterministic: the same prompt and seed give the same drifted reply.
    assert create(simulator, "Implement order updates [[sim:drift]]", system) == drifted


def test_drift_marker_without_a_topic_breaks_a_decided_number():
    system = instructions(None) + "\n\n# CLAUDE.md\n\n- Cached pages expire after 10 minutes.\n"
    text = compose("Add the page footer", system, "sonnet", 0, drift=True).text
    decisions = extract("- Cached pages expire after 10 minutes.\n", "CLAUDE.md", rules_file=True)
    assert [finding.decision.line for finding in check_reply(text, decisions)] == [1]
