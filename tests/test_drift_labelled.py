"""The drift check against a labelled set of (decision, reply) pairs: precision and recall."""

from __future__ import annotations

import json
from pathlib import Path

from core.drift.check import check_reply
from core.drift.decisions import read_line

PAIRS = Path(__file__).parent / "data" / "drift_pairs.jsonl"


def _pairs() -> list[dict]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _flagged(pair: dict) -> bool:
    decision = read_line(pair["decision"], "CLAUDE.md", 1, all_rules=True)
    assert decision is not None, pair["decision"]
    return bool(check_reply(pair["reply"], [decision]))


def test_labelled_set_is_big_and_balanced_with_tricky_follows():
    pairs = _pairs()
    assert len(pairs) >= 60
    drifted = sum(pair["drift"] for pair in pairs)
    assert 0.35 <= drifted / len(pairs) <= 0.65
    followed = [pair["reply"].lower() for pair in pairs if not pair["drift"]]
    assert sum(" not " in reply or "no " in reply or "rather than" in reply for reply in followed) >= 5
    assert any("900 seconds" in reply or "1800 seconds" in reply for reply in followed)


def test_precision_and_recall_on_the_labelled_set(capsys):
    tp = fp = fn = tn = 0
    misses = []
    for pair in _pairs():
        flagged = _flagged(pair)
        if flagged and pair["drift"]:
            tp += 1
        elif flagged:
            fp += 1
            misses.append(("false drift", pair))
        elif pair["drift"]:
            fn += 1
            misses.append(("missed drift", pair))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    with capsys.disabled():
        print(f"\ndrift check on {tp + fp + fn + tn} pairs: precision {precision:.2f}, recall {recall:.2f}")
        for kind, pair in misses:
            print(f"  {kind}: {pair['decision']!r} / {pair['reply'][:70]!r}")
    assert precision >= 0.9
    assert recall >= 0.8
