"""The demo's deferred simulator: a request made before the server starts is served, not refused."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
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


def _models(base_url: str) -> dict:
    request = urllib.request.Request(
        f"{base_url}/v1/models", headers={"x-api-key": "sk-ant-demo-not-a-real-key", "anthropic-version": "2023-06-01"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def _until(condition, seconds: float = 20.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (a child process has no event to wait on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_in_the_background_it_serves_from_a_child_process_and_stops_with_the_app():
    simulator = DeferredSimulator()
    try:
        simulator.start_in_background()
        assert simulator.in_child_process and simulator.simulator is None  # nothing served from here
        assert _models(simulator.base_url)["data"]
        process = simulator._process
    finally:
        simulator.stop()
    assert process.returncode is not None, "stop() waits for the child"
    assert _refused(simulator.port)


def test_the_child_process_ends_when_the_app_dies_without_stopping_it():
    """An app killed outright (no stop()) takes its simulator with it: the child's stdin closes."""
    app = (
        "import os, sys\n"
        "from core.engines.deferred_simulator import DeferredSimulator\n"
        "s = DeferredSimulator(); s.start_in_background()\n"
        "print(s.port, s._process.pid, flush=True)\n"
        "sys.stdin.readline()\n"
        "os._exit(9)\n"
    )
    root = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen([sys.executable, "-c", app], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port, child = map(int, parent.stdout.readline().split())
    try:
        assert _models(f"http://127.0.0.1:{port}")["data"]
    finally:
        parent.stdin.close()
        parent.wait(timeout=30)

    def child_gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        # A zombie (exited, not yet reaped by init) has finished too.
        status = Path(f"/proc/{child}/stat")
        return status.exists() and status.read_text().split(") ", 1)[-1].startswith("Z")

    assert _until(child_gone), "the simulator outlived the app"
    assert _refused(port)
