"""A store's one writer thread: a turn's writes run off the event loop, in the order given.

A `segue ask` (or any other process) holding the SQLite write lock makes a write wait up to
the busy timeout; on the event loop that would freeze the screen. Every write a turn makes
(user message, reply row, streaming flushes, final update, usage rows) is handed to this
single thread instead, so they still happen one after another in submission order, and the
loop only awaits the result where it needs it (the end of the turn).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class StoreWriter:
    """A FIFO of store writes run by one thread, started on first use.

    The thread is a ThreadPoolExecutor worker, which Python joins at interpreter exit, so
    writes already handed over (a cancelled reply's last rows) land before the process ends.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._guard = threading.Lock()

    def submit(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        with self._guard:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segue-store-writer")
            return self._executor.submit(write, *args, **kwargs)

    def drain(self) -> None:
        """Wait for every write handed over so far, then stop the thread (a later submit starts one)."""
        with self._guard:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
