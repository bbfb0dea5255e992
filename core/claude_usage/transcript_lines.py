"""Turn the bytes of a Claude Code transcript (JSON Lines) into usage records, fast and forgivingly."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple

SYNTHETIC_MODEL = "<synthetic>"
UNKNOWN_MODEL = "unknown"

# Substrings every usage line must contain, whatever its spacing. Checking them on the raw
# bytes lets most lines (user turns, tool results, summaries) skip JSON decoding entirely.
_USAGE_MARK = b'"usage"'
_ASSISTANT_MARK = b'"assistant"'

# A token count above this is not a count Claude Code wrote (a million-token context is 10^6):
# summing it would turn one hostile line into an absurd bill.
MAX_TOKEN_COUNT = 10**9
_COUNT_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")

# Why a line was skipped: the keys of `segue usage --json`'s "skipped_reasons".
INVALID_JSON = "invalid_json"
NON_FINITE_NUMBER = "non_finite_number"  # NaN, Infinity, or a float too large (1e400)
TOO_DEEPLY_NESTED = "too_deeply_nested"
LINE_TOO_LONG = "line_too_long"
WRONG_FIELD_TYPE = "wrong_field_type"
BAD_TIMESTAMP = "bad_timestamp"
NEGATIVE_TOKEN_COUNT = "negative_token_count"
NON_INTEGER_TOKEN_COUNT = "non_integer_token_count"
TOKEN_COUNT_TOO_LARGE = "token_count_too_large"
UNREADABLE_FILE = "unreadable_file"  # a whole file, counted once


class SkippedLine(Exception):
    """A line that holds usage we will not count; `reason` is one of the constants above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _no_constants(name: str) -> object:
    # json.loads accepts NaN and Infinity by default; no real transcript has them.
    raise SkippedLine(NON_FINITE_NUMBER)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise SkippedLine(NON_FINITE_NUMBER)  # 1e400
    return value


def decode_line(line: bytes) -> object:
    """json.loads, strict about what real transcripts never hold; SkippedLine says why a line is refused."""
    try:
        return json.loads(line, parse_constant=_no_constants, parse_float=_finite_float)
    except SkippedLine:
        raise
    except RecursionError:
        raise SkippedLine(TOO_DEEPLY_NESTED) from None
    except ValueError:  # includes UnicodeDecodeError; int() of a 5000-digit number too
        raise SkippedLine(INVALID_JSON) from None


class UsageRecord(NamedTuple):
    """One counted assistant message (one copy of it, before cross-file deduplication)."""

    message_id: str | None
    request_id: str | None
    timestamp: float  # seconds since the epoch, UTC
    model: str
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    session_id: str
    offset: int  # byte offset of the line in its file: "first seen" order within a file
    project: str  # the directory under projects/ the file lives in
    # The one-hour part of the cache write (usage.cache_creation.ephemeral_1h_input_tokens),
    # priced at 2x input; ccusage prices it as a 5-minute write and undercounts.
    cache_creation_1h_input_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def total_input(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def dedupe_key(self) -> tuple[str, str | None] | None:
        """(message.id, requestId); None for lines without a message id (never deduplicated)."""
        return None if self.message_id is None else (self.message_id, self.request_id)


@dataclass
class ParsedChunk:
    records: list[UsageRecord] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> lines skipped for it
    consumed: int = 0  # bytes up to and including the last newline; a partial last line waits
    cwd: str | None = None  # the working directory Claude Code recorded, for showing the project

    @property
    def malformed(self) -> int:
        """Lines skipped for any reason (not valid JSON, or usage that is not a sane count)."""
        return sum(self.skipped.values())


def parse_timestamp(value: object) -> float | None:
    """ISO 8601 -> epoch seconds; a timestamp without an offset is taken as UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _count(usage: dict, name: str) -> int:
    """A token count: absent is 0; anything but a sane non-negative integer skips the line."""
    value = usage.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SkippedLine(WRONG_FIELD_TYPE)
    if isinstance(value, float):
        if not value.is_integer():
            raise SkippedLine(NON_INTEGER_TOKEN_COUNT)
        value = int(value)  # 12.0 is how some JSON writers spell 12
    if value < 0:
        raise SkippedLine(NEGATIVE_TOKEN_COUNT)
    if value > MAX_TOKEN_COUNT:
        raise SkippedLine(TOKEN_COUNT_TOO_LARGE)
    return value


def record_from_line(obj: object, offset: int, project: str, fallback_session: str) -> UsageRecord | None:
    """The usage record a decoded line holds, or None if it holds none we count.

    An assistant line whose usage cannot be trusted (wrong types, a bad time, a count that
    is negative, fractional or absurd) raises SkippedLine, so it is counted, never summed.
    """
    if not isinstance(obj, dict) or obj.get("type") != "assistant":
        return None
    message = obj.get("message")
    if message is None:
        return None
    if not isinstance(message, dict):
        raise SkippedLine(WRONG_FIELD_TYPE)
    usage = message.get("usage")
    if usage is None:
        return None
    if not isinstance(usage, dict):
        raise SkippedLine(WRONG_FIELD_TYPE)
    model = message.get("model")
    if model == SYNTHETIC_MODEL:
        return None
    if model is not None and not isinstance(model, str):
        raise SkippedLine(WRONG_FIELD_TYPE)
    timestamp = parse_timestamp(obj.get("timestamp"))
    if timestamp is None:
        raise SkippedLine(BAD_TIMESTAMP)
    counts = [_count(usage, name) for name in _COUNT_FIELDS]
    message_id = message.get("id")
    request_id = obj.get("requestId")
    session = obj.get("sessionId")
    return UsageRecord(
        message_id if isinstance(message_id, str) and message_id else None,
        request_id if isinstance(request_id, str) and request_id else None,
        timestamp,
        model if isinstance(model, str) and model else UNKNOWN_MODEL,
        *counts,
        session if isinstance(session, str) and session else fallback_session,
        offset,
        project,
        _one_hour_write(usage),
    )


def _one_hour_write(usage: dict) -> int:
    split = usage.get("cache_creation")
    if not isinstance(split, dict):
        return 0
    return min(_count(split, "ephemeral_1h_input_tokens"), _count(usage, "cache_creation_input_tokens"))


def parse_chunk(data: bytes, base_offset: int, project: str, fallback_session: str) -> ParsedChunk:
    """Records from the complete lines of `data` (which starts at `base_offset` in its file)."""
    chunk = ParsedChunk()
    end = data.rfind(b"\n")
    if end < 0:
        return chunk
    chunk.consumed = end + 1
    records = chunk.records
    skipped = chunk.skipped
    position = base_offset
    for line in data[:end].split(b"\n"):
        line_offset = position
        position += len(line) + 1
        if _USAGE_MARK not in line or _ASSISTANT_MARK not in line:
            # Not decoded, so only an obviously broken line (cut short, not an object) is counted.
            stripped = line.strip()
            if stripped and not (stripped[:1] == b"{" and stripped[-1:] == b"}"):
                skipped[INVALID_JSON] += 1
            continue
        try:
            obj = decode_line(line)
            record = record_from_line(obj, line_offset, project, fallback_session)
        except SkippedLine as skip:
            skipped[skip.reason] += 1
            continue
        if record is not None:
            records.append(record)
            if chunk.cwd is None:
                cwd = obj.get("cwd")
                if isinstance(cwd, str) and cwd:
                    chunk.cwd = cwd
    return chunk
