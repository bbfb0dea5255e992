"""`segue advise [--json] PROMPT`: through the real `segue` group and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tui.cli import main

SEGUE = Path(sys.executable).with_name("segue")


def test_json_has_exactly_the_documented_shape():
    result = CliRunner().invoke(main, ["advise", "--json", "should we shard by tenant or by region?"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["model", "effort", "route", "task_type", "reason"]
    assert data["model"] == "opus" and data["route"] == "plan" and data["task_type"] == "system_design"
    assert data["effort"] in ("high", "xhigh")
    assert data["reason"] and "\n" not in data["reason"]


def test_human_line_names_model_route_and_row():
    result = CliRunner().invoke(main, ["advise", "Fix", "the", "typo", "in", "README.md"])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert line.startswith("Sonnet (low effort) · execute · simple bug fix — ")
    assert len(line.splitlines()) == 1


def test_prompt_from_stdin_with_dash():
    result = CliRunner().invoke(main, ["advise", "--json", "-"], input="Why does this deadlock only on ARM?\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["task_type"] == "race_condition_debugging"


def test_empty_prompt_is_one_sentence_and_exit_2():
    for args in (["advise"], ["advise", "   "], ["advise", "--json", ""]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert "needs a prompt" in result.stderr
        assert "Traceback" not in result.stderr


def test_real_process_prints_the_json():
    done = subprocess.run(
        [str(SEGUE), "advise", "--json", "Implement the steps in AUTH_PLAN.md"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "model": "sonnet",
        "effort": "medium",
        "route": "execute",
        "task_type": "implement_planned_feature",
        "reason": json.loads(done.stdout)["reason"],
    }
    assert "plan" in json.loads(done.stdout)["reason"]


def test_advise_does_not_load_textual_or_the_sdk():
    # Headless commands must start fast: advising needs neither the UI nor the API client.
    probe = (
        "import sys\nfrom click.testing import CliRunner\nfrom tui.cli import main\n"
        "r = CliRunner().invoke(main, ['advise', '--json', 'Add tests for slugify'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(','.join(sorted(m for m in ('textual', 'anthropic', 'genai_prices') if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
