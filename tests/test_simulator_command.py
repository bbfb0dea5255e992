"""`segue simulator` in a real process: prints the URL and exports, serves, stops cleanly on Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

from click.testing import CliRunner

from tui.cli import main


def test_simulator_serves_until_interrupted(tmp_path):
    env = {**os.environ, "SEGUE_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "simulator", "--fast", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Segue simulator listening on http://127.0.0.1:")
        base_url = first.split(" on ", 1)[1].split(" ", 1)[0]
        exports = [process.stdout.readline(), process.stdout.readline(), process.stdout.readline()]
        assert f"  export ANTHROPIC_BASE_URL={base_url}\n" in exports
        assert any(line.startswith("  export ANTHROPIC_API_KEY=") for line in exports)
        with urllib.request.urlopen(base_url + "/v1/models", timeout=10) as response:
            assert json.loads(response.read())["data"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Simulator stopped." in out
    assert "Traceback" not in err and err.strip() == ""


def test_port_in_use_is_one_clear_sentence():
    from core.simulator import Simulator

    with Simulator(pacing=False) as busy:
        result = CliRunner().invoke(main, ["simulator", "--port", str(busy.port)])
    assert result.exit_code == 1
    assert "Cannot listen on 127.0.0.1:" in result.output
    assert "Traceback" not in result.output
