"""The execution pane's tools: paths confined to the project, edits as approved diffs, bash
allow-list, plan checklist write-back, the tool loop against the strict simulator, headless
--apply-edits, and the approval dialog under Pilot."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.engines.api import TurnRequest
from core.engines.client import demo_endpoint, make_client
from core.engines.tool_loop import Toolbox, run_tool_loop
from core.events import Decision, EditProposed, StepCompleted, ToolCallFinished, TurnDone
from core.models import KNOWN_MODEL_IDS
from core.tools import bash
from core.tools.checklist import PlanChecklist, parse_steps, with_tick
from core.tools.text_editor import ProposedEdit, TextEditor, ToolAnswer

PLAN = "# Auth Plan\n\n## Goals\n\n- fast\n\n## Implementation Steps\n\n1. Hash passwords\n2. Add tests\n"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "app.py").write_text("print('hi')\n")
    return root


# -- paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["create", "view"])
def test_path_escapes_are_refused_and_nothing_is_written(project, tmp_path, command):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "link").symlink_to(outside)
    editor = TextEditor(project)
    for raw, why in [("../x.py", "'..'"), (str(outside / "x.py"), "outside the project"), ("link/x.py", "symlink")]:
        answer = editor.handle({"command": command, "path": raw, "file_text": "boom"})
        assert isinstance(answer, ToolAnswer) and answer.is_error and why in answer.content
    assert list(outside.iterdir()) == [] and not (tmp_path / "x.py").exists()


def test_absolute_path_inside_the_project_is_fine_and_git_is_never_written(project):
    (project / ".git").mkdir()
    editor = TextEditor(project)
    assert not editor.handle({"command": "view", "path": str(project / "app.py")}).is_error
    answer = editor.handle({"command": "create", "path": ".git/config", "file_text": "x"})
    assert isinstance(answer, ToolAnswer) and answer.is_error and ".git" in answer.content


# -- the text editor ------------------------------------------------------------------------


def test_edits_are_proposals_until_applied(project):
    editor = TextEditor(project)
    edit = editor.handle({"command": "str_replace", "path": "app.py", "old_str": "'hi'", "new_str": "'hello'"})
    assert isinstance(edit, ProposedEdit) and (project / "app.py").read_text() == "print('hi')\n"
    assert any(line.kind == "added" and "hello" in line.text for hunk in edit.diff.hunks for line in hunk.lines)
    assert editor.apply(edit) == ToolAnswer("Successfully replaced text at exactly one location.")
    assert (project / "app.py").read_text() == "print('hello')\n"


def test_create_over_an_existing_file_shows_the_whole_replacement(project):
    edit = TextEditor(project).handle({"command": "create", "path": "app.py", "file_text": "new\n"})
    assert isinstance(edit, ProposedEdit) and not edit.is_new_file
    assert edit.old_text == "print('hi')\n" and edit.new_text == "new\n"


def test_an_edit_that_changes_nothing_asks_nothing(project):
    """A file created again with the content it has (or text replaced by itself): the approval
    dialog showed only "19 unchanged lines". The model hears that nothing changed."""
    editor = TextEditor(project)
    for tool_input in (
        {"command": "create", "path": "app.py", "file_text": "print('hi')\n"},
        {"command": "str_replace", "path": "app.py", "old_str": "'hi'", "new_str": "'hi'"},
    ):
        answer = editor.handle(tool_input)
        assert answer == ToolAnswer("No change: app.py already has exactly this content; nothing was written.")
    assert (project / "app.py").read_text() == "print('hi')\n"


def test_a_file_changed_on_disk_since_the_model_viewed_it_is_not_clobbered(project):
    editor = TextEditor(project)
    editor.handle({"command": "view", "path": "app.py"})
    (project / "app.py").write_text("print('user edit')\n")
    answer = editor.handle({"command": "insert", "path": "app.py", "insert_line": 1, "new_str": "x = 1"})
    assert isinstance(answer, ToolAnswer) and answer.is_error and "changed on disk" in answer.content
    # And between the proposal and the approval:
    editor.handle({"command": "view", "path": "app.py"})
    edit = editor.handle({"command": "insert", "path": "app.py", "insert_line": 1, "new_str": "x = 1"})
    (project / "app.py").write_text("print('second user edit')\n")
    assert editor.apply(edit).is_error
    assert (project / "app.py").read_text() == "print('second user edit')\n"


def test_str_replace_needs_exactly_one_match(project):
    (project / "twice.py").write_text("a\na\n")
    editor = TextEditor(project)
    assert "Found 2 matches" in editor.handle({"command": "str_replace", "path": "twice.py", "old_str": "a", "new_str": "b"}).content
    assert "No match found" in editor.handle({"command": "str_replace", "path": "twice.py", "old_str": "z", "new_str": "b"}).content


def test_the_planning_pane_can_only_view(project):
    editor = TextEditor(project, read_only=True)
    assert editor.handle({"command": "view", "path": "app.py"}).content == "1: print('hi')\n2: "
    answer = editor.handle({"command": "create", "path": "new.py", "file_text": "x"})
    assert isinstance(answer, ToolAnswer) and answer.is_error and not (project / "new.py").exists()


# -- bash -----------------------------------------------------------------------------------


def test_bash_runs_only_allow_listed_single_commands(project):
    allowed = ("git status", "pytest -q")
    assert bash.refusal("rm -rf /", allowed) and "not in the allowed_commands" in bash.refusal("rm -rf /", allowed)
    for chained in ("git status; rm x", "git status | cat", "git status && rm x", "echo $(id)", "echo `id`", "git status > out"):
        assert bash.refusal(chained, allowed + (chained,)), chained
    assert bash.refusal("git status", allowed) is None


async def test_bash_output_keeps_the_tail(project):
    output, is_error = await bash.run("python3 -c \"print('x' * 40000 + 'END')\"", project)
    assert not is_error and output.endswith("END\n") and len(output.encode()) < 30_100


# -- the plan checklist ---------------------------------------------------------------------


def test_checklist_parsing_on_varied_plans():
    assert [s.text for s in parse_steps(PLAN)] == ["Hash passwords", "Add tests"]
    boxes = "# P\n\n- [ ] one\n- [x] two\n- plain bullet\n```\n1. not in code\n```\n"
    assert [(s.text, s.done) for s in parse_steps(boxes)] == [("one", False), ("two", True)]
    phases = "# P\n\n## Phase 1: Setup\n\n## Phase 2: Build\n\n1. compile\n"
    assert [(s.text, s.is_heading) for s in parse_steps(phases)] == [("Phase 1: Setup", True), ("compile", False)]


def test_tick_writes_back_keeping_every_other_byte(tmp_path):
    text = "# P\r\n\r\n## Steps\r\n\r\n1. One\r\n   2) Two  \r\n- [ ] Three\r\n## Phase 4\r\n\r\ntrailing"
    steps = parse_steps(text)
    ticked = with_tick(with_tick(with_tick(text, steps[0]), steps[1]), steps[2])
    assert ticked == text.replace("1. One", "1. [x] One").replace("2) Two", "2) [x] Two").replace("- [ ] Three", "- [x] Three")
    assert with_tick(ticked, parse_steps(ticked)[0], done=False).startswith("# P\r\n\r\n## Steps\r\n\r\n1. [ ] One\r\n")
    plan = tmp_path / "AUTH_PLAN.md"
    plan.write_bytes(PLAN.encode())
    PlanChecklist(plan).tick(2)
    assert plan.read_text() == PLAN.replace("2. Add tests", "2. [x] Add tests")


# -- the tool loop against the strict simulator ---------------------------------------------


async def _run(sim, project, prompt, decide, *, model="claude-sonnet-5-5", thinking=None, plan=None):
    client = make_client(demo_endpoint(sim.base_url), max_retries=0)
    toolbox = Toolbox(TextEditor(project), plan=(lambda: plan) if plan else None, project_dir=project)
    request = TurnRequest(model, [{"role": "user", "content": prompt}], max_tokens=8000, thinking_budget=thinking)
    events = []
    try:
        async for event in run_tool_loop(client, request, asyncio.Event(), toolbox):
            if isinstance(event, EditProposed) and not event.decision.done():
                event.decision.set_result(decide(event))
            events.append(event)
    finally:
        await client.close()
    return events


@pytest.mark.parametrize("model", KNOWN_MODEL_IDS)
async def test_every_catalog_model_runs_the_tool_loop_with_thinking_passed_back(simulator, project, model):
    plan = project / "AUTH_PLAN.md"
    plan.write_text(PLAN)
    events = await _run(simulator, project, "Implement step 1 of AUTH_PLAN.md [[sim:fast]]", lambda e: Decision("apply"),
                        model=model, thinking=2000, plan=plan)
    done = events[-1]
    assert isinstance(done, TurnDone) and done.stop_reason == "end_turn", done
    # view, one create per file (the demo writes the plan topic's files), an edit, complete_step, the summary
    assert len(simulator.requests) == len(done.requests) >= 6
    for entry in list(simulator.requests)[1:]:
        messages = entry["body"]["messages"]
        assert messages[-2]["content"][0]["type"] == "thinking" and messages[-2]["content"][0]["signature"]
        assert messages[-1]["content"][0]["type"] == "tool_result"
    assert any(project.rglob("*.py")) and "1. [x] Hash passwords" in plan.read_text()
    assert any(isinstance(e, StepCompleted) and e.step == 1 for e in events)


async def test_the_simulator_refuses_tool_results_without_the_thinking_blocks(simulator):
    import anthropic

    client = make_client(demo_endpoint(simulator.base_url), max_retries=0)
    messages = [
        {"role": "user", "content": "Implement the parser"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "str_replace_based_edit_tool", "input": {"command": "view", "path": "."}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "app.py"}]},
    ]
    try:
        with pytest.raises(anthropic.BadRequestError, match="Expected `thinking` or `redacted_thinking`"):
            await client.messages.create(
                model="claude-sonnet-4-5", max_tokens=4000, messages=messages,
                thinking={"type": "enabled", "budget_tokens": 2000},
                tools=[{"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"}],
            )
    finally:
        await client.close()


async def test_a_rejected_edit_goes_back_as_an_error_with_the_reason(simulator, project):
    events = await _run(simulator, project, "Implement the parser [[sim:fast]]", lambda e: Decision("reject", "use a class"))
    [rejected] = [e for e in events if isinstance(e, ToolCallFinished) and e.applied is False]
    assert rejected.is_error and "use a class" in rejected.output
    sent = simulator.requests[-1]["body"]["messages"][-1]["content"][0]
    assert sent["is_error"] is True and "use a class" in sent["content"]
    assert not (project / "src").exists()


# -- headless ---------------------------------------------------------------------------------


@pytest.mark.parametrize("apply_edits", [False, True])
def test_headless_ask_applies_edits_only_with_the_flag(simulator, project, monkeypatch, apply_edits):
    from tui.cli import main

    monkeypatch.chdir(project)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    args = ["ask", "--pane", "exec", "--json", *(["--apply-edits"] if apply_edits else []), "Implement the parser [[sim:fast]]"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    first = document["edits"][0]
    assert first["path"] == "src/parser.py" and first["command"] == "create" and first["applied"] is apply_edits
    assert (project / "src" / "parser.py").exists() is apply_edits
    if not apply_edits:
        assert "run with --apply-edits" in first["error"]
        assert "--apply-edits" in simulator.requests[-1]["body"]["messages"][-1]["content"][0]["content"]


# -- the approval dialog under Pilot ----------------------------------------------------------


async def _pilot_turn(simulator, project, keys, inside=None):
    """One execution turn answering each approval dialog with `keys`; `inside(app)` runs before
    the app closes."""
    from tests.app_pilot import make_app, send, turns_done, wait_until
    from tui.screens.edit_approval import EditApproval

    (project / "AUTH_PLAN.md").write_text(PLAN)
    app = make_app(simulator, project, tools=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
        for key in keys:
            # Opened within a second of the Enter that sent the prompt, a dialog holds its
            # answers until the keys pause (the test below): a person reads it first.
            await wait_until(pilot, lambda: isinstance(app.screen, EditApproval) and not app.screen.keys_held, limit=200_000)
            for press in key:
                await pilot.press(press)
        await turns_done(app)
        await pilot.pause()
        if inside is not None:
            inside(app)
        return app


async def test_pilot_apply_all_writes_every_file_and_ticks_the_step(simulator, project):
    await _pilot_turn(simulator, project, ["a"])
    assert [path for path in project.rglob("*.py") if "test" not in path.name and path.name != "app.py"]
    assert any((project / "tests").iterdir())
    assert "1. [x] Hash passwords" in (project / "AUTH_PLAN.md").read_text()


async def test_pilot_apply_one_then_reject_with_a_reason(simulator, project):
    await _pilot_turn(simulator, project, ["y", ["n", *"not now", "enter"]])
    [module] = [path for path in project.rglob("*.py") if path.name != "app.py"]  # the first applied, the second rejected
    assert module.read_text().startswith('"""')
    assert not (project / "tests").exists()
    last = simulator.requests[-1]["body"]["messages"][-1]["content"][0]
    assert last["is_error"] and "not now" in last["content"]


async def test_pilot_escape_cancels_the_turn_and_writes_nothing(simulator, project):
    from tui.widgets.tool_call import ToolCallView

    def no_call_left_running(app) -> None:
        # No row is left looking as if it still ran: the call the turn stopped at is finished, not applied.
        calls = list(app.pane("exec").query(ToolCallView))
        assert calls and all(call.finished is not None for call in calls)
        assert calls[-1].finished.applied is False and "Cancelled" in calls[-1].finished.output

    app = await _pilot_turn(simulator, project, [["escape"]], inside=no_call_left_running)
    assert [path.name for path in project.rglob("*.py")] == ["app.py"]  # the project's own file only
    assert "[x]" not in (project / "AUTH_PLAN.md").read_text()
    assert not app.session.panes["exec"].streaming


@pytest.mark.parametrize("drift", [False, True])
def test_the_demo_writes_code_that_keeps_the_decisions_in_its_context(simulator, project, monkeypatch, drift):
    # Issue #16's demo: "Implement the core authentication system according to AUTH_PLAN.md" with
    # CLAUDE.md saying Argon2id and 15-minute JWTs writes files that use both, and tests; with
    # [[sim:drift]] the files break the hashing decision instead.
    from tui.cli import main

    (project / "CLAUDE.md").write_text("# Rules\n\n- Use Argon2id for password hashing, not bcrypt.\n- JWTs expire after 15 minutes.\n")
    (project / "AUTH_PLAN.md").write_text(PLAN)
    monkeypatch.chdir(project)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    prompt = "Implement the core authentication system according to AUTH_PLAN.md [[sim:fast]]" + (" [[sim:drift]]" if drift else "")
    result = CliRunner().invoke(main, ["ask", "--pane", "exec", "--json", "--apply-edits", prompt])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    written = {edit["path"]: (project / edit["path"]).read_text() for edit in document["edits"] if edit["applied"] and edit["command"] == "create"}
    code = "\n".join(written.values())
    assert any("test" in path for path in written), written.keys()
    assert "timedelta(minutes=15)" in code or "15" in code
    if drift:
        assert "bcrypt" in code
    else:
        assert "argon2" in code.lower() and "bcrypt" not in code.lower()


async def test_a_dialog_that_opens_while_a_prompt_is_typed_holds_its_keys_until_a_pause(monkeypatch, tmp_path):
    """The dialog opens when the model reaches an edit, often while the user types the next prompt
    in the other pane: the letters of that sentence must not answer it ("a" would apply the rest
    of the turn). Held until the keys pause, then y answers."""
    import asyncio

    from textual.app import App

    from core.events import EditProposed
    from core.tools.text_editor import TextEditor
    from tests.app_pilot import wait_until
    from tui.screens import held_keys as edit_approval  # the hold's timings live there
    from tui.screens.edit_approval import KEYS, EditApproval

    answers = []

    class Host(App):
        def on_mount(self) -> None:
            edit = TextEditor(tmp_path).handle({"command": "create", "path": "notes.py", "file_text": "X = 1\n"})
            proposal = EditProposed("t1", "create", "notes.py", edit, asyncio.get_running_loop().create_future())
            self.push_screen(EditApproval(proposal, hold_keys=True), answers.append)

    app = Host()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval) and app.screen.keys_held)
        dialog = app.screen
        assert "You were typing" in str(dialog.query_one("#approval-keys").render())
        for key in "a plan":  # still typing: none of these answers
            await pilot.press(key if key != " " else "space")
        assert answers == [] and dialog.keys_held
        monkeypatch.setattr(edit_approval, "HOLD_UNTIL_QUIET", 0.02)  # the pause, shortened
        await wait_until(pilot, lambda: not dialog.keys_held, limit=200_000)
        assert str(dialog.query_one("#approval-keys").render()) == KEYS
        await pilot.press("y")
        await wait_until(pilot, lambda: answers)
        assert answers[0].action == "apply"


async def test_letters_typed_into_a_dialog_that_opened_mid_sentence_reach_the_prompt(monkeypatch, tmp_path):
    """Nothing typed is lost to a dialog the user had not seen yet: while its answers are held,
    letters (y and a among them), spaces and backspaces go on into the prompt they were typing
    in. Once released, a letter that answers nothing means they are still typing: it goes to the
    prompt too and holds the answers again. Then y applies, and the prompt keeps its text."""
    import asyncio

    from textual import events
    from textual.app import App

    from core.events import EditProposed
    from core.tools.text_editor import TextEditor
    from tests.app_pilot import wait_until
    from tui import keystrokes
    from tui.screens import held_keys as edit_approval  # the hold's timings live there
    from tui.screens.edit_approval import EditApproval
    from tui.widgets.prompt_input import PromptInput

    answers = []

    class Host(App):
        def compose(self):
            yield PromptInput(id="prompt")

        async def on_event(self, event) -> None:
            if isinstance(event, events.Key):
                keystrokes.note()  # as SegueApp notes every key
            await super().on_event(event)

        def open_dialog(self) -> None:
            prompt = self.query_one(PromptInput)
            edit = TextEditor(tmp_path).handle({"command": "create", "path": "notes.py", "file_text": "X = 1\n"})
            proposal = EditProposed("t1", "create", "notes.py", edit, asyncio.get_running_loop().create_future())
            self.push_screen(EditApproval(proposal, hold_keys=True, typing_into=prompt), answers.append)

    app = Host()
    async with app.run_test() as pilot:
        prompt = app.query_one(PromptInput)
        prompt.focus()
        await pilot.press(*"add")
        app.open_dialog()
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval) and app.screen.keys_held)
        dialog = app.screen
        assert "goes on into your prompt" in str(dialog.query_one("#approval-keys").render())
        await pilot.press("space", *"tests", "space", *"yay", "backspace")
        assert prompt.value == "add tests ya"
        typed = str(dialog.query_one("#held-typed").render())
        assert "Your prompt: add tests ya" in typed  # the prompt is under the dialog: shown here
        assert answers == [] and dialog.keys_held
        monkeypatch.setattr(edit_approval, "HOLD_UNTIL_QUIET", 0.02)  # the pause, shortened
        await wait_until(pilot, lambda: not dialog.keys_held, limit=200_000)
        await pilot.press("backspace")  # a released dialog's backspace edits nothing
        monkeypatch.setattr(edit_approval, "HOLD_UNTIL_QUIET", 60.0)
        await pilot.press("h")  # answers nothing: still typing
        assert prompt.value == "add tests yah" and dialog.keys_held and answers == []
        monkeypatch.setattr(edit_approval, "HOLD_UNTIL_QUIET", 0.02)
        await pilot.press("!")  # the latest key's pause is the one that counts
        await wait_until(pilot, lambda: not dialog.keys_held, limit=200_000)
        await pilot.press("y")
        await wait_until(pilot, lambda: answers)
        assert answers[0].action == "apply"
        assert app.screen is not dialog and prompt.value == "add tests yah!"


async def test_a_dialog_opened_just_after_a_key_holds_its_answers_even_with_the_prompt_empty(simulator, project, monkeypatch):
    """The prompt was empty (the user had just sent it, or moved to the other pane) and they
    start typing as the dialog appears: their letters go to that prompt and answer nothing."""
    from tests.app_pilot import make_app, send, turns_done, wait_until
    from tui.screens import held_keys as edit_approval  # the hold's timings live there
    from tui.screens.edit_approval import EditApproval

    (project / "AUTH_PLAN.md").write_text(PLAN)
    monkeypatch.setattr(edit_approval, "TYPING_WITHIN", 3600.0)  # however slowly the edit comes
    app = make_app(simulator, project, tools=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "exec", "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
        await wait_until(pilot, lambda: isinstance(app.screen, EditApproval))
        dialog = app.screen
        prompt = app.pane("exec").prompt_input
        assert dialog.keys_held and dialog.typing_into is prompt and prompt.value == ""
        await pilot.press(*"yes and a test")
        assert prompt.value == "yes and a test" and app.screen is dialog
        assert [path.name for path in project.rglob("*.py")] == ["app.py"]  # nothing applied
        monkeypatch.setattr(edit_approval, "HOLD_UNTIL_QUIET", 0.02)
        await wait_until(pilot, lambda: not dialog.keys_held, limit=200_000)
        await pilot.press("escape")
        await turns_done(app)
        await pilot.pause()
        assert prompt.value == "yes and a test"
        assert [path.name for path in project.rglob("*.py")] == ["app.py"]


# -- tools that fail ---------------------------------------------------------------------------


def _ask_exec(simulator, project, monkeypatch, prompt):
    from tui.cli import main

    monkeypatch.chdir(project)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", simulator.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    return CliRunner().invoke(main, ["ask", "--pane", "exec", "--json", "--apply-edits", prompt])


def _tool_results(simulator) -> list[dict]:
    return [
        block
        for request in simulator.requests
        for message in request["body"].get("messages", [])
        if message["role"] == "user" and isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]


def test_a_plan_that_cannot_be_written_is_an_error_for_the_model_and_the_turn_goes_on(simulator, project, monkeypatch):
    """A read-only project (or a full disk): ticking the plan's step failed with a traceback-less
    "Unexpected error", no JSON, the reply left "streaming" and its cost unrecorded. Now the model
    is told, as with an edit that cannot be written, and the turn ends normally."""
    import core.tools.checklist as checklist

    (project / "AUTH_PLAN.md").write_text(PLAN)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(checklist, "write_atomic", refuse)
    with pytest.raises(ValueError, match="could not write AUTH_PLAN.md: Permission denied; nothing was ticked"):
        PlanChecklist(project / "AUTH_PLAN.md").tick(1)
    result = _ask_exec(simulator, project, monkeypatch, "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert float(document["cost_usd"]) > 0 and any(edit["applied"] for edit in document["edits"])
    ticks = [block for block in _tool_results(simulator) if "ticked" in str(block["content"])]
    assert ticks and all(block.get("is_error") for block in ticks)
    assert str(ticks[0]["content"]) == "Error: could not write AUTH_PLAN.md: Permission denied; nothing was ticked."
    assert "[x]" not in (project / "AUTH_PLAN.md").read_text()


def test_a_tool_that_raises_is_an_error_answer_not_the_end_of_the_turn(simulator, project, monkeypatch):
    import core.engines.tool_loop as tool_loop

    (project / "AUTH_PLAN.md").write_text(PLAN)

    def broken(toolbox, tool_input):
        raise RuntimeError("the checklist broke")

    monkeypatch.setattr(tool_loop, "_complete_step", broken)
    result = _ask_exec(simulator, project, monkeypatch, "Implement step 1 of AUTH_PLAN.md [[sim:fast]]")
    assert result.exit_code == 0, result.output
    assert float(json.loads(result.stdout)["cost_usd"]) > 0
    answers = [str(block["content"]) for block in _tool_results(simulator) if block.get("is_error")]
    assert "Error: the complete_step tool failed: RuntimeError: the checklist broke" in answers


def test_an_engine_that_raises_mid_reply_keeps_the_text_and_its_cost(simulator, project, monkeypatch):
    """Whatever an engine throws, the reply so far and what it cost are stored, and the turn
    ends as failed with one sentence (the reply no longer stays "streaming", its cost lost)."""
    from core.costs.usage import TokenUsage
    from core.events import TextDelta, UsageUpdate
    from core.session import Session
    from core.store.database import Store

    class Surprising:
        async def turn(self, request, cancel):
            yield TextDelta("Half a reply")
            yield UsageUpdate(request.model, TokenUsage(input_tokens=1000, output_tokens=200))
            raise RuntimeError("the engine tripped")

    monkeypatch.setattr(Session, "engine_for", lambda self, pane: Surprising())
    result = _ask_exec(simulator, project, monkeypatch, "Say something")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["text"] == "Half a reply" and float(document["cost_usd"]) > 0
    assert "Unexpected error: RuntimeError: the engine tripped" in result.stderr
    store = Store()
    try:
        [reply] = [m for m in store.messages(document["session"]) if m.role == "assistant"]
        assert reply.status == "partial" and reply.text == "Half a reply"
        assert store.totals(document["session"]).cost_usd > 0
    finally:
        store.close()


def test_the_demo_writes_what_the_prompt_asks_not_the_plans_topic(simulator, project, monkeypatch):
    """In a project whose CLAUDE.md and plan are about authentication, the first-run hint's
    "Implement a CSV export of orders" wrote auth code: the simulator took the plan's topic for
    any prompt. A prompt that points at the plan still gets it."""
    (project / "CLAUDE.md").write_text("# Rules\n\n- Use Argon2id for password hashing, not bcrypt.\n")
    (project / "AUTH_PLAN.md").write_text(PLAN)
    written = []
    for prompt in ("Implement a CSV export of orders [[sim:fast]]", "Implement step 1 of AUTH_PLAN.md [[sim:fast]]"):
        result = _ask_exec(simulator, project, monkeypatch, prompt)
        assert result.exit_code == 0, result.output
        written.append([edit["path"] for edit in json.loads(result.stdout)["edits"] if edit["command"] == "create"])
    csv_files, plan_files = written
    assert any("csv" in path for path in csv_files) and not any(path.startswith("auth/") for path in csv_files)
    assert any(path.startswith("auth/") for path in plan_files)
