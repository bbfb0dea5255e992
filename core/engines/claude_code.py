"""Claude Code as an engine: a turn runs the real `claude` CLI and its stream-json becomes Segue's events.

Claude Code keeps its own conversation (`--resume <session_id>`), runs its own tools and
retries; Segue only reads what it prints. The API key goes to the child's environment and
nowhere else: never on the command line, never in a log or an error message.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.engines.client import Endpoint
from core.events import (
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnDone,
    TurnEvent,
    TurnFailed,
    UsageUpdate,
)
from core.engines.api import MAX_ATTEMPTS, TurnRequest
from core.engines.errors import sentence, status_failure, status_in_text
from core.engines.estimates import OutputEstimate
from core.costs.usage import TokenUsage

CLAUDE_ENV = "SEGUE_CLAUDE"  # an explicit path to the `claude` executable wins over PATH
SEGUE_ROOT = Path(__file__).resolve().parents[2]  # the repository: core/engines/ is two below
TERMINATE_GRACE = 3.0
EXIT_WAIT = 10.0  # seconds Claude Code gets to exit by itself after its result line  # seconds between SIGTERM and SIGKILL when a turn is cancelled
PIPE_SIZE = 1 << 20  # Linux lets a pipe hold this much without privileges; the default is 64 KiB
SYSTEM_ARG_LIMIT = 32 * 1024  # longer system text goes through a file: argv is capped at 128 KiB an argument
STDERR_KEEP = 4096  # the tail of stderr kept for the one-sentence error when Claude Code dies
# The simulator (demo mode) is offline: keep Claude Code from reaching for anything else.
QUIET_ENV = {
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_AUTOUPDATER": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
}


def find_claude(project_dir: Path | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The `claude` executable: $SEGUE_CLAUDE, then PATH, then a local npm install; None if absent."""
    environ = os.environ if environ is None else environ
    explicit = environ.get(CLAUDE_ENV, "").strip()
    if explicit:
        return explicit if _runnable(Path(explicit)) else None
    on_path = shutil.which("claude", path=environ.get("PATH"))
    if on_path:
        return on_path
    roots = [SEGUE_ROOT] + ([project_dir] if project_dir is not None else [])
    for root in roots:
        # `.tools/` is where Segue's own scripts install it; `node_modules/` is a plain `npm install`.
        for prefix in (root / ".tools", root):
            candidate = prefix / "node_modules" / ".bin" / "claude"
            if _runnable(candidate):
                return str(candidate)
    return None


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def system_text(request: TurnRequest) -> str:
    """The text of the request's system blocks, as one string for `--append-system-prompt`."""
    parts = []
    for block in request.system:
        text = block.get("text") if isinstance(block, dict) else None
        if isinstance(text, str) and text.strip():
            parts.append(text)
    return "\n\n".join(parts)


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def prompt_text(request: TurnRequest, *, resuming: bool) -> str:
    """What goes to Claude Code's stdin: the new prompt, with earlier exchanges when it has none of them.

    A resumed Claude Code session already holds the conversation. A fresh one (first turn, or a
    pane switched to Claude Code mid-conversation) gets the earlier exchanges as a transcript.
    """
    messages = [m for m in request.messages if isinstance(m, dict)]
    if not messages:
        return ""
    prompt = _message_text(messages[-1])
    earlier = messages[:-1]
    if resuming or not earlier:
        return prompt
    lines = ["<earlier-conversation>"]
    for message in earlier:
        speaker = "User" if message.get("role") == "user" else "Assistant"
        lines.append(f"{speaker}: {_message_text(message)}")
    lines.append("</earlier-conversation>")
    return "\n\n".join(lines) + "\n\n" + prompt


def command_line(
    claude: str,
    request: TurnRequest,
    *,
    resume: str | None = None,
    system_file: Path | None = None,
    permission_mode: str | None = None,
    effort: str | None = None,
) -> list[str]:
    """The argv for one print-mode turn. `system_file` holds the system text when it is too long for argv."""
    argv = [
        claude,
        "-p",
        "--output-format", "stream-json",
        "--verbose",  # stream-json in print mode requires it
        "--include-partial-messages",
        "--model", request.model,
    ]
    if system_file is not None:
        argv += ["--append-system-prompt-file", str(system_file)]
    else:
        system = system_text(request)
        if system:
            argv += ["--append-system-prompt", system]
    if resume:
        argv += ["--resume", resume]
    if permission_mode:
        argv += ["--permission-mode", permission_mode]
    if effort:
        argv += ["--effort", effort]
    return argv


def child_env(endpoint: Endpoint, base: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Claude Code's environment: ours, with the endpoint's URL and key, quiet in demo mode."""
    env = dict(os.environ if base is None else base)
    if endpoint.api_key:
        env["ANTHROPIC_API_KEY"] = endpoint.api_key
    else:
        env.pop("ANTHROPIC_API_KEY", None)  # no key: Claude Code uses the user's own login
    if endpoint.base_url:
        env["ANTHROPIC_BASE_URL"] = endpoint.base_url
    else:
        env.pop("ANTHROPIC_BASE_URL", None)
    if endpoint.demo:
        env.update(QUIET_ENV)
    # Claude Code retries 10 times by default, up to minutes; keep it to Segue's own count.
    env.setdefault("CLAUDE_CODE_MAX_RETRIES", str(MAX_ATTEMPTS - 1))
    env.update(extra or {})
    return env


# -- stream-json to events -----------------------------------------------------------------------


def _status(value: Any) -> int | None:
    """Claude Code's error_status / api_error_status as an int; None when there was no answer."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_PERMISSION = re.compile(r"permission|haven't granted|not allowed|denied", re.I)
EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})


def tool_target(tool_input: dict[str, Any]) -> str:
    """What a tool call is about, for its one-line title: a file, a command, a pattern."""
    for key in ("file_path", "notebook_path", "path", "command", "pattern", "url", "query", "description"):
        value = tool_input.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().splitlines()[0][:200]
    return ""


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def edit_diff(tool: str, tool_input: dict[str, Any], result: dict[str, Any]) -> str:
    """A unified diff of what a file tool changed, from its input (and Claude Code's result record)."""
    if tool not in EDIT_TOOLS:
        return ""
    import difflib

    path = str(tool_input.get("file_path") or tool_input.get("notebook_path") or "file")
    if tool == "Write":
        before = result.get("originalFile") if isinstance(result.get("originalFile"), str) else ""
        after = str(tool_input.get("content") or "")
    elif tool == "MultiEdit":
        edits = [e for e in tool_input.get("edits") or [] if isinstance(e, dict)]
        before = "\n...\n".join(str(e.get("old_string", "")) for e in edits)
        after = "\n...\n".join(str(e.get("new_string", "")) for e in edits)
    else:
        before, after = str(tool_input.get("old_string") or ""), str(tool_input.get("new_string") or "")
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), path, path, n=2
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass
class StreamMapper:
    """Turns Claude Code's stream-json lines into Segue events; holds the turn's text and usage.

    Usage within one API message is assigned (message_start, then message_delta's cumulative
    counts); a turn with tool calls has several messages, whose usage adds up.
    """

    model: str
    text: str = ""
    thinking: str = ""
    session_id: str | None = None
    stop_reason: str | None = None
    earlier: TokenUsage = field(default_factory=TokenUsage)
    current: TokenUsage = field(default_factory=TokenUsage)
    result: dict[str, Any] | None = None  # the final `result` line (cost, model usage, duration)
    messages: int = 0
    tool_calls: dict[str, ToolCallStarted] = field(default_factory=dict)  # by tool_use id, in call order
    denied: list[ToolCallFinished] = field(default_factory=list)  # calls a permission refused this turn
    demo: bool = False  # talking to the simulator: a 401 is its test marker, not a bad key
    _text_in_message: bool = False
    _estimate: OutputEstimate = field(default_factory=OutputEstimate)  # the current message's streamed characters

    @property
    def usage(self) -> TokenUsage:
        return self.earlier + self.current

    def _spent(self) -> TokenUsage:
        """Usage with the current message's output at least the streamed text's estimate.

        Output arrives only in message_delta; a message cut short still generated what streamed.
        """
        return self.earlier + self._estimate.applied(self.current)

    def _streamed_more(self, chars: int) -> list[TurnEvent]:
        if not self._estimate.add(chars):
            return []
        return [UsageUpdate(self.model, self._spent(), estimated=True)]  # a live estimate now and then, so meters move

    def feed(self, line: str | bytes) -> list[TurnEvent]:
        """Events for one line; malformed or unknown lines give none. A TurnDone/TurnFailed ends the turn."""
        try:
            data = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            return []
        if not isinstance(data, dict):
            return []
        try:
            return self._feed(data)
        except (AttributeError, TypeError, ValueError, KeyError):
            return []  # a line of an unexpected shape is skipped, like a malformed one

    def _feed(self, data: dict[str, Any]) -> list[TurnEvent]:
        kind = data.get("type")
        if isinstance(data.get("session_id"), str):
            self.session_id = data["session_id"]
        if kind == "stream_event":
            if data.get("parent_tool_use_id"):
                return []  # a subagent's own stream: its work reaches the user through the main reply
            event = data.get("event")
            return self._stream_event(event) if isinstance(event, dict) else []
        if kind == "system" and data.get("subtype") == "init":
            self.model = str(data.get("model") or self.model)
            return []
        if kind == "system" and data.get("subtype") == "api_retry":
            kind, _, reason = status_failure(_status(data.get("error_status")), demo=self.demo)
            if kind == "auth":
                return [self.failed(reason, "auth")]
            delay = float(data.get("retry_delay_ms") or 0) / 1000
            return [Retrying(int(data.get("attempt") or 0), delay, reason)]
        if kind == "result":
            return [self._result(data)]
        if data.get("parent_tool_use_id"):
            return []  # a subagent's own tool calls
        message = data.get("message")
        if kind == "assistant" and isinstance(message, dict):
            return self._tool_calls(message)
        if kind == "user" and isinstance(message, dict):
            return self._tool_results(message, data.get("tool_use_result"))
        return []  # hooks and statuses are not shown

    def _tool_calls(self, message: dict[str, Any]) -> list[TurnEvent]:
        """ToolCallStarted for each new tool_use (Claude Code repeats a message once per content block)."""
        events: list[TurnEvent] = []
        for block in message.get("content") or []:
            if not isinstance(block, dict) or block.get("type") != "tool_use":
                continue
            call_id = str(block.get("id") or "")
            if not call_id or call_id in self.tool_calls:
                continue
            tool_input = block.get("input") if isinstance(block.get("input"), dict) else {}
            started = ToolCallStarted(call_id, str(block.get("name") or "tool"), tool_target(tool_input), tool_input)
            self.tool_calls[call_id] = started
            events.append(started)
        return events

    def _tool_results(self, message: dict[str, Any], extra: Any) -> list[TurnEvent]:
        events: list[TurnEvent] = []
        for block in message.get("content") or []:
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            started = self.tool_calls.get(str(block.get("tool_use_id") or ""))
            if started is None:
                continue
            output = _result_text(block.get("content"))
            is_error = bool(block.get("is_error"))
            denied = is_error and _PERMISSION.search(output) is not None
            diff = "" if is_error else edit_diff(started.tool, started.input, extra if isinstance(extra, dict) else {})
            finished = ToolCallFinished(started.call_id, started.tool, started.target, output, is_error, denied, diff)
            if denied:
                self.denied.append(finished)
            events.append(finished)
        return events

    def _stream_event(self, event: dict[str, Any]) -> list[TurnEvent]:
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self.earlier, self.current = self.usage, TokenUsage().merged(message.get("usage") or {})
            self.model = str(message.get("model") or self.model)
            self.messages += 1
            self._text_in_message = False
            self._estimate.reset()
            return [UsageUpdate(self.model, self.usage)]
        if kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                piece = str(delta["text"])
                if not self._text_in_message and self.text and not self.text.endswith("\n\n"):
                    # A new message after a tool call: keep its text apart from the last one's.
                    piece = ("\n" if self.text.endswith("\n") else "\n\n") + piece
                self._text_in_message = True
                self.text += piece
                return [TextDelta(piece), *self._streamed_more(len(piece))]
            if delta.get("type") == "thinking_delta" and delta.get("thinking"):
                piece = str(delta["thinking"])
                self.thinking += piece
                return [ThinkingDelta(piece), *self._streamed_more(len(piece))]
            return []
        if kind == "message_delta":
            self.current = self.current.merged(event.get("usage") or {})
            self._estimate.reset()  # the real count has come
            self.stop_reason = (event.get("delta") or {}).get("stop_reason") or self.stop_reason
            return [UsageUpdate(self.model, self.usage)]
        return []

    def _result(self, data: dict[str, Any]) -> TurnDone | TurnFailed:
        self.result = data
        usage = self.usage
        if isinstance(data.get("usage"), dict):
            # The result's usage covers every API call of the turn; it is what was billed.
            usage = TokenUsage().merged(data["usage"])
        self.earlier, self.current = TokenUsage(), usage
        self._estimate.reset()
        if data.get("is_error") or data.get("subtype") != "success":
            return self._error_result(data)
        text = self.text
        if not text and isinstance(data.get("result"), str):
            text = self.text = data["result"]  # nothing streamed (no partial messages): the result has it
        return TurnDone(self.model, text, self.thinking, usage, data.get("stop_reason") or self.stop_reason)

    def _error_result(self, data: dict[str, Any]) -> TurnFailed:
        """A failed turn, worded like the API engine's for the same status (core.engines.errors)."""
        detail = str(data.get("result") or "").strip()
        status = _status(data.get("api_error_status")) or status_in_text(detail)
        if status is None:
            return self.failed(sentence(f"Claude Code stopped: {detail or data.get('subtype') or 'an error'}"), "other")
        kind, retryable, reason = status_failure(status, demo=self.demo)
        if kind == "auth":
            return self.failed(reason, "auth")
        # Claude Code retried it already (CLAUDE_CODE_MAX_RETRIES), as the API engine would have.
        if retryable:
            return self.failed(sentence(f"{reason}; Claude Code gave up"), kind)
        return self.failed(sentence(f"{reason}; Claude Code stopped" + (f": {detail}" if detail else "")), kind)

    def failed(self, message: str, kind: str) -> TurnFailed:
        kept = " The partial reply is kept." if self.text else ""
        return TurnFailed(message + kept, kind, self.text, self.thinking, self._spent(), self.model)

    def cancelled(self) -> TurnDone:
        return TurnDone(self.model, self.text, self.thinking, self._spent(), "cancelled", cancelled=True)


# -- the process --------------------------------------------------------------------------------


def _signal_group(process: asyncio.subprocess.Process, sig: int) -> None:
    """Signal Claude Code and the tools it started (its own process group, made at spawn)."""
    if process.returncode is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            pass


async def terminate(process: asyncio.subprocess.Process, grace: float | None = None) -> None:
    """SIGTERM, then SIGKILL if it is still there after `grace` seconds; returns once it is gone."""
    _signal_group(process, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=TERMINATE_GRACE if grace is None else grace)
    except TimeoutError:
        _signal_group(process, signal.SIGKILL)
        await process.wait()


def _pump(fd: int, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
    """Runs in a thread: read Claude Code's stdout as fast as it writes, then b"" at the end.

    Claude Code exits right after its result line and drops whatever it could not yet write
    to a full pipe, so its stdout must be drained at once, however busy the event loop is.
    """

    def put(item: bytes) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:
            pass  # the loop is closed: nobody is reading any more

    try:
        with open(fd, "rb", closefd=True) as pipe:
            for line in pipe:
                put(line)
    except OSError:
        pass
    put(b"")


def _stdout_pipe() -> tuple[int, int]:
    read_end, write_end = os.pipe()
    try:
        import fcntl

        # More room for bursts; the pump thread is what keeps it from filling.
        fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_SIZE)
    except (ImportError, OSError):
        pass
    return read_end, write_end


async def _drain(stream: asyncio.StreamReader | None, keep: bytearray) -> None:
    if stream is None:
        return
    while chunk := await stream.read(65536):
        keep += chunk
        del keep[:-STDERR_KEEP]


async def stream_claude_code(
    request: TurnRequest,
    cancel: asyncio.Event | None = None,
    *,
    endpoint: Endpoint,
    cwd: Path,
    claude: str,
    resume: str | None = None,
    permission_mode: str | None = None,
    env: Mapping[str, str] | None = None,
    mapper: StreamMapper | None = None,
    on_start: Any = None,
) -> AsyncIterator[TurnEvent]:
    """One turn through Claude Code; always ends with TurnDone or TurnFailed, like core.engines.api.stream_turn.

    `env` adds variables to the child's environment (tests: a temporary HOME). `mapper`, when
    given, is the StreamMapper used, so the caller can read the session id and the result
    line afterwards. `on_start(process)` is called once the process runs.
    """
    cancel = cancel or asyncio.Event()
    mapper = mapper or StreamMapper(request.model)
    mapper.model = request.model
    if cancel.is_set():
        yield mapper.cancelled()
        return
    scratch = None
    system = system_text(request)
    system_file = None
    if len(system.encode()) > SYSTEM_ARG_LIMIT:
        scratch = tempfile.TemporaryDirectory(prefix="segue-claude-")
        system_file = Path(scratch.name) / "system.md"
        system_file.write_text(system, encoding="utf-8")
    effort = getattr(request, "effort", None)  # per-pane effort, when the request carries one
    argv = command_line(
        claude, request, resume=resume, system_file=system_file, permission_mode=permission_mode,
        effort=effort if isinstance(effort, str) else None,
    )
    process = None
    stderr_tail = bytearray()
    drain = None
    lines: asyncio.Queue[bytes] = asyncio.Queue()
    read_end, write_end = _stdout_pipe()
    try:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=write_end,
                stderr=asyncio.subprocess.PIPE,
                cwd=str(cwd),
                env=child_env(endpoint, extra=env),
                start_new_session=True,  # its own process group: cancel stops its tools too
            )
        except OSError as error:
            os.close(read_end)
            yield TurnFailed(f"Claude Code could not be started ({claude}): {error.strerror or error}.", "other", model=request.model)
            return
        finally:
            os.close(write_end)  # the child has its own copy; ours would keep the pipe from ending
        threading.Thread(
            target=_pump, args=(read_end, asyncio.get_running_loop(), lines), name="claude-code-stdout", daemon=True
        ).start()
        if on_start is not None:
            on_start(process)
        drain = asyncio.ensure_future(_drain(process.stderr, stderr_tail))
        assert process.stdin is not None
        try:
            process.stdin.write(prompt_text(request, resuming=bool(resume)).encode())
            await process.stdin.drain()
            process.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass  # it died at once; its exit is reported below
        cancelled = asyncio.ensure_future(cancel.wait())
        try:
            while True:
                reading = asyncio.ensure_future(lines.get())
                done, _ = await asyncio.wait({reading, cancelled}, return_when=asyncio.FIRST_COMPLETED)
                if reading not in done:
                    reading.cancel()
                    await terminate(process)
                    yield mapper.cancelled()
                    return
                line = reading.result()
                if not line:
                    break
                for event in mapper.feed(line):
                    if isinstance(event, (TurnDone, TurnFailed)):
                        if mapper.result is not None:
                            # After its result Claude Code saves the session (for --resume) and
                            # exits within tens of milliseconds: let it, so nothing is cut short.
                            try:
                                await asyncio.wait_for(process.wait(), timeout=EXIT_WAIT)
                            except TimeoutError:
                                await terminate(process)
                        else:
                            await terminate(process)  # a 401 retry loop must not go on unseen
                        yield event
                        return
                    yield event
        finally:
            cancelled.cancel()
        code = await process.wait()
        await drain
        last = bytes(stderr_tail).decode(errors="replace").strip().splitlines()
        why = f": {last[-1].strip()}" if last else ""
        yield mapper.failed(sentence(f"Claude Code exited (code {code}) before finishing the reply{why}"), "other")
    finally:
        if process is not None and process.returncode is None:
            _signal_group(process, signal.SIGKILL)  # the consumer stopped early: leave nothing running
        if drain is not None and not drain.done():
            drain.cancel()
        if scratch is not None:
            scratch.cleanup()


class ClaudeCodeSession:
    """One pane's Claude Code conversation: each `send` resumes the session the last one left."""

    def __init__(
        self,
        endpoint: Endpoint,
        cwd: Path,
        claude: str,
        *,
        session_id: str | None = None,
        permission_mode: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.cwd = cwd
        self.claude = claude
        self.session_id = session_id  # Claude Code's own id; keep it to resume after a restart
        self.permission_mode = permission_mode
        self.env = dict(env or {})
        self.process: asyncio.subprocess.Process | None = None  # the last turn's process
        self.last_result: dict[str, Any] | None = None  # the last `result` line: total_cost_usd, modelUsage...

    def _started(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def send(self, request: TurnRequest, cancel: asyncio.Event | None = None) -> AsyncIterator[TurnEvent]:
        mapper = StreamMapper(request.model, demo=self.endpoint.demo)
        try:
            async for event in stream_claude_code(
                request,
                cancel,
                endpoint=self.endpoint,
                cwd=self.cwd,
                claude=self.claude,
                resume=self.session_id,
                permission_mode=self.permission_mode,
                env=self.env,
                mapper=mapper,
                on_start=self._started,
            ):
                yield event
        finally:
            # A cancelled turn still started a session that holds the prompt: resume that one.
            if mapper.session_id:
                self.session_id = mapper.session_id
            if mapper.result is not None:
                self.last_result = mapper.result


class Preflight:
    """Whether `claude` can run turns, checked once for all panes; a failure is checked again next time."""

    def __init__(self) -> None:
        self._ready = False  # checked and fine; until then every turn checks (they may fix it meanwhile)

    async def problem(self, claude: str, endpoint: Endpoint, env: Mapping[str, str]) -> str | None:
        """None when turns can run, else the one sentence saying what to do."""
        if self._ready:
            return None
        from core.engines import claude_code_setup

        problem = await claude_code_setup.preflight(claude, endpoint, child_env(endpoint, extra=env))
        self._ready = problem is None
        return problem


class ClaudeCodeEngine:
    """The claude CLI as an engine: one pane's ClaudeCodeSession, made at its first turn.

    `permission_mode()` is asked at each turn (the accept-edits toggle can change between
    turns); `on_session(id)` is told Claude Code's session id after each turn, to resume it
    after a restart. `preflight` is shared by the panes of one Segue session.
    """

    name = "claude-code"

    def __init__(
        self,
        endpoint: Endpoint,
        project_dir: Path,
        *,
        session_id: str | None = None,
        permission_mode: Any = None,
        on_session: Any = None,
        preflight: Preflight | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.project_dir = project_dir
        self._session_id = session_id
        self._permission_mode = permission_mode or (lambda: None)
        self._on_session = on_session or (lambda _id: None)
        self._preflight = preflight or Preflight()
        self.session: ClaudeCodeSession | None = None

    async def turn(self, request: TurnRequest, cancel: asyncio.Event) -> AsyncIterator[TurnEvent]:
        from core.engines import claude_code_setup

        if self.session is None:
            claude = find_claude(self.project_dir)
            if claude is None:
                yield TurnFailed(claude_code_setup.MISSING, "other", model=request.model)
                return
            env = claude_code_setup.environment(self.endpoint)
            problem = await self._preflight.problem(claude, self.endpoint, env)
            if problem is not None:
                yield TurnFailed(problem, "other", model=request.model)
                return
            self.session = ClaudeCodeSession(self.endpoint, self.project_dir, claude, session_id=self._session_id, env=env)
        session = self.session
        session.permission_mode = self._permission_mode()
        try:
            async for event in session.send(request, cancel):
                yield event
        finally:
            if session.session_id:
                self._on_session(session.session_id)

    async def aclose(self) -> None:
        """Stop a turn's process the consumer left running (normally each turn ends its own)."""
        process = self.session.process if self.session is not None else None
        if process is not None and process.returncode is None:
            await terminate(process)
