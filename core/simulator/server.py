"""The simulator's HTTP side: a stdlib ThreadingHTTPServer speaking the Messages API on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import random
import secrets
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from core.capabilities import to_api
from core.models import family_of
from core.simulator.contract import TABLE
from core.simulator import faults
from core.simulator.cache import PromptCache
from core.simulator.messages import (
    FAULT,
    FAULT_FRACTION,
    Event,
    Outcome,
    RequestError,
    MID_CONVERSATION_SYSTEM_BETA,
    decide,
    events,
    last_turn,
    stable_id,
    validate,
)
from core.simulator.tokens import input_total

log = logging.getLogger(__name__)

# Imitates the real models: seconds to the first token, then output tokens per second.
FIRST_TOKEN_SECONDS = {"opus": 0.6, "sonnet": 0.35, "haiku": 0.2, "other": 0.35}
TOKENS_PER_SECOND = {"opus": 45.0, "sonnet": 90.0, "haiku": 160.0, "other": 90.0}
NON_STREAMING_WAIT_CAP = 20.0  # a paced non-streaming reply waits for its whole text, up to this
FLUSH_BYTES = 32_768  # unpaced streams are written in blocks this size, paced ones per event
PRIVATE_HEADERS = frozenset({"x-api-key", "authorization"})
MODELS_EPOCH = datetime(2026, 3, 1, tzinfo=timezone.utc)
# The real API's request size limit for the Messages and Token Counting endpoints.
MAX_BODY_BYTES = 32 * 1024 * 1024
TOO_LARGE_MESSAGE = "Request exceeds the maximum allowed number of bytes. The maximum request size is 32 MB."
LISTEN_BACKLOG = 1024  # the stdlib's 5 reset a third of 200 concurrent connections
IDLE_TIMEOUT = 120.0  # seconds a connection may sit without sending a request before it is closed
REQUEST_LOG_SIZE = 256  # the most recent requests kept for tests and demos
REQUEST_LOG_BYTES = 64 * 1024 * 1024  # and no more than about this many body bytes among them
# The API's error type for an HTTP status the stdlib reports itself (malformed requests).
_ERROR_TYPES = {400: "invalid_request_error", 404: "not_found_error", 405: "not_found_error", 413: "request_too_large", 431: "request_too_large", 414: "request_too_large", 501: "not_found_error"}


def _error_body(kind: str, message: str, request_id: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}


class _BodyTooLarge(Exception):
    """The request body is over MAX_BODY_BYTES; it is not read (the connection is closed after the 413)."""


class RequestLog:
    """The most recent requests, oldest first: bounded in count and in body bytes.

    Reads like the list it replaces (len, [-1], iteration, truth), so tests that look at the
    last requests work unchanged; `total` counts every request ever logged.
    """

    def __init__(self, limit: int = REQUEST_LOG_SIZE, byte_limit: int = REQUEST_LOG_BYTES) -> None:
        self._entries: deque[tuple[dict[str, Any], int]] = deque()
        self._limit = limit
        self._byte_limit = byte_limit
        self._bytes = 0
        self.total = 0

    def append(self, entry: dict[str, Any], size: int = 0) -> None:
        self._entries.append((entry, size))
        self._bytes += size
        self.total += 1
        while len(self._entries) > self._limit or (self._bytes > self._byte_limit and len(self._entries) > 1):
            _, dropped = self._entries.popleft()
            self._bytes -= dropped

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (entry for entry, _ in list(self._entries))

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self._entries[index][0]

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, RequestLog)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment] - mutable, like the list it replaces

    def __repr__(self) -> str:
        return f"RequestLog({len(self)} of {self.total})"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], simulator: Simulator, listening: socket.socket | None = None) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        if listening is None:
            super().__init__(address, _Handler)
            return
        # A socket already listening (the demo reserves its port before the first frame):
        # connections made meanwhile wait in its backlog and are served from here on.
        super().__init__(address, _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listening
        self.server_address = listening.getsockname()

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[override]
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        # Clients hang up mid-stream all the time (Esc, retries); never print a traceback.
        log.debug("simulator connection error", exc_info=True)

    def close_connections(self) -> None:
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Dropped(Exception):
    """The connection was cut ([[sim:drop]], or the simulator stopping); write nothing more."""


class _Stopping(Exception):
    """The simulator is stopping: a paced reply in progress is cut off, not rushed out."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams
    server_version = "segue-simulator"

    def version_string(self) -> str:
        return self.server_version
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: the TUI owns the terminal, and bodies or keys must never be printed

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def sim(self) -> Simulator:
        return self.server.simulator

    def setup(self) -> None:
        # StreamRequestHandler applies `timeout` to the socket: an idle keep-alive connection
        # (or a client that stops mid-request) is closed instead of holding a thread forever.
        self.timeout = self.server.simulator.idle_timeout
        super().setup()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's answer to malformed HTTP (bad request line, unknown method), API-shaped: JSON, not HTML."""
        self.close_connection = True
        request_id = self.sim._next_id("req")
        kind = _ERROR_TYPES.get(code, "invalid_request_error" if code < 500 else "api_error")
        text = message or self.responses.get(code, ("Error",))[0]
        if not hasattr(self, "request_version") or self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"  # the stdlib would answer a garbled request line with no headers
        try:
            self._send_json(code, _error_body(kind, text, request_id), request_id, {"Connection": "close"})
        except OSError:
            pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline(64).split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                if len(data) + size > MAX_BODY_BYTES:
                    raise _BodyTooLarge
                data += self.rfile.read(size)
                self.rfile.readline(64)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise _BodyTooLarge  # refused before a byte of it is held in memory
        return self.rfile.read(length) if length > 0 else b""

    def _send_json(self, status: int, payload: dict[str, Any], request_id: str, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status, "Overloaded" if status == 529 else None)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", request_id)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, kind: str, message: str, request_id: str, extra: dict[str, str] | None = None) -> None:
        self._send_json(status, _error_body(kind, message, request_id), request_id, extra)

    def _route(self) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        return path, parse_qs(parts.query)

    # -- GET --------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        request_id = self.sim._next_id("req", self.sim._run)
        path, query = self._route()
        if path == "/v1/models" or path.startswith("/v1/models/"):
            self.sim._record(path, query, self.headers, {})
        if path == "/v1/models":
            self._send_json(200, _models_page(query), request_id)
        elif path.startswith("/v1/models/"):
            model_id = unquote(path.removeprefix("/v1/models/"))
            if model_id in TABLE:
                self._send_json(200, _model_json(model_id), request_id)
            else:
                self._send_error(404, "not_found_error", f"model: {model_id}", request_id)
        else:
            self._send_error(404, "not_found_error", f"Not found: GET {path}", request_id)

    # -- POST -------------------------------------------------------------------------------

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        request_id = self.sim._next_id("req", self.sim._run)
        path, query = self._route()
        try:
            raw = self._read_body()
        except _BodyTooLarge:
            self.close_connection = True  # the unread body must not be taken for the next request
            self._send_error(413, "request_too_large", TOO_LARGE_MESSAGE, request_id, {"Connection": "close"})
            return
        except (ValueError, OSError):
            self.close_connection = True
            self._send_error(400, "invalid_request_error", "The request body could not be read.", request_id)
            return
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        if path not in ("/v1/messages", "/v1/messages/count_tokens"):
            self._send_error(404, "not_found_error", f"Not found: POST {path}", request_id)
            return
        if isinstance(body, dict):
            self.sim._record(path, query, self.headers, body, len(raw))
        try:
            if body is None:
                raise RequestError(400, "invalid_request_error", "The request body is not valid JSON.")
            system_messages = MID_CONVERSATION_SYSTEM_BETA in self.headers.get("anthropic-beta", "")
            if path == "/v1/messages/count_tokens":
                validate(body, needs_max_tokens=False, system_messages=system_messages, seed=self.sim.seed)
                self._send_json(200, {"input_tokens": input_total(body)}, request_id)
                return
            self._messages(validate(body, system_messages=system_messages, seed=self.sim.seed), request_id)
        except RequestError as error:
            self._send_error(error.status, error.kind, error.message, request_id)
        except _Dropped:
            self.close_connection = True
        except _Stopping:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client went away; nothing to tell it

    def _messages(self, body: dict[str, Any], request_id: str) -> None:
        sim = self.sim
        markers = faults.parse(faults.last_user_text(body["messages"]))
        if faults.answers_tools(body["messages"]):
            # A tool loop's follow-up: the prompt's fault markers struck on its first request.
            markers = faults.Markers(fast=markers.fast, tokens=markers.tokens)
        digest = faults.body_hash(body)
        streaming = bool(body.get("stream"))
        user_last = last_turn(body["messages"]).get("role") == "user"
        if markers.auth:
            raise RequestError(401, "authentication_error", "invalid x-api-key")
        if markers.rate_limit and sim._ledger.first_time("429", digest):
            self._send_error(
                429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (simulated).",
                request_id, {"retry-after": "1"},
            )
            return
        if markers.overloaded and sim._ledger.first_time("529", digest):
            raise RequestError(529, "overloaded_error", "Overloaded")
        if not streaming and user_last:
            # A non-streaming reply has no middle: its mid-stream faults strike once, up front.
            if markers.overloaded_midstream and sim._ledger.first_time("overloaded-midstream", digest):
                raise RequestError(529, "overloaded_error", "Overloaded")
            if markers.drop and sim._ledger.first_time("drop", digest):
                self._drop()
        outcome = decide(body, seed=sim.seed, cache=sim._cache, serial=sim._next_serial())
        paced = sim.pacing and not outcome.markers.fast  # a continuation keeps its prompt's [[sim:fast]]
        family = family_of(outcome.model)
        if not streaming:
            if paced:
                wait = FIRST_TOKEN_SECONDS[family] + outcome.output_tokens / TOKENS_PER_SECOND[family]
                sim._pause(min(wait, NON_STREAMING_WAIT_CAP))
            self._send_json(200, outcome.message_json(), request_id)
            return
        fault = None
        if user_last and markers.overloaded_midstream:
            fault = "overloaded"
        elif user_last and markers.drop:
            fault = "drop"
        self._stream(outcome, request_id, paced, fault)

    def _drop(self) -> None:
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Dropped

    def _stream(self, outcome: Outcome, request_id: str, paced: bool, fault: str | None) -> None:
        sim = self.sim
        family = family_of(outcome.model)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("request-id", request_id)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        pending = bytearray()

        def flush() -> None:
            if pending:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(pending), bytes(pending)))
                pending.clear()
            self.wfile.flush()

        fault_at = max(1, int(len(outcome.text) * FAULT_FRACTION)) if fault else None
        rng = random.Random(f"{sim.seed}:{outcome.message_id}")
        if paced:
            sim._pause(FIRST_TOKEN_SECONDS[family])
        rate = TOKENS_PER_SECOND[family]
        for event in events(outcome, rng, fault_at=fault_at):
            if event is FAULT:
                if fault == "drop":
                    flush()
                    self._drop()
                pending += Event("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}).encode()
                break
            assert isinstance(event, Event)
            if paced and event.tokens:
                flush()
                sim._pause(event.tokens / rate)
            pending += event.encode()
            if paced or len(pending) >= FLUSH_BYTES:
                flush()
        flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _model_json(model_id: str) -> dict[str, Any]:
    """The Models API's object for a model of the simulator's own table (the one it validates with)."""
    index = list(TABLE).index(model_id)
    created = MODELS_EPOCH - timedelta(days=45 * index)
    return to_api(TABLE[model_id], created.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _models_page(query: dict[str, list[str]]) -> dict[str, Any]:
    """GET /v1/models with the API's cursor paging (limit, after_id, before_id)."""
    ids = list(TABLE)
    try:
        limit = max(1, min(1000, int(query.get("limit", ["20"])[0])))
    except ValueError:
        limit = 20
    after = query.get("after_id", [None])[0]
    before = query.get("before_id", [None])[0]
    if after in ids:
        ids = ids[ids.index(after) + 1 :]
        page, has_more = ids[:limit], len(ids) > limit
    elif before in ids:
        ids = ids[: ids.index(before)]
        page, has_more = ids[-limit:], len(ids) > limit
    else:
        page, has_more = ids[:limit], len(ids) > limit
    return {
        "data": [_model_json(model_id) for model_id in page],
        "has_more": has_more,
        "first_id": page[0] if page else None,
        "last_id": page[-1] if page else None,
    }


class Simulator:
    """The embedded Messages-API simulator: `base_url = sim.start()`, then any client, then `stop()`.

    pacing=False sends everything at once (tests); `sleep` replaces the pacing delay function
    (tests count or gate the pauses instead of measuring time).
    """

    def __init__(
        self,
        port: int = 0,
        seed: int = 0,
        pacing: bool = True,
        *,
        sleep: Callable[[float], Any] | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self.port = port
        self.seed = seed
        self.pacing = pacing
        self.idle_timeout = idle_timeout
        # The most recent POST /v1/messages and /v1/messages/count_tokens, in arrival order
        # (bounded: a long demo or a load test must not keep every body in memory).
        self.requests = RequestLog()
        self.count_token_requests = RequestLog()
        self.model_list_requests = RequestLog()  # GET /v1/models and /v1/models/{id}
        self.base_url: str | None = None
        self._sleep = sleep
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._serial = 0
        # Request ids differ between simulator runs, as the real API's do: Claude Code's
        # transcripts are deduplicated on (message id, request id), and message ids are
        # deterministic here, so two demo runs must not look like one message.
        self._run = secrets.token_hex(4)
        self._cache = PromptCache()
        self._ledger = faults.FaultLedger()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, listening: socket.socket | None = None) -> str:
        """Listen on 127.0.0.1 (port 0: any free port) and serve from daemon threads; returns the base URL.

        `listening`: a socket already bound and listening on 127.0.0.1 to serve instead.
        """
        if self._server is not None:
            return self.base_url or ""
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self.port), self, listening)
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="segue-simulator", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and cut open connections (a paced stream in progress ends at once)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- used by the handler ------------------------------------------------------------------

    def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._stopping.wait(seconds)  # wakes at once when the simulator stops
        if self._stopping.is_set():
            raise _Stopping

    def _next_serial(self) -> int:
        with self._lock:
            self._serial += 1
            return self._serial

    def _next_id(self, prefix: str, *salt: str) -> str:
        return stable_id(prefix, self.seed, self._next_serial(), prefix, *salt)

    def _record(self, path: str, query: dict[str, list[str]], headers: Any, body: dict[str, Any], size: int = 0) -> None:
        entry = {
            "path": path,
            "query": {name: values[-1] for name, values in query.items()},
            "headers": {name.lower(): value for name, value in headers.items() if name.lower() not in PRIVATE_HEADERS},
            "body": body,
        }
        with self._lock:
            if path == "/v1/messages":
                log = self.requests
            elif path.startswith("/v1/models"):
                log = self.model_list_requests
            else:
                log = self.count_token_requests
            log.append(entry, size)
