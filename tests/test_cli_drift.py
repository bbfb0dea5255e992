"""`segue drift`: decisions from CLAUDE.md and the plan, a reply checked, exit 0/1/2, no Textual."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tui.cli import main

SEGUE = Path(sys.executable).with_name("segue")
RULES = "# Project rules\n\n- Use optimistic locking (not pessimistic) for order updates.\n- JWTs expire after 15 minutes.\n"
PLAN = "# Auth Plan\n\n## Options\n\n- bcrypt or scrypt were weighed.\n\n## Architecture\n\n- Hash passwords with Argon2id.\n"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "CLAUDE.md").write_text(RULES, encoding="utf-8")
    (tmp_path / "AUTH_PLAN.md").write_text(PLAN, encoding="utf-8")
    return tmp_path


def test_json_shape_decisions_with_source_and_line_and_a_finding(tmp_path):
    project = _project(tmp_path)
    reply = "I implemented pessimistic locking because it's simpler, and tokens expire after 900 seconds."
    result = CliRunner().invoke(main, ["drift", "--project", str(project), "--json", "-"], input=reply)
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert list(data) == ["decisions", "findings"]
    assert data["decisions"] == [
        {"text": "Use optimistic locking (not pessimistic) for order updates.", "source": "CLAUDE.md", "line": 3},
        {"text": "JWTs expire after 15 minutes.", "source": "CLAUDE.md", "line": 4},
        {"text": "Hash passwords with Argon2id.", "source": "AUTH_PLAN.md", "line": 9},
    ]
    # 900 seconds is 15 minutes: only the locking decision is broken.
    assert data["findings"] == [
        {
            "decision": "Use optimistic locking (not pessimistic) for order updates.",
            "source": "CLAUDE.md",
            "line": 3,
            "evidence": "I implemented pessimistic locking because it's simpler, and tokens expire after 900 seconds.",
        }
    ]


def test_clean_reply_exits_0_and_text_output_names_the_decision_on_drift(tmp_path):
    project = _project(tmp_path)
    clean = tmp_path / "clean.md"
    clean.write_text("Orders use optimistic locking; we did not use bcrypt, Argon2id hashes passwords.", encoding="utf-8")
    result = CliRunner().invoke(main, ["drift", "--project", str(project), str(clean)])
    assert result.exit_code == 0, result.output
    assert "no drift" in result.output
    drifted = tmp_path / "drifted.md"
    drifted.write_text("```python\nimport bcrypt\n```\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["drift", "--project", str(project), "--plan", "AUTH_PLAN.md", str(drifted)])
    assert result.exit_code == 1
    assert 'drift: AUTH_PLAN.md:9 "Hash passwords with Argon2id."' in result.output
    assert "reply: import bcrypt" in result.output


def test_errors_are_one_sentence_and_exit_2(tmp_path):
    project = _project(tmp_path)
    for args in (
        ["drift", "--project", str(tmp_path / "missing"), "-"],
        ["drift", "--project", str(project), "--plan", "NOPE_PLAN.md", "-"],
        ["drift", "--project", str(project), str(tmp_path / "no-reply.md")],
    ):
        result = CliRunner().invoke(main, args, input="text")
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    (project / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    result = CliRunner().invoke(main, ["drift", "--project", str(project), str(project / "binary.md")])
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_drift_runs_as_a_process_without_textual(tmp_path):
    project = _project(tmp_path)
    probe = (
        "import sys; from tui.cli import main\n"
        "try:\n    main(['drift', '--project', sys.argv[1]])\n"
        "except SystemExit as e:\n    print('textual' in sys.modules, e.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(project)], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "False 0", done.stdout + done.stderr
    listed = subprocess.run([str(SEGUE), "drift", "--project", str(project)], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "CLAUDE.md:3  Use optimistic locking" in listed.stdout
