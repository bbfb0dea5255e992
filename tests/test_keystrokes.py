"""Work due while someone types waits for the gap after a key's frame (tui/keystrokes.py)."""

from __future__ import annotations

import pytest

from tui import keystrokes


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class Node:
    """Stands for a widget: its timers are run by the test."""

    def __init__(self) -> None:
        self.timers: list = []

    def set_timer(self, delay, callback):
        self.timers.append(callback)

    def tick(self) -> None:
        timers, self.timers = self.timers, []
        for callback in timers:
            callback()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(keystrokes, "time", clock)
    monkeypatch.setattr(keystrokes, "_last", 0.0)
    monkeypatch.setattr(keystrokes, "_shown", True)
    monkeypatch.setattr(keystrokes, "_shown_at", 0.0)
    return clock


def test_with_nobody_typing_the_work_runs_at_once(clock):
    ran = []
    wait = keystrokes.between_keys(Node(), lambda: ran.append(True))
    assert ran and not wait.pending


def test_while_typing_the_work_waits_for_the_gap_after_the_keys_frame(clock):
    node, ran = Node(), []
    keystrokes.note()
    wait = keystrokes.between_keys(node, lambda: ran.append(True))
    node.tick()
    assert not ran and wait.pending, "the key's frame is not out"
    keystrokes.drawn()
    node.tick()
    assert not ran, "the terminal writer's turn first"
    clock.now += (keystrokes.GAP_AFTER + keystrokes.GAP_WITHIN) / 2
    node.tick()
    assert ran and not wait.pending and not node.timers


def test_work_missing_the_gap_waits_for_the_next_key_but_not_past_its_limit(clock):
    node, ran = Node(), []
    keystrokes.note()
    keystrokes.drawn()
    clock.now += keystrokes.GAP_WITHIN * 1.5  # this key's gap is over; the next key comes soon
    keystrokes.between_keys(node, lambda: ran.append(True), longest=0.3)
    assert not ran
    clock.now += 0.1
    keystrokes.note()  # still typing: a new key, its frame not out
    node.tick()
    assert not ran
    clock.now += 0.2  # the limit
    node.tick()
    assert ran
