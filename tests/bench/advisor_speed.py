"""Advisor speed: microseconds per prompt on the labelled set and on long pastes.

Prints µs per prompt for `advise()` and, as the in-process baseline, for just lower-casing
and splitting the same prompts (the least any text classifier must do), with the ratio.

    .venv/bin/python tests/bench/advisor_speed.py [rounds]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.advisor.matrix import advise  # noqa: E402

PROMPTS = [
    json.loads(line)["prompt"]
    for line in (ROOT / "tests" / "data" / "advisor_prompts.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
LONG = [
    "Here is the log:\n" + "2024-05-01 12:00:01 worker-3 ERROR queue full, dropping job 4411\n" * 300 + "Why does this happen?",
    "Please review this module and fix the KeyError in parse_args():\n" + "def f(x):\n    return x['verbose']\n" * 500,
]


def per_prompt_us(function, prompts: list[str], rounds: int) -> float:
    """Median over rounds of the mean time per prompt, in microseconds."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for prompt in prompts:
            function(prompt)
        samples.append((time.perf_counter() - start) / len(prompts) * 1e6)
    return statistics.median(samples)


def baseline(prompt: str) -> list[str]:
    return prompt.lower().split()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    advise(PROMPTS[0])  # compile-time costs are import-time costs, not per-prompt costs
    for name, prompts in (("labelled set", PROMPTS), ("long pastes", LONG)):
        ours = per_prompt_us(advise, prompts, rounds)
        base = per_prompt_us(baseline, prompts, rounds)
        print(
            f"{name:>12} ({len(prompts):3d} prompts): advise {ours:8.1f} µs/prompt · "
            f"lower+split {base:6.2f} µs/prompt · ratio {ours / base:6.1f}x · budget 1000 µs"
        )


if __name__ == "__main__":
    main()
