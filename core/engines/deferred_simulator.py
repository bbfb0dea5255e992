"""The TUI's demo simulator: its port reserved at once, the server started after the first frame.

Importing and starting the simulator costs about 50 ms, a fifth of a bare Textual app's start:
the first frame only needs the base URL. The socket listens from the start, so a request made
before the server runs waits in the backlog instead of being refused.
"""

from __future__ import annotations

import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.simulator import Simulator

LISTEN_BACKLOG = 1024  # as core.simulator.server's (importing it is what this module defers)


class DeferredSimulator:
    """Quacks like a Simulator for the app's launcher: `base_url` now, `start()` later, `stop()`."""

    def __init__(self) -> None:
        self._listening: socket.socket | None = socket.create_server(("127.0.0.1", 0), backlog=LISTEN_BACKLOG)
        self.port: int = self._listening.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._simulator: Simulator | None = None
        self._starting: threading.Thread | None = None

    @property
    def simulator(self) -> Simulator | None:
        """The running simulator, once started."""
        return self._simulator

    def start(self) -> Simulator:
        """Import the simulator and serve on the reserved socket (idempotent, any thread)."""
        with self._lock:
            if self._simulator is None:
                from core.simulator import Simulator

                listening, self._listening = self._listening, None
                simulator = Simulator(port=self.port)
                simulator.start(listening)
                self._simulator = simulator
            return self._simulator

    def start_in_background(self) -> None:
        """start() in a daemon thread: the UI thread stays free for keys."""
        if self._starting is None:
            self._starting = threading.Thread(target=self.start, name="segue-simulator-start", daemon=True)
            self._starting.start()

    def stop(self) -> None:
        if self._starting is not None:
            self._starting.join(timeout=5)
        with self._lock:
            if self._simulator is not None:
                self._simulator.stop()
                self._simulator = None
            if self._listening is not None:
                self._listening.close()
                self._listening = None
