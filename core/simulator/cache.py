"""Prompt caching as the API bills it: writes, then reads of the same prefix within the TTL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.models import family_of
from core.simulator.tokens import Segment, prefix_digests

MIN_CACHEABLE = {"haiku": 2048}
DEFAULT_MIN_CACHEABLE = 1024
LOOKBACK_BLOCKS = 20  # how far back from a breakpoint the API checks for a cached prefix


def minimum_cacheable(model: str) -> int:
    return MIN_CACHEABLE.get(family_of(model), DEFAULT_MIN_CACHEABLE)


@dataclass(frozen=True)
class InputUsage:
    input_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    ephemeral_1h_input_tokens: int = 0  # the part of the write made with a one-hour TTL

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


class PromptCache:
    """Cached prefixes per (model, prefix digest) with their expiry, shared by a server's threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._expiry: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def account(self, model: str, parts: list[Segment]) -> InputUsage:
        """Split a request's input into uncached, cache-write and cache-read tokens, and remember it.

        Like the API: every cache_control block is a breakpoint; from each, the API looks back
        up to LOOKBACK_BLOCKS blocks for the longest prefix still cached and reads it (so one
        marker moving to the newest message reads the previous turn's conversation), and the
        prefix up to the last breakpoint is written (the part not read). Prefixes shorter than
        the model's minimum are never cached. A read refreshes the TTL.
        """
        total = sum(part.tokens for part in parts)
        digests = prefix_digests(parts)
        minimum = minimum_cacheable(model)
        running = 0
        prefix_tokens: list[int] = []
        breakpoints: list[tuple[int, int]] = []  # (index, prefix tokens)
        for index, part in enumerate(parts):
            running += part.tokens
            prefix_tokens.append(running)
            if part.breakpoint and running >= minimum:
                breakpoints.append((index, running))
        if not breakpoints:
            return InputUsage(total, 0, 0)
        now = self._clock()
        with self._lock:
            read = 0
            for index, _tokens in breakpoints:
                for earlier in range(index, max(-1, index - LOOKBACK_BLOCKS), -1):
                    key = (model, digests[earlier])
                    if self._expiry.get(key, 0.0) > now:
                        read = max(read, prefix_tokens[earlier])
                        self._expiry[key] = now + parts[earlier].ttl_seconds
                        break
            last_index, last_tokens = breakpoints[-1]
            written = max(0, last_tokens - read)
            long_ttl = 0
            for index, tokens in breakpoints:
                key = (model, digests[index])
                if tokens > read or self._expiry.get(key, 0.0) <= now:
                    self._expiry[key] = now + parts[index].ttl_seconds
            # The write is split by the TTL of the breakpoint that covers each part: everything
            # up to the last one-hour breakpoint is a one-hour write (the API wants 1h before 5m).
            long_end = max((tokens for index, tokens in breakpoints if parts[index].ttl_seconds > 300), default=0)
            long_ttl = min(written, max(0, long_end - read))
        return InputUsage(total - read - written, written, read, long_ttl)
