"""What drift is measured in: technologies that replace each other, and units that mean the same."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Groups of technologies where choosing one rules the others out. Each member is a canonical
# name and the patterns that name it in prose or code (case-insensitive, whole words).
ALTERNATIVES: dict[str, dict[str, str]] = {
    "password hashing": {
        "Argon2": r"argon2(?:id|i|d)?|argon2[-_]cffi|passlib\.hash\.argon2",
        "bcrypt": r"bcrypt",
        "scrypt": r"scrypt",
        "PBKDF2": r"pbkdf2(?:[-_]sha256)?",
    },
    "concurrency control": {
        "optimistic locking": r"optimistic(?:\s+(?:locking|locks?|concurrency(?:\s+control)?))?",
        "pessimistic locking": (
            r"pessimistic(?:\s+(?:locking|locks?|concurrency))?|select\b[^\n]{0,80}?\bfor\s+update|(?-i:FOR\s+UPDATE)|"
            r"with_for_update|row[- ]level\s+locks?|lock\s+the\s+rows?"
        ),
    },
    "auth tokens": {
        "JWT": r"jwts?|json\s+web\s+tokens?|pyjwt",
        "server-side sessions": r"server[- ]side\s+sessions?|session\s+cookies?|opaque\s+session\s+(?:ids?|tokens?)",
    },
    "real-time transport": {
        "WebSockets": r"web\s?sockets?|socket\.io|ws://|wss://",
        "SSE": r"(?-i:SSE)|server[- ]sent\s+events?|eventsource|text/event-stream",
        "long polling": r"long[- ]?polling",
    },
    "database": {
        "PostgreSQL": r"postgres(?:ql)?|psycopg2?|asyncpg",
        "MySQL": r"mysql|mariadb",
        "SQLite": r"sqlite3?",
        "MongoDB": r"mongo(?:db)?|pymongo",
        "DynamoDB": r"dynamo(?:db)?",
    },
    "cache": {
        "Redis": r"redis",
        "Memcached": r"memcached?|pymemcache",
    },
    "API style": {
        "REST": r"(?-i:REST)(?:ful)?(?:\s+api)?|restful",
        "GraphQL": r"graphql",
        "gRPC": r"grpc",
    },
    "message broker": {
        "RabbitMQ": r"rabbitmq|amqp",
        "Kafka": r"kafka",
        "SQS": r"sqs",
        "NATS": r"(?-i:NATS)",
    },
    "rate-limit algorithm": {
        # Code spells them TOKEN_BUCKET, sliding_window too.
        "token bucket": r"token[-_ ]bucket",
        "leaky bucket": r"leaky[-_ ]bucket",
        "fixed window": r"fixed[-_ ]window",
        "sliding window": r"sliding[-_ ](?:window|log)",
    },
    "service architecture": {
        "modular monolith": r"(?:modular\s+)?monolith(?:ic)?",
        "microservices": r"micro-?services?",
    },
    "web framework": {
        "Flask": r"flask",
        "Django": r"django",
        "FastAPI": r"fastapi",
    },
    "test framework": {
        "pytest": r"pytest",
        "unittest": r"unittest",
    },
    "HTTP client": {
        "httpx": r"httpx",
        "requests": r"requests\.(?:get|post|put|delete|session)|import\s+requests|python-requests",
        "aiohttp": r"aiohttp",
    },
}

# Technology names compiled once: (group, member, pattern).
MENTIONS: list[tuple[str, str, re.Pattern[str]]] = [
    (group, member, re.compile(rf"(?<![\w/-])(?:{pattern})(?![\w-])", re.I))
    for group, members in ALTERNATIVES.items()
    for member, pattern in members.items()
]


# -- quantities -------------------------------------------------------------------------------

_UNITS: dict[str, tuple[str, float]] = {}
for _names, _dimension, _factor in (
    ("ms msec msecs millisecond milliseconds", "duration", 0.001),
    ("s sec secs second seconds", "duration", 1),
    ("m min mins minute minutes", "duration", 60),
    ("h hr hrs hour hours", "duration", 3600),
    ("d day days", "duration", 86400),
    ("w wk week weeks", "duration", 604800),
    ("b byte bytes", "size", 1),
    ("k kb kib kilobyte kilobytes", "size", 1024),
    ("mb mib megabyte megabytes", "size", 1024**2),
    ("gb gib gigabyte gigabytes", "size", 1024**3),
    ("iteration iterations round rounds pass passes", "iterations", 1),
    ("attempt attempts try tries", "attempts", 1),
    ("retry retries time times", "repetitions", 1),
    ("thread threads lane lanes", "parallelism", 1),
    ("character characters char chars", "characters", 1),
    ("request requests req reqs call calls", "requests", 1),
    ("connection connections", "connections", 1),
    ("% percent", "percent", 1),
):
    for _name in _names.split():
        _UNITS[_name] = (_dimension, _factor)

_PER = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "hr": 3600, "h": 3600, "day": 86400}

_NUMBER = r"(?<![\w.])(\d+(?:[.,]\d+)?)"
_UNIT_WORD = "|".join(sorted((re.escape(name) for name in _UNITS), key=len, reverse=True))
# One word may stand between a count and its unit ("5 login attempts", "100 API requests"), but
# not one that joins two numbers ("1 or 2 attempts").
_BETWEEN = r"(?:(?!(?:or|and|to|of|out|in|by|per|than|x)\s)[A-Za-z][\w-]*\s+)"
# "15 minutes", "15-minute", "64MB", "5 attempts per minute", "100 requests/min"
PROSE_QUANTITY = re.compile(
    rf"{_NUMBER}(?:\s*-?\s*|\s+{_BETWEEN})(?P<unit>{_UNIT_WORD})(?![\w])"
    rf"(?:\s*(?:per|/|an?|each)\s*(?P<per>second|sec|s|minute|min|m|hour|hr|h|day)\b)?",
    re.I,
)
# Code: timedelta(minutes=15), ACCESS_TTL_SECONDS = 900, expires_in=900, memory_cost=65536
_CODE_UNIT_SUFFIX = re.compile(
    r"\b(?P<name>\w*?)_?(?P<unit>seconds|secs|minutes|mins|hours|days|weeks|ms|millis)\s*[=:]\s*(?P<value>\d+(?:\.\d+)?)\b",
    re.I,
)
_CODE_SECONDS = re.compile(
    r"\b(?P<name>\w*(?:ttl|expires_in|expiry|expiration|max_age|lifetime|timeout)\w*)\s*[=:]\s*(?P<value>\d+(?:\.\d+)?)\b",
    re.I,
)
_CODE_KNOWN = {
    # argon2-cffi's PasswordHasher parameters
    "memory_cost": ("size", 1024),
    "time_cost": ("iterations", 1),
    "parallelism": ("parallelism", 1),
    "rounds": ("iterations", 1),
    "max_attempts": ("attempts", 1),
    "max_retries": ("repetitions", 1),
    "min_length": ("characters", 1),
}
_CODE_KNOWN_RE = re.compile(rf"\b(?P<name>{'|'.join(_CODE_KNOWN)})\s*[=:]\s*(?P<value>\d+)\b", re.I)
_SUFFIX_UNIT = {"seconds": "seconds", "secs": "seconds", "minutes": "minutes", "mins": "minutes", "hours": "hours",
                "days": "days", "weeks": "weeks", "ms": "ms", "millis": "ms"}


@dataclass(frozen=True)
class Quantity:
    """A number with its dimension, in base units (seconds, bytes, per-second rates, counts)."""

    value: float
    dimension: str
    start: int  # where it was found in the text searched
    text: str

    def same_as(self, other: Quantity) -> bool:
        return self.dimension == other.dimension and abs(self.value - other.value) <= 1e-9 * max(1.0, abs(other.value))


def _number(text: str) -> float:
    return float(text.replace(",", "")) if text.count(",") == 1 and len(text.split(",")[1]) == 3 else float(text.replace(",", "."))


def quantities(text: str) -> list[Quantity]:
    """Every number with a unit in `text`, prose and common code spellings alike."""
    found: list[Quantity] = []
    for match in PROSE_QUANTITY.finditer(text):
        unit = match.group("unit").lower()
        dimension, factor = _UNITS[unit]
        if unit in ("m", "s", "h", "d", "w", "k", "b") and match.group(0)[len(match.group(1)) :].startswith(" "):
            continue  # a lone letter after a space is a word ("3 m" is rarely minutes), not a unit
        value = _number(match.group(1)) * factor
        per = match.group("per")
        if per:
            dimension = f"{dimension} per time"
            value = value / _PER[per.lower()]
        found.append(Quantity(value, dimension, match.start(), match.group(0)))
    taken = [(q.start, q.start + len(q.text)) for q in found]

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in taken)

    for match in re.finditer(r"timedelta\(([^)]*)\)", text):
        total = 0.0
        for name, value in re.findall(r"(\w+)\s*=\s*(\d+(?:\.\d+)?)", match.group(1)):
            factor = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800, "milliseconds": 0.001}.get(name)
            if factor:
                total += float(value) * factor
        if total:
            found.append(Quantity(total, "duration", match.start(), match.group(0)))
            taken.append((match.start(), match.end()))
    for match in _CODE_UNIT_SUFFIX.finditer(text):
        if free(match.start()):
            _, factor = _UNITS[_SUFFIX_UNIT[match.group("unit").lower()]]
            found.append(Quantity(float(match.group("value")) * factor, "duration", match.start(), match.group(0)))
            taken.append((match.start(), match.end()))
    for match in _CODE_SECONDS.finditer(text):
        if free(match.start()):
            found.append(Quantity(float(match.group("value")), "duration", match.start(), match.group(0)))
            taken.append((match.start(), match.end()))
    for match in _CODE_KNOWN_RE.finditer(text):
        if free(match.start()):
            dimension, factor = _CODE_KNOWN[match.group("name").lower()]
            found.append(Quantity(float(match.group("value")) * factor, dimension, match.start(), match.group(0)))
    return found
