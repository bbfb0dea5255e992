"""Shared fixtures: an isolated SEGUE_HOME for every test, and the embedded simulator."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def segue_home(tmp_path_factory, monkeypatch):
    """Every test gets its own Segue data/config dir and no real API key."""
    home = tmp_path_factory.mktemp("segue-home")
    monkeypatch.setenv("SEGUE_HOME", str(home))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    for variable in ("SEGUE_PLAN_EFFORT", "SEGUE_EXEC_EFFORT"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture(autouse=True)
def model_catalog():
    """Every test starts from the bundled capabilities table; one that installs another gets it undone."""
    from core import capabilities

    capabilities.use(capabilities.Catalog())
    yield
    capabilities.use(capabilities.Catalog())


@pytest.fixture
def simulator():
    """The Messages-API simulator on 127.0.0.1 without pacing."""
    from core.simulator import Simulator

    with Simulator(pacing=False) as sim:
        yield sim


@pytest.fixture
def paced_simulator():
    """The simulator with real-model pacing, for tests that act mid-stream."""
    from core.simulator import Simulator

    with Simulator(pacing=True) as sim:
        yield sim
