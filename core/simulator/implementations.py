"""Demo execution replies that follow the decisions in their context (or, on [[sim:drift]], break one)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.simulator.topics import Topic

if TYPE_CHECKING:  # the drift check's reading (its vocabulary: 20 ms of regexes) waits for a reply
    from core.drift.decisions import Decision


@dataclass(frozen=True)
class Context:
    """What the system context decided, read the way the drift check reads it."""

    decisions: tuple[Decision, ...]

    @property
    def chosen(self) -> set[str]:
        return {member for decision in self.decisions for _, member in decision.chosen}

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(group for decision in self.decisions for group, _ in decision.chosen))

    def number(self, dimension: str, about: str, default: float, *, not_about: str = "", local: bool = False) -> float:
        """The decided number of `dimension` on a line about `about` (in base units), else `default`.

        `local`: `about` must be next to the number ("refresh tokens expire after 14 days");
        `not_about` must never be (so "15-minute access JWTs, rotating refresh tokens" is the access lifetime).
        """
        from core.drift.check import local_words

        for decision in self.decisions:
            text = decision.text.lower()
            for quantity in decision.quantities:
                if quantity.dimension != dimension:
                    continue
                near = " ".join(local_words(decision.text, quantity.start, quantity.start + len(quantity.text)))
                if not_about and not_about in near:
                    continue
                if any(word in (near if local else text) for word in about.split()):
                    return quantity.value
        return default


def read_context(system: str) -> Context:
    from core.drift.decisions import extract

    return Context(tuple(extract(system, "context", rules_file=True)))


# Which implementation a decided group calls for, when the prompt's own topic does not say.
_GROUP_TOPIC = {
    "password hashing": "Authentication",
    "auth tokens": "Authentication",
    "concurrency control": "Concurrent Updates",
    "real-time transport": "Real-Time Notifications",
    "rate-limit algorithm": "Rate Limiting",
    "cache": "Caching",
}


def implementation_topic(topic: Topic | None, context: Context, prompt: str = "") -> str | None:
    """The implementation to write: the prompt's topic, else the decided group the prompt is closest to."""
    if topic is not None and topic.name in _BUILDERS:
        return topic.name
    from core.drift.decisions import subject_terms

    asked = subject_terms(prompt)
    # A prompt that points at the plan ("step 1 of AUTH_PLAN.md") gets the plan's decided topic
    # whatever its words; any other prompt only one it shares a word with: "Implement a CSV
    # export of orders" in a project with an auth plan wrote auth code.
    points_at_plan = re.search(r"\bplan\b|_PLAN\.md\b|\bstep \d", prompt, re.IGNORECASE) is not None
    best, score = None, -1 if points_at_plan else 0
    for decision in context.decisions:
        for group, _ in decision.chosen:
            overlap = len(decision.subject & asked)
            if group in _GROUP_TOPIC and overlap > score:
                best, score = _GROUP_TOPIC[group], overlap
    return best


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


# -- authentication ---------------------------------------------------------------------------------


def _auth(context: Context, drift: bool) -> tuple[str, list[tuple[str, str]], list[str]]:
    memory_mb = context.number("size", "argon2 memory", 64 * 1024**2) / 1024**2
    iterations = context.number("iterations", "argon2 iteration", 3)
    parallelism = context.number("parallelism", "argon2 parallel", 4)
    access_minutes = context.number("duration", "jwt access token", 15 * 60, not_about="refresh") / 60
    refresh_days = context.number("duration", "refresh", 14 * 86400, local=True) / 86400
    if drift:
        intro = (
            f"I used bcrypt for password hashing because it is simpler to deploy, and {_fmt(access_minutes)}-minute "
            "JWT access tokens with rotating refresh tokens."
        )
        hashing = '''```python
"""Password hashing."""

import bcrypt


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def verify_password(stored: str, password: str) -> bool:
    return bcrypt.checkpw(password.encode(), stored.encode())
```'''
    else:
        intro = (
            f"Passwords are hashed with Argon2id ({_fmt(memory_mb)} MB, {_fmt(iterations)} iterations, parallelism "
            f"{_fmt(parallelism)}), and access tokens are {_fmt(access_minutes)}-minute JWTs with rotating refresh tokens."
        )
        hashing = f'''```python
"""Password hashing: Argon2id with the parameters CLAUDE.md fixes, and rehash-on-login."""

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

HASHER = PasswordHasher(time_cost={_fmt(iterations)}, memory_cost={_fmt(memory_mb * 1024)}, parallelism={_fmt(parallelism)})


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one used older parameters)."""
    try:
        HASHER.verify(stored, password)
    except VerifyMismatchError:
        return False, None
    return True, HASHER.hash(password) if HASHER.check_needs_rehash(stored) else None
```'''
    tokens = f'''```python
"""Access and refresh tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import jwt

ACCESS_TOKEN_TTL = timedelta(minutes={_fmt(access_minutes)})
REFRESH_TOKEN_TTL = timedelta(days={_fmt(refresh_days)})


def issue_access_token(user_id: str, key: str) -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode({{"sub": user_id, "iat": now, "exp": now + ACCESS_TOKEN_TTL}}, key, algorithm="HS256")


def issue_refresh_token() -> tuple[str, str]:
    """(token for the cookie, its SHA-256 for the database): only the hash is stored."""
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()
```'''
    tests = f'''```python
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from auth.passwords import hash_password, verify_password
from auth.tokens import ACCESS_TOKEN_TTL, issue_access_token


def test_password_round_trip_and_mismatch():
    stored = hash_password("correct horse")
    assert verify_password(stored, "correct horse")[0]
    assert not verify_password(stored, "wrong")[0]


def test_access_tokens_live_{_fmt(access_minutes)}_minutes():
    assert ACCESS_TOKEN_TTL == timedelta(minutes={_fmt(access_minutes)})
    claims = jwt.decode(issue_access_token("u1", "k"), "k", algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == {_fmt(access_minutes * 60)}


def test_expired_token_is_refused():
    expired = datetime.now(timezone.utc) - timedelta(seconds=1)
    token = jwt.encode({{"sub": "u1", "exp": expired}}, "k", algorithm="HS256")
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, "k", algorithms=["HS256"])
```'''
    sections = [("`auth/passwords.py`", hashing), ("`auth/tokens.py`", tokens), ("`tests/test_auth.py`", tests)]
    if drift:
        summary = [
            "Password hashing with bcrypt (12 rounds).",
            f"Access JWTs expire after {_fmt(access_minutes)} minutes; refresh tokens after {_fmt(refresh_days)} days, stored hashed.",
            "Tests cover the password round trip and token expiry.",
        ]
    else:
        summary = [
            f"Argon2id hashing ({_fmt(memory_mb)} MB, {_fmt(iterations)} iterations) with rehash-on-login.",
            f"Access JWTs expire after {_fmt(access_minutes)} minutes; refresh tokens after {_fmt(refresh_days)} days, stored hashed.",
            "Tests cover the password round trip, the token lifetime and expiry.",
        ]
    return intro, sections, summary


# -- concurrent updates -----------------------------------------------------------------------------


def _locking(context: Context, drift: bool) -> tuple[str, list[tuple[str, str]], list[str]]:
    retries = context.number("repetitions", "retry conflict", 3)
    if drift:
        intro = "I implemented pessimistic locking because it's simpler: each update holds a row lock until it commits."
        code = '''```python
def update_order(conn, order_id: int, changes: dict) -> None:
    with conn:  # one transaction
        row = conn.execute("SELECT * FROM orders WHERE id = ? FOR UPDATE", (order_id,)).fetchone()
        if row is None:
            raise OrderNotFound(order_id)
        conn.execute("UPDATE orders SET status = ? WHERE id = ?", (changes["status"], order_id))
```'''
        summary = ["Updates take a row lock (`FOR UPDATE`) for the whole transaction.", "A test runs two updates concurrently."]
    else:
        intro = (
            "Orders use optimistic locking: a version column is checked and bumped by every update, "
            f"and a conflict is retried at most {_fmt(retries)} times before a 409."
        )
        code = f'''```python
MAX_RETRIES = {_fmt(retries)}


class Conflict(Exception):
    """Someone else updated the order since we read it."""


def update_order(conn, order_id: int, changes: dict, read_version: int) -> int:
    """Apply `changes` if the order is still at `read_version`; returns the new version."""
    with conn:
        done = conn.execute(
            "UPDATE orders SET status = ?, version = version + 1 WHERE id = ? AND version = ?",
            (changes["status"], order_id, read_version),
        )
    if done.rowcount == 0:
        raise Conflict(order_id)
    return read_version + 1
```'''
        summary = [
            "A `version` column (migration, default 1) guards every order update: optimistic locking.",
            f"Conflicts raise `Conflict`; the service retries {_fmt(retries)} times, then answers 409.",
            "A test runs two updates from the same version and asserts one conflict and no lost write.",
        ]
    tests = '''```python
import sqlite3

import pytest

from orders.repository import Conflict, update_order


def test_second_writer_from_the_same_version_conflicts(tmp_path):
    conn = sqlite3.connect(tmp_path / "shop.db")
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, version INTEGER DEFAULT 1)")
    conn.execute("INSERT INTO orders (id, status) VALUES (1, 'new')")
    assert update_order(conn, 1, {"status": "paid"}, read_version=1) == 2
    with pytest.raises(Conflict):
        update_order(conn, 1, {"status": "cancelled"}, read_version=1)
    assert conn.execute("SELECT status FROM orders").fetchone() == ("paid",)
```'''
    return intro, [("`orders/repository.py`", code), ("`tests/test_orders.py`", tests)], summary


# -- notifications ----------------------------------------------------------------------------------


def _notifications(context: Context, drift: bool) -> tuple[str, list[tuple[str, str]], list[str]]:
    heartbeat = context.number("duration", "heartbeat", 15)
    if drift:
        intro = "I used WebSockets for delivery because they also allow client messages later."
        code = '''```python
from fastapi import WebSocket


async def notifications(websocket: WebSocket, user_id: str, redis) -> None:
    await websocket.accept()
    async with redis.pubsub() as pubsub:
        await pubsub.subscribe(f"user:{user_id}")
        async for message in pubsub.listen():
            if message["type"] == "message":
                await websocket.send_text(message["data"])
```'''
        summary = ["A WebSocket endpoint relays the user's Redis channel."]
    else:
        intro = (
            "Notifications stream over SSE (`text/event-stream`), fanned out through Redis pub/sub, "
            f"with a heartbeat every {_fmt(heartbeat)} seconds."
        )
        code = f'''```python
import asyncio

HEARTBEAT_SECONDS = {_fmt(heartbeat)}


async def notification_stream(user_id: str, redis, last_event_id: str | None):
    """Yield SSE frames: missed events first (Last-Event-ID), then live ones, with heartbeats."""
    for event_id, event in await redis.xrange(f"events:{{user_id}}", min=last_event_id or "-"):
        yield f"id: {{event_id}}\\ndata: {{event['json']}}\\n\\n"
    async with redis.pubsub() as pubsub:
        await pubsub.subscribe(f"user:{{user_id}}")
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS)
            yield f"data: {{message['data']}}\\n\\n" if message else ": heartbeat\\n\\n"
```'''
        summary = [
            "`GET /notifications/stream` answers `text/event-stream` (SSE) and replays from Last-Event-ID.",
            "Fan-out through Redis pub/sub, one channel per user.",
        ]
    tests = '''```python
async def test_missed_events_are_replayed_before_live_ones(fake_redis):
    await fake_redis.xadd("events:u1", {"json": '{"n": 1}'}, id="1-0")
    stream = notification_stream("u1", fake_redis, last_event_id="0-0")
    assert await anext(stream) == 'id: 1-0\\ndata: {"n": 1}\\n\\n'
```'''
    summary.append("A test covers replay after a reconnect.")
    return intro, [("`notifications/stream.py`", code), ("`tests/test_stream.py`", tests)], summary


# -- rate limiting ----------------------------------------------------------------------------------


def _rate_limit(context: Context, drift: bool) -> tuple[str, list[tuple[str, str]], list[str]]:
    per_minute = context.number("attempts per time", "login attempt", 5 / 60) * 60
    if drift:
        intro = f"I used a fixed window counter per IP and minute because it needs one INCR: {_fmt(per_minute)} attempts per minute."
        code = f'''```python
def allowed(redis, ip: str, minute: int) -> bool:
    key = f"login:{{ip}}:{{minute}}"
    count = redis.incr(key)
    redis.expire(key, 60)
    return count <= {_fmt(per_minute)}
```'''
    else:
        intro = f"Logins are limited by a token bucket in Redis: {_fmt(per_minute)} attempts per minute per IP, refilled continuously."
        code = f'''```python
TOKEN_BUCKET = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or ARGV[1])
local stamp = tonumber(redis.call('HGET', KEYS[1], 'stamp') or ARGV[3])
tokens = math.min(tonumber(ARGV[1]), tokens + (ARGV[3] - stamp) * ARGV[2])
local ok = tokens >= 1
if ok then tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'stamp', ARGV[3])
redis.call('EXPIRE', KEYS[1], 120)
return ok and 1 or 0
"""
CAPACITY = {_fmt(per_minute)}  # attempts per minute per IP
REFILL_PER_SECOND = CAPACITY / 60


def allowed(redis, ip: str, now: float) -> bool:
    return bool(redis.eval(TOKEN_BUCKET, 1, f"login:{{ip}}", CAPACITY, REFILL_PER_SECOND, now))
```'''
    tests = f'''```python
def test_the_attempt_after_the_limit_is_refused(redis):
    results = [allowed(redis, "1.2.3.4", now=0.0) for _ in range({_fmt(per_minute + 1)})]
    assert results[:-1] == [True] * {_fmt(per_minute)} and results[-1] is False
```'''
    summary = [f"{_fmt(per_minute)} attempts per minute per IP; a 429 with retry-after beyond that.", "A test pins the limit."]
    return intro, [("`auth/rate_limit.py`", code), ("`tests/test_rate_limit.py`", tests)], summary


_BUILDERS = {
    "Authentication": _auth,
    "Concurrent Updates": _locking,
    "Real-Time Notifications": _notifications,
    "Rate Limiting": _rate_limit,
}


def implement(name: str, context: Context, drift: bool) -> tuple[str, list[tuple[str, str]], list[str]]:
    """(intro sentence, [(file, code block)], summary bullets) for the implementation `name`."""
    return _BUILDERS[name](context, drift)


def drift_sentence(context: Context) -> str | None:
    """For replies without a topic implementation: one sentence that contradicts a decision."""
    from core.drift.vocabulary import ALTERNATIVES

    for decision in context.decisions:
        for group, member in decision.chosen:
            others = [other for other in ALTERNATIVES[group] if other != member]
            if others:
                return f"I went with {others[0]} for this because it is simpler, rather than {member}."
        for quantity in decision.quantities:
            number = re.match(r"[\d.,]+", quantity.text)
            if number:
                doubled = _fmt(float(number.group(0).replace(",", "")) * 2)
                changed = decision.text.replace(quantity.text, doubled + quantity.text[number.end() :], 1)
                return f"For simplicity: {changed.rstrip('.')}."
    return None
