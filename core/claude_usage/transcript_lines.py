"""Turn the bytes of a Claude Code transcript (JSON Lines) into usage records, fast and forgivingly."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple

SYNTHETIC_MODEL = "<synthetic>"
UNKNOWN_MODEL = "unknown"

# Substrings every usage line must contain, whatever its spacing. Checking them on the raw
# bytes lets most lines (user turns, tool results, summaries) skip JSON decoding entirely.
_USAGE_MARK = b'"usage"'
_ASSISTANT_MARK = b'"assistant"'


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
    malformed: int = 0  # lines that are not valid JSON
    consumed: int = 0  # bytes up to and including the last newline; a partial last line waits
    cwd: str | None = None  # the working directory Claude Code recorded, for showing the project


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
    value = usage.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value)


def record_from_line(obj: object, offset: int, project: str, fallback_session: str) -> UsageRecord | None:
    """The usage record a decoded line holds, or None if it holds none we count."""
    if not isinstance(obj, dict) or obj.get("type") != "assistant":
        return None
    message = obj.get("message")
    if not isinstance(message, dict):
        return None
    usage = message.get("usage")
    if not isinstance(usage, dict):
        return None
    model = message.get("model")
    if model == SYNTHETIC_MODEL:
        return None
    timestamp = parse_timestamp(obj.get("timestamp"))
    if timestamp is None:
        return None
    message_id = message.get("id")
    request_id = obj.get("requestId")
    session = obj.get("sessionId")
    return UsageRecord(
        message_id if isinstance(message_id, str) and message_id else None,
        request_id if isinstance(request_id, str) and request_id else None,
        timestamp,
        model if isinstance(model, str) and model else UNKNOWN_MODEL,
        _count(usage, "input_tokens"),
        _count(usage, "output_tokens"),
        _count(usage, "cache_creation_input_tokens"),
        _count(usage, "cache_read_input_tokens"),
        session if isinstance(session, str) and session else fallback_session,
        offset,
        project,
    )


def parse_chunk(data: bytes, base_offset: int, project: str, fallback_session: str) -> ParsedChunk:
    """Records from the complete lines of `data` (which starts at `base_offset` in its file)."""
    chunk = ParsedChunk()
    end = data.rfind(b"\n")
    if end < 0:
        return chunk
    chunk.consumed = end + 1
    loads = json.loads
    records = chunk.records
    position = base_offset
    for line in data[:end].split(b"\n"):
        line_offset = position
        position += len(line) + 1
        if _USAGE_MARK not in line or _ASSISTANT_MARK not in line:
            # Not decoded, so only an obviously broken line (cut short, not an object) is counted.
            stripped = line.strip()
            if stripped and not (stripped[:1] == b"{" and stripped[-1:] == b"}"):
                chunk.malformed += 1
            continue
        try:
            obj = loads(line)
        except ValueError:  # includes UnicodeDecodeError
            chunk.malformed += 1
            continue
        record = record_from_line(obj, line_offset, project, fallback_session)
        if record is not None:
            records.append(record)
            if chunk.cwd is None:
                cwd = obj.get("cwd")
                if isinstance(cwd, str) and cwd:
                    chunk.cwd = cwd
    return chunk
