"""Live output estimates while a reply streams: the API reports output tokens only at the end of a message.

Both engines count the characters that streamed and, every ESTIMATE_EVERY_CHARS, report
usage with output of at least that many characters' worth, so the cost meters move; a
message cut short is billed what streamed, as the API bills it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.costs.usage import TokenUsage
from core.token_estimate import CHARS_PER_TOKEN

ESTIMATE_EVERY_CHARS = 160  # a live output estimate about every 40 tokens


def with_streamed_output(usage: TokenUsage, streamed_chars: int) -> TokenUsage:
    """`usage` with output tokens of at least the streamed text's estimate.

    The API reports output only in message_delta; a reply cut short before it still
    generated (and billed) what arrived.
    """
    guess = max(usage.output_tokens, streamed_chars // CHARS_PER_TOKEN)
    return replace(usage, output_tokens=guess)


@dataclass
class OutputEstimate:
    """The characters of text and thinking one API message has streamed so far."""

    streamed: int = 0
    estimated_at: int = 0

    def add(self, chars: int) -> bool:
        """Count `chars` more; True when a live estimate is due."""
        self.streamed += chars
        if self.streamed - self.estimated_at < ESTIMATE_EVERY_CHARS:
            return False
        self.estimated_at = self.streamed
        return True

    def applied(self, usage: TokenUsage) -> TokenUsage:
        return with_streamed_output(usage, self.streamed)

    def reset(self) -> None:
        """The real count has come (or a new message starts)."""
        self.streamed = self.estimated_at = 0
