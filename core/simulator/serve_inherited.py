"""The demo simulator in a process of its own, serving a listening socket the app handed down.

    python -m core.simulator.serve_inherited FD

FD is a socket already bound and listening on 127.0.0.1 (the app reserved the port, so its
requests wait in the backlog until this process serves). The process runs until its stdin
closes: the app closes it when it quits, and the system closes it if the app dies, so the
simulator never outlives the app. Its own interpreter means a streaming demo reply never
takes the UI thread's turn at Python's global lock.
"""

from __future__ import annotations

import socket
import sys


def main(argv: list[str]) -> int:
    listening = socket.socket(fileno=int(argv[1]))
    from core.simulator import Simulator

    simulator = Simulator(port=listening.getsockname()[1])
    simulator.start(listening)
    try:
        while sys.stdin.buffer.read(4096):
            pass  # the app never writes: only the end of the stream matters
    except (OSError, KeyboardInterrupt):
        pass
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
