"""The TUI's demo simulator: its port reserved at once, the server started without holding up
the first frame, in a process of its own.

Importing and starting the simulator costs about 50 ms of CPU, a fifth of a bare Textual app's
start, and a demo reply streaming at full speed keeps a CPU busy. In the app's own process both
took turns with the UI thread at Python's global lock, slowing the first frame's aftermath and
the keys typed while a reply streamed. So the server runs in a child process
(`core.simulator.serve_inherited`) that serves the socket reserved here; if a child can't be
started, it runs in a thread of this process as before. The socket listens from the start, so a
request made before the server runs waits in the backlog instead of being refused.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from core.simulator import Simulator

LISTEN_BACKLOG = 1024  # as core.simulator.server's (importing it is what this module defers)
STOP_WAIT = 5.0  # seconds the child gets to finish once told to stop, before it is killed

log = logging.getLogger(__name__)


class DeferredSimulator:
    """Quacks like a Simulator for the app's launcher: `base_url` now, `start()` later, `stop()`."""

    def __init__(self) -> None:
        self._listening: socket.socket | None = socket.create_server(("127.0.0.1", 0), backlog=LISTEN_BACKLOG)
        self.port: int = self._listening.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._simulator: Simulator | None = None
        self._starting: threading.Thread | None = None
        self._process: subprocess.Popen | None = None

    @property
    def simulator(self) -> Simulator | None:
        """The simulator running in this process, once started here (None in a child process)."""
        return self._simulator

    @property
    def in_child_process(self) -> bool:
        return self._process is not None

    def start(self) -> Simulator:
        """Import the simulator and serve on the reserved socket in this process (idempotent, any thread)."""
        with self._lock:
            if self._simulator is None:
                from core.simulator import Simulator

                listening, self._listening = self._listening, None
                simulator = Simulator(port=self.port)
                simulator.start(listening)
                self._simulator = simulator
            return self._simulator

    def start_in_background(self) -> None:
        """Serve without holding up the caller: from a child process, else from a thread here."""
        with self._lock:
            if self._process is not None or self._starting is not None or self._listening is None:
                return
            self._process = self._spawn(self._listening)
            if self._process is not None:
                # The child has its own copy of the socket; ours would keep the port open after it.
                self._listening.close()
                self._listening = None
                return
        self._starting = threading.Thread(target=self.start, name="segue-simulator-start", daemon=True)
        self._starting.start()

    @staticmethod
    def _spawn(listening: socket.socket) -> subprocess.Popen | None:
        fd = listening.fileno()
        # The child imports `core` from where this process found it, installed or not.
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        errors = _child_log()
        try:
            return subprocess.Popen(
                [sys.executable, "-m", "core.simulator.serve_inherited", str(fd)],
                pass_fds=(fd,), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
                env=env, cwd=root, start_new_session=True,  # Ctrl+C in the terminal is the app's to handle
            )
        except (OSError, ValueError) as error:  # no fork here, pass_fds unsupported...: a thread will do
            log.warning("demo simulator: no child process (%s); serving from a thread", error)
            return None
        finally:
            if not isinstance(errors, int):
                errors.close()  # the child has its own copy

    def stop(self) -> None:
        if self._starting is not None:
            self._starting.join(timeout=5)
        with self._lock:
            process, self._process = self._process, None
            if process is not None:
                _end(process)
            if self._simulator is not None:
                self._simulator.stop()
                self._simulator = None
            if self._listening is not None:
                self._listening.close()
                self._listening = None


def _child_log() -> IO[bytes] | int:
    """Where the child's errors go: Segue's log file (a traceback there says why demo replies
    stopped), else nowhere; never the terminal the app is drawing on."""
    from core import paths

    try:
        return open(paths.log_path(), "ab")  # noqa: SIM115 - handed to the child; _spawn closes this copy
    except OSError:
        return subprocess.DEVNULL


def _end(process: subprocess.Popen) -> None:
    """Close the child's stdin (its signal to stop), then wait; kill it if it does not go."""
    try:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=STOP_WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_WAIT)
    except OSError:
        pass
