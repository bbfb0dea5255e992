"""Budgets: warn at the warn fraction, confirm a send that would cross, stop a reply that crossed,
and the pre-send projection through the real SDK's count_tokens on a loopback server."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.costs import budget
from core.costs.budget import BudgetLimits, check_before_send, check_while_streaming
from core.engines.client import Endpoint, make_client
from core.settings import Settings, load_settings

D = Decimal
LIMITS = BudgetLimits(session_usd=1.0, daily_usd=5.0, warn_fraction=0.8)


def test_ok_under_the_warn_fraction():
    check = check_before_send(LIMITS, D("0.50"), D("1.00"), D("0.10"))
    assert check.level == "ok"
    assert check.scope == "session"  # 60 % of the session beats 22 % of the day
    assert check.spent_usd == D("0.50")
    assert check.projected_usd == D("0.60")
    assert check.limit_usd == D("1.0")
    assert check.fraction == pytest.approx(0.6)
    assert check.message == "Session budget 60% used: $0.600 of $1.00."


def test_warn_at_eighty_percent():
    assert check_before_send(LIMITS, D("0.70"), D("1"), D("0.09")).level == "ok"  # 79 %
    check = check_before_send(LIMITS, D("0.70"), D("1"), D("0.10"))  # exactly 80 %
    assert check.level == "warn"
    assert check.message == "Session budget at 80%: $0.800 of $1.00."


def test_reaching_the_limit_exactly_is_not_crossing_it():
    assert check_before_send(LIMITS, D("0.90"), D("1"), D("0.10")).level == "warn"


def test_over_when_this_send_would_cross():
    check = check_before_send(LIMITS, D("0.95"), D("1"), D("0.10"))
    assert check.level == "over"
    assert check.scope == "session"
    assert check.projected_usd == D("1.05")
    assert check.message == "This message would take the session to $1.05 of $1.00."


def test_daily_limit_wins_when_it_is_the_one_crossed():
    check = check_before_send(LIMITS, D("0.81"), D("4.95"), D("0.10"))  # session warns, day crosses
    assert check.level == "over"
    assert check.scope == "day"
    assert check.message == "This message would take today's spend to $5.05 of $5.00."


def test_already_used_up():
    check = check_before_send(BudgetLimits(daily_usd=2.0), D("0"), D("2.50"), D("0"))
    assert check.level == "over"
    assert check.message == "The daily budget is already used up ($2.50 of $2.00)."


def test_no_budget_is_always_ok():
    check = check_before_send(BudgetLimits(), D("100"), D("1000"), D("50"))
    assert check.level == "ok"
    assert check.scope is None and check.limit_usd is None and check.fraction is None
    assert check.message == ""
    assert not BudgetLimits().active


def test_streaming_reply_warns_then_is_stopped_once_it_crosses():
    assert check_while_streaming(LIMITS, D("0.90"), D("1"), D("0.05")).level == "warn"
    check = check_while_streaming(LIMITS, D("0.90"), D("1"), D("0.11"))
    assert check.level == "over"
    assert check.projected_usd == D("1.01")
    assert check.message == "Stopped the reply: it took the session to $1.01 of $1.00, over the session budget."


def test_a_crossed_limit_never_reads_as_equal_to_it():
    check = check_while_streaming(BudgetLimits(session_usd=0.02), D("0.014"), D("0.014"), D("0.0061"))
    assert check.level == "over"
    # $0.0201 rounds to "$0.020": one more decimal shows it is past "$0.020".
    assert check.message == "Stopped the reply: it took the session to $0.0201 of $0.0200, over the session budget."
    used_up = check_before_send(BudgetLimits(session_usd=1.0), D("1.001"), D("0"), D("0"))
    assert used_up.message == "The session budget is already used up ($1.001 of $1.000)."


def test_limits_from_settings_and_environment(monkeypatch, tmp_path):
    limits = BudgetLimits.from_settings(Settings(session_budget_usd=2, daily_budget_usd=10, budget_warn_fraction=0.5))
    assert limits == BudgetLimits(2.0, 10.0, 0.5)
    assert BudgetLimits.from_settings(Settings(budget_warn_fraction=0)).warn_fraction == 0.8
    assert BudgetLimits.from_settings(Settings(session_budget_usd=-3)).session_usd == 0
    (tmp_path / "settings.toml").write_text("daily_budget_usd = 7.5\n")
    settings = load_settings(tmp_path / "settings.toml", environ={"SEGUE_SESSION_BUDGET": "3"})
    assert BudgetLimits.from_settings(settings) == BudgetLimits(3.0, 7.5, 0.8)


def test_output_estimate_heuristic():
    plan = budget.estimate_output_tokens("Plan an authentication system", "claude-opus-5-5", 16_000)
    quick = budget.estimate_output_tokens("Briefly, which is faster?", "claude-sonnet-5-5", 16_000)
    assert plan == 4_000 + len("Plan an authentication system") // 8  # Opus baseline 2000, doubled
    assert quick == 1_500 // 4 + len("Briefly, which is faster?") // 8
    assert budget.estimate_output_tokens("Plan it", "claude-opus-5-5", 500) == 500  # clamped
    with_thinking = budget.estimate_output_tokens("Plan it", "claude-opus-5-5", 16_000, thinking_budget=4_000)
    assert with_thinking == budget.estimate_output_tokens("Plan it", "claude-opus-5-5", 16_000) + 2_000


class _CountTokens(BaseHTTPRequestHandler):
    """A tiny count_tokens endpoint that answers 12,345 and remembers what it was asked."""

    requests: list[tuple[str, dict]] = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        type(self).requests.append((self.path, body))
        payload = {"input_tokens": 12_345} if self.status == 200 else {
            "type": "error", "error": {"type": "not_found_error", "message": "no such route"}}
        data = json.dumps(payload).encode()
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def count_server():
    def serve(status: int):
        handler = type("Handler", (_CountTokens,), {"requests": [], "status": status})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", handler

    servers: list[ThreadingHTTPServer] = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


PARAMS = {
    "model": "ignored-the-argument-wins",
    "max_tokens": 16_000,
    "system": [{"type": "text", "text": "You execute plans.", "cache_control": {"type": "ephemeral"}}],
    "messages": [{"role": "user", "content": "Implement AUTH_PLAN.md"}],
}


async def test_project_cost_uses_count_tokens_then_prices_input_and_estimated_output(count_server):
    base_url, handler = count_server(200)
    client = make_client(Endpoint(base_url, "sk-ant-test", demo=True), max_retries=0)
    try:
        projected = await budget.project_cost(client, "claude-sonnet-5-5", PARAMS, output_estimate=1_000)
    finally:
        await client.close()
    # 12,345 input at Sonnet's $2/MTok + 1,000 output at $10/MTok = 0.02469 + 0.01
    assert projected == D("0.03469")
    path, body = handler.requests[0]
    assert path.startswith("/v1/messages/count_tokens")
    assert body["model"] == "claude-sonnet-5-5"
    assert body["messages"] == PARAMS["messages"]
    assert body["system"] == PARAMS["system"]
    assert "max_tokens" not in body  # count_tokens refuses it


async def test_project_cost_falls_back_to_a_local_estimate_when_count_tokens_is_missing(count_server):
    base_url, handler = count_server(404)
    client = make_client(Endpoint(base_url, "sk-ant-test", demo=True), max_retries=0)
    try:
        projected = await budget.project_cost(client, "claude-sonnet-5-5", PARAMS, output_estimate=0)
    finally:
        await client.close()
    assert len(handler.requests) == 1
    expected_tokens = budget.estimate_input_tokens(PARAMS)
    assert expected_tokens > 10
    assert projected == D(expected_tokens) * 2 / 1_000_000


async def test_project_cost_of_unknown_model_is_none(count_server):
    base_url, _ = count_server(200)
    client = make_client(Endpoint(base_url, "sk-ant-test", demo=True), max_retries=0)
    try:
        assert await budget.project_cost(client, "mystery-model", PARAMS, 100) is None
    finally:
        await client.close()


async def test_project_cost_against_the_simulator(simulator):
    from core.simulator.tokens import input_total

    client = make_client(Endpoint(simulator.base_url, "sk-ant-test", demo=True), max_retries=0)
    try:
        projected = await budget.project_cost(client, "claude-opus-5-5", PARAMS, output_estimate=2_000)
    finally:
        await client.close()
    counted = input_total({"model": "claude-opus-5-5", **{k: PARAMS[k] for k in ("system", "messages")}})
    assert len(simulator.count_token_requests) == 1
    # Opus 5.5: counted input at $4/MTok + 2,000 output at $20/MTok
    assert projected == D(counted) * 4 / 1_000_000 + D("0.04")
