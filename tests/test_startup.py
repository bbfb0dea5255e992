"""Start-up (issue #15): the first frame imports only what it shows, and the app takes a prompt
before the SDK is loaded: the send waits for the SDK, then goes out and is answered."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app_pilot import make_app, record_notices, turns_done, wait_until
from core import capabilities
from core.engines import client as client_module
from core.session import Session
from core.settings import Settings
from core.engines.client import demo_endpoint

ROOT = Path(__file__).resolve().parent.parent

# Loaded after the first frame, or only when used; none of them may be in the first frame.
LATER = (
    "anthropic",  # the SDK: most of a second, in a worker thread after the input is ready
    "httpx2",  # the SDK's HTTP client
    "pydantic",
    "genai_prices",  # price data: the warm-up thread
    "watchfiles",  # the project watcher, armed after the first frame
    "core.simulator",  # the demo server: its port is reserved, its code starts after the frame
    "core.simulator.server",
    "core.engines.api",  # the turn itself
    "tui.screens.files_screen",  # F3 (it imports Markdown)
    "tui.screens.diff_screen",
    "tui.screens.model_picker",
    "tui.screens.cost_screen",
    "tui.screens.sessions_screen",
    "tui.widgets.plan_checklist",  # hidden until a plan has steps: mounted after the frame
    "tui.widgets.conversation",
    "core.advisor.matrix",
    "textual.widgets._markdown",
    "core.events",  # the turn's events: 13 dataclasses, 5 ms (the warm-up thread, or the first turn)
    "tomllib",  # read only when there is a settings file (the tests have none)
    "hashlib",  # file digests: when a file is read or written
    "core.engines.claude_code_setup",  # a pane on Claude Code: its badge imports it
    "secrets",
)

FIRST_FRAME = """
import json, sys
from pathlib import Path
from core.settings import load_settings
from core.engines.client import choose_endpoint
from tui.launch import build_app, start_simulator

endpoint, simulator = choose_endpoint(True, deferred=True)
app = build_app(Path(sys.argv[1]), endpoint, load_settings(), new_session=True)
start_simulator(app, simulator)
seen = {}
display = app._display

def first_frame_written(screen, update):
    # The modules loaded when the first frame goes out: what comes after it may already be
    # starting (the simulator in its thread), so the exit below is too late to look.
    if "modules" not in seen and update is not None:
        seen["modules"] = sorted(sys.modules)
        seen["screen"] = type(screen).__name__
        seen["focused"] = type(app.focused).__name__
    display(screen, update)

app._display = first_frame_written

async def auto_pilot(pilot):
    pilot.app.call_after_refresh(pilot.app.exit)

app.run(headless=True, size=(160, 48), auto_pilot=auto_pilot)
simulator.stop()
print(json.dumps(seen))
"""


def test_the_first_frame_leaves_the_sdk_and_the_later_screens_unimported(tmp_path):
    """`segue --demo` as tui.launch starts it, in a fresh interpreter, stopped at its first frame."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    modules = set(seen["modules"])
    assert seen["screen"] == "MainScreen" and seen["focused"] == "PromptInput"  # the probe saw the real frame
    early = sorted(name for name in modules if any(name == later or name.startswith(later + ".") for later in LATER))
    assert early == []


class SlowSdk:
    """Stands in for `core.engines.client.import_sdk` while the SDK is still loading: it returns
    only once the test calls `loaded()`, like an import that takes a while, on whatever thread."""

    def __init__(self, monkeypatch) -> None:
        self._done = threading.Event()
        self.started = threading.Event()
        self._lock = threading.Lock()
        self.waiting = 0  # callers blocked in the import right now
        monkeypatch.setattr(client_module, "_sdk_imported", False)
        monkeypatch.setattr(client_module, "import_sdk", self._import)

    def _import(self) -> None:
        with self._lock:
            self.waiting += 1
        self.started.set()
        try:
            assert self._done.wait(60), "the test never let the SDK finish loading"
        finally:
            with self._lock:
                self.waiting -= 1
        client_module._sdk_imported = True

    def loaded(self) -> None:
        self._done.set()


async def test_a_prompt_sent_while_the_sdk_loads_waits_for_it_and_is_answered(simulator, tmp_path, monkeypatch):
    from core.simulator.faults import last_user_text
    from tui.widgets.conversation import ReplyView, UserMessage

    sdk = SlowSdk(monkeypatch)
    app = make_app(simulator, tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            notices = record_notices(app)
            plan = app.pane("plan")
            # Ready for typing at once: the input has the focus and takes keys.
            assert app.focused is plan.prompt_input
            await pilot.press(*"Plan")
            assert plan.prompt_input.value == "Plan"
            await pilot.press("enter")
            # The send is under way and waits for the SDK: the prompt left the box and shows in
            # the pane, nothing reached the API yet, nothing went wrong.
            # Two callers wait for the SDK: the start-up warm-up and this send.
            await wait_until(pilot, lambda: sdk.waiting == 2 and app.session.panes["plan"].streaming)
            await wait_until(pilot, lambda: plan.query(UserMessage))
            assert simulator.requests == [] and plan.prompt_input.value == ""
            # Keys still work meanwhile.
            await pilot.press("tab")
            assert app.focused is app.pane("exec").prompt_input
            sdk.loaded()
            await turns_done(app)
            await pilot.pause()
            assert [last_user_text(request["body"]["messages"]) for request in simulator.requests] == ["Plan"]
            assert plan.query(ReplyView).first().text.strip()
            assert not app.session.panes["plan"].streaming
            assert notices == []
    finally:
        sdk.loaded()


async def test_the_models_list_loads_without_the_sdk(simulator, tmp_path, monkeypatch):
    """At start-up the catalog comes from the endpoint's Models API while the SDK is still loading."""
    sdk = SlowSdk(monkeypatch)
    app = make_app(simulator, tmp_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: capabilities.current().fresh)
            assert not client_module._sdk_imported
            assert capabilities.current().ids == [caps.id for caps in capabilities.BUNDLED]
            assert [request["path"] for request in simulator.model_list_requests] == ["/v1/models"]
            sdk.loaded()
    finally:
        sdk.loaded()


async def test_a_session_send_waits_for_the_sdk(simulator, tmp_path, monkeypatch):
    """The same in core: Session.send before the SDK is loaded is not an error, it waits."""
    import asyncio

    sdk = SlowSdk(monkeypatch)
    session = Session(demo_endpoint(simulator.base_url), Settings(plan_thinking=False, tools=False), tmp_path)
    try:
        events = []

        async def run() -> None:
            async for event in session.send("plan", "Plan it [[sim:fast]]"):
                events.append(type(event).__name__)

        turn = asyncio.create_task(run())
        await asyncio.to_thread(sdk.started.wait, 30)
        assert events == ["TurnStarted"] and simulator.requests == []
        sdk.loaded()
        await asyncio.wait_for(turn, 60)
        assert events[-1] == "TurnDone" and len(simulator.requests) == 1
    finally:
        sdk.loaded()
        await session.aclose()


@pytest.mark.parametrize("refused", [401, 500])
async def test_a_models_list_the_endpoint_refuses_leaves_the_bundled_table(refused, tmp_path):
    """Offline or refused, start-up goes on with the bundled table (and no SDK is needed to find out)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Refusing(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(refused)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        catalog = await capabilities.load(demo_endpoint(f"http://127.0.0.1:{server.server_port}"))
    finally:
        server.shutdown()
        server.server_close()
    assert not catalog.fresh and catalog.ids == [caps.id for caps in capabilities.BUNDLED]
