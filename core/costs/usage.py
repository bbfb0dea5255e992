"""Token counts as the Messages API reports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenUsage:
    """`input_tokens` is the uncached input, as the API reports it; cache parts are separate."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0  # all cache writes, the one-hour part included
    cache_read_input_tokens: int = 0
    cache_creation_1h_input_tokens: int = 0  # the part of the write with a one-hour TTL (priced 2x input)

    @property
    def total_input(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def total(self) -> int:
        return self.total_input + self.output_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
            self.cache_creation_1h_input_tokens + other.cache_creation_1h_input_tokens,
        )

    def merged(self, reported: Any) -> TokenUsage:
        """Assign the fields an API usage object (or dict) reports; keep the others.

        `message_delta` usage is cumulative, so values replace, never add. The 5m/1h split of
        the cache write comes only in `message_start`'s `cache_creation` object (or
        `cache_creation_1h_input_tokens` in Segue's own JSON); a report without it keeps ours.
        """
        values = {}
        for name in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                     "cache_creation_1h_input_tokens"):
            value = _field(reported, name)
            values[name] = getattr(self, name) if value is None else int(value)
        split = _field(reported, "cache_creation")
        long_ttl = _field(split, "ephemeral_1h_input_tokens") if split is not None else None
        if long_ttl is not None:
            values["cache_creation_1h_input_tokens"] = int(long_ttl)
        return TokenUsage(**values)

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation_1h_input_tokens": self.cache_creation_1h_input_tokens,
        }


def _field(reported: Any, name: str) -> Any:
    return reported.get(name) if isinstance(reported, dict) else getattr(reported, name, None)
