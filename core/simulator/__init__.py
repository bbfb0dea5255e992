"""The embedded Messages-API simulator: demo mode, `segue simulator` and the tests' real HTTP path."""

from core.simulator.server import Simulator

__all__ = ["Simulator"]
