"""`segue simulator`: the embedded Messages-API simulator as a server for curl, Claude Code or the SDK."""

from __future__ import annotations

import signal
import sys
import threading

import click


@click.command("simulator")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the deterministic replies.")
@click.option("--fast", is_flag=True, help="No pacing: send every reply at once instead of at model speed.")
def simulator_command(port: int, seed: int, fast: bool) -> None:
    """Run the Messages-API simulator on 127.0.0.1 until Ctrl+C."""
    from core.engines.client import DEMO_API_KEY
    from core.simulator import Simulator

    simulator = Simulator(port=port, seed=seed, pacing=not fast)
    try:
        base_url = simulator.start()
    except OSError as error:
        click.echo(f"Cannot listen on 127.0.0.1:{port}: {error.strerror or error}.", err=True)
        sys.exit(1)
    done = threading.Event()

    def finish(*_: object) -> None:
        done.set()

    # SIGTERM (kill, a supervisor) stops as cleanly as Ctrl+C; SIGINT is set explicitly because
    # a shell starts background jobs with it ignored.
    previous = {number: signal.signal(number, finish) for number in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"Segue simulator listening on {base_url} (seed {seed}{', no pacing' if fast else ''}).")
    click.echo("Use it from a shell with:")
    click.echo(f"  export ANTHROPIC_BASE_URL={base_url}")
    click.echo(f"  export ANTHROPIC_API_KEY={DEMO_API_KEY}")
    click.echo("Press Ctrl+C to stop.")
    try:
        # wait() with a timeout keeps the main thread responsive to Ctrl+C on every platform.
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        simulator.stop()
    click.echo("Simulator stopped.")
