"""The demo's deferred simulator: a request made before the server starts is served, not refused."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from core.engines.client import choose_endpoint
from core.engines.deferred_simulator import DeferredSimulator


def test_a_request_before_start_waits_and_is_served():
    simulator = DeferredSimulator()
    try:
        answers: list[dict] = []
        sent = threading.Event()

        def ask() -> None:
            request = urllib.request.Request(f"{simulator.base_url}/v1/models", headers={"x-api-key": "sk-ant-demo-not-a-real-key", "anthropic-version": "2023-06-01"})
            sent.set()
            with urllib.request.urlopen(request, timeout=10) as response:
                answers.append(json.load(response))

        asker = threading.Thread(target=ask)
        asker.start()
        sent.wait(5)
        assert simulator.simulator is None
        simulator.start()
        asker.join(10)
        assert answers and answers[0]["data"], answers
        assert simulator.simulator is not None and simulator.simulator.port == simulator.port
    finally:
        simulator.stop()


def test_stop_before_start_frees_the_port():
    simulator = DeferredSimulator()
    port = simulator.port
    simulator.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_choose_endpoint_deferred_points_at_the_reserved_port(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    endpoint, simulator = choose_endpoint(True, deferred=True)
    try:
        assert endpoint.demo and endpoint.base_url == simulator.base_url
    finally:
        simulator.stop()


def test_starting_the_simulator_leaves_the_drift_vocabulary_for_the_first_reply():
    """The server starts behind the app's first frame, sharing the interpreter with it; the
    drift check's vocabulary (hundreds of regexes, 20 ms) is only needed to write a reply."""
    probe = "import sys, core.simulator; print('core.drift.vocabulary' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
