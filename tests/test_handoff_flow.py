"""Issue 5 end to end in the app: save a plan, record a decision, hand off, watch files, send.

Driven with Pilot against the simulator over loopback; the watcher is the real one, so every
wait is on app state (the context line, `app.main.handoff.watching`, the dialog on screen), never a sleep.
"""

from __future__ import annotations

from tests.sent import plain_content

import os
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from tui.screens.decision_dialog import DecisionDialog
from tui.screens.files_screen import FilesScreen
from tui.screens.save_plan_dialog import SavePlanDialog
from tui.widgets.conversation import ReplyView
from app_pilot import make_app, send_and_wait, turns_done, wait_until

# Long enough (~1.6k tokens with the plan) for the simulator to cache it, as the API would.
RULE = "- Every public function has a docstring, a test, and no global state; errors are one sentence.\n"
BIG_RULES = "# Project rules\n\n" + RULE * 70








async def send(pilot, pane: str, prompt: str) -> None:
    """Send and wait for the whole turn."""
    await send_and_wait(pilot, pane, prompt)


def context_line(app) -> str:
    return str(app.pane("exec").query_one("#context-exec", Static).render())


def notices(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def started(pilot) -> None:
    """The app is up and its watcher has reported the files it started with."""
    await wait_until(pilot, lambda: pilot.app.main.handoff.watching)


def last_system(simulator) -> list[dict]:
    return simulator.requests[-1]["body"]["system"]


async def plan_and_save(pilot, simulator) -> Path:
    app = pilot.app
    await send(pilot, "plan", "Plan authentication for our app [[sim:tokens=400]]")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, SavePlanDialog))
    assert app.screen.query_one("#save-name", Input).value == "AUTH_PLAN.md"
    await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, SavePlanDialog))
    return app.session.project_dir / "AUTH_PLAN.md"


# -- 1. save the plan -----------------------------------------------------------------------


async def test_ctrl_s_saves_the_reply_as_auth_plan_and_never_clobbers(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "plan", "Plan authentication for our app [[sim:tokens=400]]")
        reply = app.pane("plan").query(ReplyView).last()
        assert app.main.handoff.unsaved_plan()

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SavePlanDialog))
        assert app.screen.query_one("#save-name", Input).value == "AUTH_PLAN.md"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, SavePlanDialog))

        plan = tmp_path / "AUTH_PLAN.md"
        # The reply as it streamed, ending in a line break so `echo ... >> AUTH_PLAN.md` adds a line.
        assert not reply.text.endswith("\n")
        assert plan.read_bytes() == (reply.text + "\n").encode("utf-8")
        assert not app.main.handoff.unsaved_plan()
        assert app.session.picked_plan == plan
        assert "AUTH_PLAN.md (v1)" in context_line(app)

        # The user edits the plan; saving again proposes a new name, and the old name asks first.
        plan.write_text("# Auth Plan\n\nmy own edits\n")
        await wait_until(pilot, lambda: "AUTH_PLAN.md (v2)" in context_line(app))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SavePlanDialog))
        name = app.screen.query_one("#save-name", Input)
        assert name.value == "AUTH_2_PLAN.md"
        name.value = "AUTH_PLAN.md"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SavePlanDialog), "an existing file is never replaced on Enter"
        assert app.screen.query_one("#save-overwrite").display
        assert "already exists" in str(app.screen.query_one("#save-status", Static).render())
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SavePlanDialog))
        assert plan.read_text() == "# Auth Plan\n\nmy own edits\n"
        assert not (tmp_path / "AUTH_2_PLAN.md").exists()


async def test_ctrl_s_while_the_plan_streams_saves_nothing(paced_simulator, tmp_path):
    app = make_app(paced_simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        app.pane("plan").prompt_input.value = "Plan authentication for our app [[sim:tokens=1500]]"
        await pilot.press("enter")
        pane = app.pane("plan")
        await wait_until(pilot, lambda: pane.query(ReplyView) and len(pane.query(ReplyView).last().text) > 20)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SavePlanDialog)
        assert any("still streaming" in message for message in notices(app))
        await pilot.press("escape")
        await turns_done(app)


# -- 2. record a decision ---------------------------------------------------------------------


async def test_ctrl_r_creates_claude_md_with_the_decision_and_the_plan_reference(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await plan_and_save(pilot, simulator)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionDialog))
        dialog = app.screen
        assert dialog.query_one("#decision-heading", Input).value == "Authentication"
        decision = dialog.query_one("#decision-text", Input)
        assert app.focused is decision
        decision.value = "Hash passwords with Argon2id"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, DecisionDialog))

        assert (tmp_path / "CLAUDE.md").read_text() == (
            "# CLAUDE.md\n\n## Authentication\n\n- Hash passwords with Argon2id\n"
            "- See AUTH_PLAN.md for architecture decisions.\n"
        )
        assert "CLAUDE.md (v1)" in context_line(app)
        # Segue's own write is not reported back as an outside change.
        await send(pilot, "exec", "Implement the login form")
        assert not any("CLAUDE.md changed" in message for message in notices(app))
        assert "Hash passwords with Argon2id" in last_system(simulator)[1]["text"]


async def test_ctrl_r_keeps_every_other_byte_of_an_existing_claude_md(simulator, tmp_path):
    original = (
        b"# House rules\r\n\r\nTabs, not spaces.\r\n\r\n## Authentication\r\n\r\n- Sessions expire in 12 h\r\n"
        b"\r\n```\r\n## not a heading\r\n```\r\n\r\n## Billing\r\n\r\n- Stripe only \xe2\x80\x94 no PayPal"
    )
    (tmp_path / "CLAUDE.md").write_bytes(original)
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await plan_and_save(pilot, simulator)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionDialog))
        app.screen.query_one("#decision-text", Input).value = "Hash passwords with Argon2id"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, DecisionDialog))

    written = (tmp_path / "CLAUDE.md").read_bytes()
    added = b"- Hash passwords with Argon2id\r\n- See AUTH_PLAN.md for architecture decisions.\r\n"
    assert written.count(added) == 1
    # The new lines sit at the end of the Authentication section, in the file's CRLF endings...
    assert written.index(b"## Authentication") < written.index(added) < written.index(b"## Billing")
    # ...and taking them out gives back the original, byte for byte (no final newline added).
    assert written.replace(added, b"", 1) == original


# -- 3. hand off ------------------------------------------------------------------------------


async def test_ctrl_o_puts_the_implement_prompt_in_the_execution_pane(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await plan_and_save(pilot, simulator)
        assert app.focused is app.pane("plan").prompt_input
        await pilot.press("ctrl+o")
        await pilot.pause()
        exec_input = app.pane("exec").prompt_input
        assert app.focused is exec_input
        assert exec_input.value == "Implement authentication according to AUTH_PLAN.md"
        assert exec_input.cursor_position == len(exec_input.value)

        await pilot.press("enter")
        await turns_done(app)
        body = simulator.requests[-1]["body"]
        assert body["model"] == "claude-sonnet-5-5"
        assert plain_content(body["messages"][-1]["content"]) == "Implement authentication according to AUTH_PLAN.md"
        assert last_system(simulator)[-1]["text"] == "# AUTH_PLAN.md\n\n" + (tmp_path / "AUTH_PLAN.md").read_text()


async def test_ctrl_o_without_a_plan_says_how_to_make_one(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.pane("exec").prompt_input.value == ""
        assert any("Ctrl+S" in message for message in notices(app))


# -- 4. edits from outside reach the next message ---------------------------------------------


async def test_external_edits_update_the_context_and_the_next_request_carries_them(simulator, tmp_path):
    claude = tmp_path / "CLAUDE.md"
    plan = tmp_path / "AUTH_PLAN.md"
    claude.write_text(BIG_RULES)
    plan.write_text("# Authentication Plan\n\n1. Argon2id for passwords.\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        assert context_line(app) == "context: CLAUDE.md (v1) · AUTH_PLAN.md (v1)"

        # An editor writing in place...
        claude.write_text(BIG_RULES + "- Passwords: Argon2id only.\n")
        await wait_until(pilot, lambda: "CLAUDE.md (v2)" in context_line(app))
        assert any("CLAUDE.md changed" in message for message in notices(app))
        # ...and one saving through a temporary file and a rename, as vim and VS Code do.
        temp = tmp_path / ".CLAUDE.md.swp"
        temp.write_text(BIG_RULES + "- Passwords: Argon2id only.\n- Sessions: 12 hours.\n")
        os.replace(temp, claude)
        await wait_until(pilot, lambda: "CLAUDE.md (v3)" in context_line(app))
        assert context_line(app) == "context: CLAUDE.md (v3) · AUTH_PLAN.md (v1)"

        await send(pilot, "exec", "Implement the password hashing")
        system = last_system(simulator)
        assert system[1]["text"] == "# CLAUDE.md\n\n" + claude.read_text()
        assert "Sessions: 12 hours." in system[1]["text"]
        assert system[2]["text"] == "# AUTH_PLAN.md\n\n" + plan.read_text()
        assert [("cache_control" in block) for block in system] == [False, False, True]
        assert system[-1]["cache_control"] == {"type": "ephemeral"}

        await send(pilot, "exec", "Now the login endpoint")
        rows = [row for row in app.store.usage_rows(app.session.id) if row.pane == "exec"]
        assert len(rows) == 2
        assert rows[0].usage.cache_creation_input_tokens > 1024
        assert rows[1].usage.cache_read_input_tokens == rows[0].usage.cache_creation_input_tokens
        assert "cached" in str(app.pane("exec").query_one("#cost-exec").render())

        # The versions shown are the ones the diff viewer has.
        versions = app.store.file_versions(str(claude))
        assert [v.text for v in versions][-1] == claude.read_text()
        assert len(versions) == 3


# -- 5. the files panel ------------------------------------------------------------------------


async def test_f3_lists_the_files_and_a_makes_another_plan_active(simulator, tmp_path):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Small commits.\n")
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n\n1. Argon2id.\n")
    (tmp_path / "NOTIFICATIONS_PLAN.md").write_text("# Notifications Plan\n\n1. A queue.\n")
    os.utime(tmp_path / "AUTH_PLAN.md", ns=(2 * 10**18, 2 * 10**18))  # newest: active by default
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        assert "AUTH_PLAN.md (v1)" in context_line(app)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, FilesScreen))
        options = app.screen.query_one(OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [row.split()[-1] if "active" not in row else row.split()[1] for row in rows] == [
            "CLAUDE.md", "AUTH_PLAN.md", "NOTIFICATIONS_PLAN.md"
        ]
        assert "active" in rows[1]
        assert options.highlighted == 1
        await pilot.press("down", "a")
        await pilot.pause()
        assert app.session.picked_plan == tmp_path / "NOTIFICATIONS_PLAN.md"
        assert "NOTIFICATIONS_PLAN.md (v1)" in context_line(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, FilesScreen))

        await send(pilot, "exec", "Implement the notifications queue")
        texts = [block["text"] for block in last_system(simulator)]
        assert texts[-1] == "# NOTIFICATIONS_PLAN.md\n\n# Notifications Plan\n\n1. A queue.\n"
        assert not any("Authentication Plan" in text for text in texts)
        assert app.store.get_session(app.session.id).active_plan == str(tmp_path / "NOTIFICATIONS_PLAN.md")


async def test_the_files_panel_follows_the_watcher(simulator, tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, FilesScreen))
        options = app.screen.query_one(OptionList)
        (tmp_path / "plans").mkdir()
        (tmp_path / "plans" / "billing.md").write_text("# Billing Plan\n")
        await wait_until(pilot, lambda: options.option_count == 3)
        assert "plans/billing.md" in str(options.get_option_at_index(2).prompt)


# -- 6. bad files ---------------------------------------------------------------------------------


async def test_a_binary_claude_md_is_reported_and_left_out(simulator, tmp_path):
    (tmp_path / "CLAUDE.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n\n1. Argon2id.\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: any("binary" in message for message in notices(app)))
        assert "CLAUDE.md left out (binary)" in context_line(app)
        assert "AUTH_PLAN.md (v1)" in context_line(app)

        await send(pilot, "exec", "Implement the password hashing")
        assert app.store.messages(app.session.id, "exec")[-1].status == "complete"
        texts = [block["text"] for block in last_system(simulator)]
        assert not any(text.startswith("# CLAUDE.md") for text in texts)
        assert texts[-1].startswith("# AUTH_PLAN.md")
        # After the turn the line still says what was left out.
        assert "CLAUDE.md left out (binary)" in context_line(app)

        (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Small commits.\n")
        await wait_until(pilot, lambda: "CLAUDE.md (v1)" in context_line(app))
        assert "left out" not in context_line(app)
        assert any("CLAUDE.md usable again" in message for message in notices(app))


async def test_a_huge_claude_md_written_later_is_reported_and_the_app_keeps_working(simulator, tmp_path):
    claude = tmp_path / "CLAUDE.md"
    claude.write_text("# Rules\n\n- Small commits.\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        assert "CLAUDE.md (v1)" in context_line(app)
        claude.write_text("# Rules\n\n" + "x" * 1_100_000)
        await wait_until(pilot, lambda: "left out" in context_line(app))
        assert "CLAUDE.md left out (larger than 1 MB)" in context_line(app)
        problem = [m for m in notices(app) if "larger than 1 MB" in m]
        assert problem and not any("CLAUDE.md changed" in m for m in notices(app))

        await send(pilot, "exec", "Implement the importer")
        assert app.store.messages(app.session.id, "exec")[-1].status == "complete"
        assert len(last_system(simulator)) == 1  # the instructions only

        claude.write_text("# Rules\n\n- Small commits.\n- Fixed.\n")
        await wait_until(pilot, lambda: "CLAUDE.md (v2)" in context_line(app))


# -- 7. deleting the plan --------------------------------------------------------------------------


async def test_deleting_the_active_plan_updates_the_context_line(simulator, tmp_path):
    (tmp_path / "CLAUDE.md").write_text("# Rules\n")
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        assert context_line(app) == "context: CLAUDE.md (v1) · AUTH_PLAN.md (v1)"
        (tmp_path / "AUTH_PLAN.md").unlink()
        await wait_until(pilot, lambda: "AUTH_PLAN.md" not in context_line(app))
        assert context_line(app) == "context: CLAUDE.md (v1)"
        assert any("AUTH_PLAN.md deleted" in message for message in notices(app))
        assert "AUTH_PLAN.md deleted" in str(app.query_one("#file-notice", Static).render())

        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.pane("exec").prompt_input.value == ""
        await send(pilot, "exec", "Implement the importer")
        assert [block["text"].split("\n", 1)[0] for block in last_system(simulator)][1:] == ["# CLAUDE.md"]


async def test_a_plan_appearing_beside_the_picked_one_is_not_said_to_be_in_the_context(simulator, tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        app.session.pick_plan(tmp_path / "AUTH_PLAN.md")
        (tmp_path / "BILLING_PLAN.md").write_text("# Billing Plan\n")
        await wait_until(pilot, lambda: any("BILLING_PLAN.md" in message for message in notices(app)))
        message = next(message for message in notices(app) if "BILLING_PLAN.md" in message)
        assert "added" in message and "next message uses" not in message
        assert "F3" in message
        assert context_line(app) == "context: AUTH_PLAN.md (v1)"


# -- conflicts and suggestions ------------------------------------------------------------------


async def test_claude_md_edited_while_the_decision_dialog_is_open_keeps_both(simulator, tmp_path):
    claude = tmp_path / "CLAUDE.md"
    claude.write_text("# Rules\n\n## Authentication\n\n- Sessions expire in 12 h\n")
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n\n## Decisions\n\n- **Argon2id** for passwords.\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionDialog))
        # Suggested from the plan file (no planning reply yet): its heading and first decision.
        assert app.screen.query_one("#decision-heading", Input).value == "Authentication"
        assert app.screen.query_one("#decision-text", Input).value == "Argon2id for passwords."

        theirs = "# Rules\n\n## Authentication\n\n- Sessions expire in 8 h\n"
        claude.write_text(theirs)
        await wait_until(pilot, lambda: "CLAUDE.md (v2)" in context_line(app))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog), "the conflict is shown, not dismissed"
        assert claude.read_text() == theirs
        copy = tmp_path / "CLAUDE.segue-conflict-1.md"
        assert copy.read_text() == (
            "# Rules\n\n## Authentication\n\n- Sessions expire in 12 h\n- Argon2id for passwords.\n"
            "- See AUTH_PLAN.md for architecture decisions.\n"
        )
        # The copy is not a handoff file: the context still carries the user's CLAUDE.md.
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DecisionDialog))
        assert context_line(app) == "context: CLAUDE.md (v2) · AUTH_PLAN.md (v1)"


def test_suggest_decision_takes_the_first_item_of_the_decisions_section():
    from tui.handoff import suggest_decision

    plan = (
        "# Auth Plan\n\n## Goals\n\n- Be safe.\n\n## Key Decisions\n\n"
        "1. **Argon2id** (64 MB, 3 passes) for `passwords`.\n2. Sessions in the DB.\n"
    )
    assert suggest_decision(plan) == "Argon2id (64 MB, 3 passes) for passwords."
    assert suggest_decision("# Auth Plan\n\n## Goals\n\n- Be safe.\n") == ""
    assert suggest_decision("") == ""


async def test_a_watcher_that_cannot_start_leaves_the_app_working(simulator, tmp_path, monkeypatch):
    import core.handoff.file_watch

    async def no_watching(*args, **kwargs):
        raise OSError(24, "OS file watch limit reached")
        yield  # pragma: no cover - an async generator that fails when first awaited

    monkeypatch.setattr(core.handoff.file_watch, "watch_project", no_watching)
    (tmp_path / "CLAUDE.md").write_text("# Rules\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: any("cannot watch" in message for message in notices(app)))
        assert not app.main.handoff.watching
        (tmp_path / "CLAUDE.md").write_text("# Rules\n\n- Read at send time anyway.\n")
        await send(pilot, "exec", "Implement the importer")
        assert "Read at send time anyway." in last_system(simulator)[1]["text"]
        # Only a send records a version (showing the context line does not): the text sent
        # is the first version Segue kept.
        assert "CLAUDE.md (v1)" in context_line(app)
        assert [v.text for v in app.store.file_versions(str(tmp_path / "CLAUDE.md"))] == [
            "# Rules\n\n- Read at send time anyway.\n"
        ]


async def test_handoff_keys_on_an_open_dialog_do_not_stack_dialogs(simulator, tmp_path):
    (tmp_path / "AUTH_PLAN.md").write_text("# Authentication Plan\n")
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "plan", "Plan notifications for our app [[sim:tokens=300]]")
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, FilesScreen))
        depth = len(app.screen_stack)
        await pilot.press("f3", "ctrl+r", "ctrl+o", "ctrl+s")
        await pilot.pause()
        assert len(app.screen_stack) == depth and isinstance(app.screen, FilesScreen)
        assert app.pane("exec").prompt_input.value == ""
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0])

        # Ctrl+S inside the save dialog saves, rather than opening another dialog.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, SavePlanDialog))
        name = app.screen.query_one("#save-name", Input).value
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
        assert (tmp_path / name).read_text() == app.main.handoff.last_plan_reply().text + "\n"


async def test_the_palette_opens_the_files_panel(simulator, tmp_path):
    app = make_app(simulator, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Files: CLAUDE")
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FilesScreen))
