"""What the demo planner knows about common topics: the options, their real trade-offs, a pick and phases."""

from __future__ import annotations

import re
from dataclasses import dataclass

# member -> (for, against): the trade-offs a senior engineer would name.
TRADE_OFFS: dict[str, tuple[str, str]] = {
    "WebSockets": (
        "full duplex and the lowest latency in both directions; binary frames if we ever need them",
        "a stateful connection per client that the server must track; some proxies and older load balancers "
        "need explicit upgrade support; reconnects and resubscription are ours to write; fan-out across "
        "instances needs a broker",
    ),
    "SSE": (
        "plain HTTP, so proxies and load balancers that allow streaming pass it unchanged; the browser's "
        "EventSource reconnects by itself and resumes with Last-Event-ID; one-way fits notifications",
        "server-to-client only; on HTTP/1.1 a browser allows about six connections per domain (HTTP/2 lifts "
        "this); still one open connection per client, and fan-out across instances needs a broker",
    ),
    "long polling": (
        "works through every proxy and needs no special server support",
        "a full request per message, a round trip of latency, and a reconnect storm after every deploy; the "
        "most server load per delivered message",
    ),
    "Argon2": (
        "memory-hard, so GPU and ASIC cracking costs far more; the current OWASP recommendation",
        "needs tuning (memory, iterations) per machine; slightly newer library support",
    ),
    "bcrypt": (
        "mature and everywhere",
        "not memory-hard, and it silently truncates passwords at 72 bytes",
    ),
    "scrypt": (
        "memory-hard like Argon2",
        "harder to tune safely; fewer vetted libraries",
    ),
    "PBKDF2": (
        "FIPS-approved and in every standard library",
        "cheap to attack on GPUs unless the iteration count is very high",
    ),
    "JWT": (
        "stateless verification on every service; no session lookup per request",
        "cannot be revoked before expiry without a deny-list, so lifetimes must be short",
    ),
    "server-side sessions": (
        "instant revocation and a tiny cookie",
        "a session-store lookup on every request; sticky state to share across instances",
    ),
    "token bucket": (
        "allows short bursts while holding the average rate; two numbers (rate, capacity) to reason about",
        "needs an atomic read-modify-write in the shared store",
    ),
    "fixed window": (
        "one counter per key and window; the simplest to build",
        "lets through twice the limit at a window boundary",
    ),
    "sliding window": (
        "smooth and accurate at boundaries",
        "a sorted set per key (sliding log) costs memory at high rates",
    ),
    "leaky bucket": (
        "perfectly smooth output rate",
        "no bursts at all, which punishes legitimate clients that batch requests",
    ),
    "modular monolith": (
        "one deploy, one database transaction, refactoring across modules stays cheap",
        "one scaling unit; module boundaries need discipline (import rules) to stay real",
    ),
    "microservices": (
        "independent deploys and scaling per service; teams own services end to end",
        "network calls where there were function calls, distributed transactions, and an ops bill (tracing, "
        "service discovery, versioned APIs) paid from day one",
    ),
    "Redis": (
        "rich data types, TTLs, pub/sub and atomic scripts; one service for cache, limits and fan-out",
        "single-threaded per shard; data must fit in memory",
    ),
    "Memcached": (
        "simple, multi-threaded and very fast for plain key-value caching",
        "no persistence, no pub/sub, no data types beyond strings",
    ),
    "optimistic locking": (
        "no locks held while a user thinks; conflicts are detected by a version column and retried",
        "hot rows with many concurrent writers retry a lot",
    ),
    "pessimistic locking": (
        "conflicts cannot happen once the row lock is held",
        "locks held across slow work block other writers and risk deadlocks; throughput drops under load",
    ),
    "PostgreSQL": (
        "transactions, constraints, JSONB and mature tooling; scales far on one primary with read replicas",
        "horizontal write scaling needs partitioning or an extension",
    ),
    "MySQL": (
        "widely hosted and fast for simple reads",
        "weaker JSON and constraint support; fewer index types",
    ),
    "MongoDB": (
        "flexible documents and easy horizontal sharding",
        "multi-document invariants need transactions or application code; schema drift is easy",
    ),
    "SQLite": (
        "zero operations, a file, superb for single-writer workloads",
        "one writer at a time; not for several app servers",
    ),
    "REST": ("cacheable, simple, every client speaks it", "over- and under-fetching for rich screens"),
    "GraphQL": ("clients fetch exactly what a screen needs", "caching and rate limiting by query cost are harder"),
    "gRPC": ("typed contracts and fast binary transport between services", "browsers need a proxy; harder to debug by hand"),
}


@dataclass(frozen=True)
class Topic:
    name: str  # the plan's title words
    cues: str  # regex that recognises the topic in a prompt
    options: tuple[str, ...]  # weighed when the prompt names none
    pick: str  # the recommendation, in one line
    reasons: tuple[str, ...]
    decisions: tuple[str, ...]  # what the plan fixes, as checkable lines
    goals: tuple[str, ...]
    phases: tuple[str, ...]
    risks: tuple[str, ...]
    questions: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Real-Time Notifications",
        r"notification|real-?time|push updates|live updates|web\s?sockets?|server-sent|\bSSE\b|long[- ]polling",
        ("WebSockets", "SSE", "long polling"),
        "SSE with Redis pub/sub",
        (
            "Notifications flow one way, server to browser: WebSockets' second direction would go unused.",
            "EventSource reconnects and resumes from Last-Event-ID on its own, so a deploy does not lose messages.",
            "SSE is plain HTTP: our proxies need no upgrade support, only buffering switched off for the stream.",
            "Redis pub/sub fans each event out to whichever app instance holds the user's connection.",
        ),
        (
            "Deliver notifications over SSE (`text/event-stream`), not WebSockets.",
            "Fan out through Redis pub/sub, one channel per user.",
            "Send a heartbeat comment every 15 seconds so idle proxies keep the stream open.",
            "Keep the last 100 events per user in a capped Redis stream for Last-Event-ID replay.",
        ),
        (
            "A notification reaches an online user within 1 second of the event.",
            "No notification is lost across a reconnect or a deploy.",
            "10,000 concurrent connections on two app instances.",
        ),
        (
            "Event model: a `Notification` record and a publisher that writes it and publishes to `user:<id>`.",
            "SSE endpoint `GET /notifications/stream`: subscribe to the user's channel, heartbeat, replay from Last-Event-ID.",
            "Client: `EventSource` with an unread badge; mark-as-read through a normal POST.",
            "Proxy settings: disable response buffering for the stream route, raise idle timeouts above the heartbeat.",
            "Load test 10,000 connections; alert on connection count and publish-to-delivery latency.",
        ),
        (
            "Connection limits on HTTP/1.1 browsers: serve the stream over HTTP/2.",
            "Redis pub/sub is fire-and-forget: the capped stream covers reconnects, not a Redis outage.",
        ),
        (
            "Do mobile clients need push notifications (APNs/FCM) as well as the in-app stream?",
            "How long must unread notifications be kept?",
        ),
    ),
    Topic(
        "Rate Limiting",
        r"rate[- ]?limit\w*|throttl\w*|too many requests|brute[- ]force|token[- ]bucket|leaky[- ]bucket|sliding[- ]window",
        ("token bucket", "fixed window", "sliding window"),
        "a token bucket in Redis, checked by an atomic Lua script",
        (
            "Token buckets allow the short bursts real clients make while holding the average rate.",
            "A Lua script makes the read-refill-take step atomic across app instances.",
            "Fixed windows would let through twice the limit at each window boundary.",
        ),
        (
            "Use a token bucket (not a fixed window) for rate limiting.",
            "Store buckets in Redis, keyed by IP and by account.",
            "Allow 5 login attempts per minute per IP.",
            "Answer 429 with a retry-after header.",
        ),
        (
            "Stop credential stuffing without locking out real users.",
            "Every limited response tells the client when to retry.",
        ),
        (
            "A `RateLimiter` interface with the token-bucket Lua script and its tests against a real Redis.",
            "Middleware that keys by IP and by account and answers 429 with retry-after.",
            "Limits in settings, per route, with safe defaults.",
            "Metrics: limited requests per route; an alert when a single key is limited for an hour.",
        ),
        (
            "Shared IPs (offices, carrier NAT) hit the per-IP limit: the per-account key catches abuse instead.",
            "Redis down: fail open for reads, closed for logins.",
        ),
        ("Should authenticated API clients get their own, higher limits?",),
    ),
    Topic(
        "Authentication",
        r"\bauth\w*|log-?in|sign-?in|sign-?up|password|\bjwts?\b|sessions?\b|\bsso\b|oauth",
        ("server-side sessions", "JWT"),
        "Argon2id password hashing with short-lived JWT access tokens and rotating refresh tokens",
        (
            "Argon2id is memory-hard, so a stolen hash table is far costlier to crack than with bcrypt.",
            "15-minute access tokens keep a leaked token's useful life short without a deny-list.",
            "Refresh tokens are stored hashed and rotated on every use, so reuse reveals theft.",
        ),
        (
            "Hash passwords with Argon2id (64 MB, 3 iterations, parallelism 4), not bcrypt.",
            "JWT access tokens expire after 15 minutes.",
            "Refresh tokens expire after 14 days and rotate on every use.",
            "Refresh tokens travel in an HttpOnly, Secure, SameSite=Strict cookie.",
        ),
        (
            "Users sign in with email and password; passwords are never stored or logged in clear text.",
            "A stolen access token is useless within minutes.",
            "Every authentication decision is auditable.",
        ),
        (
            "`PasswordHasher` wrapper (Argon2id) with rehash-on-login for old parameters, and its tests.",
            "Registration and login endpoints with uniform error messages (no account enumeration).",
            "Token service: 15-minute access JWTs, rotating refresh tokens stored hashed.",
            "Logout and refresh-token revocation; rate limits on login.",
            "Audit log of sign-ins, failures and resets.",
        ),
        (
            "JWTs cannot be revoked early: the short lifetime is the mitigation, so keep it short.",
            "Argon2id at 64 MB per hash: size the login servers for concurrent logins.",
        ),
        ("Do we need SSO (OIDC) for business customers in the first version?",),
    ),
    Topic(
        "Service Architecture",
        r"micro-?services?|monolith|split (?:the|our) (?:app|application|codebase)|service boundaries",
        ("modular monolith", "microservices"),
        "a modular monolith now, with module boundaries that could become services later",
        (
            "One deploy and one database keep transactions and refactoring cheap while the domain is still moving.",
            "Import rules between modules give most of the isolation benefit without network calls.",
            "A module becomes a service only when it needs its own scaling or release cadence.",
        ),
        (
            "Keep a modular monolith; no microservices until a module needs independent scaling.",
            "Modules talk through their public interfaces only, enforced by import rules.",
        ),
        ("Teams can change their module without coordinating a release.", "No distributed transactions."),
        (
            "Draw the module map (billing, catalogue, orders, accounts) and the allowed dependencies.",
            "Enforce the boundaries with import-linter contracts in CI.",
            "Move shared tables behind the owning module's interface, one table per change.",
            "Measure per-module load to see whether any module earns extraction.",
        ),
        ("A module boundary drawn wrong is cheap to move now and expensive after extraction.",),
        ("Which module has a release cadence or load profile different enough to justify a service?",),
    ),
    Topic(
        "Caching",
        r"\bcach\w*|redis|memcached|cdn\b",
        ("Redis", "Memcached"),
        "a Redis read-through cache with short TTLs and explicit invalidation",
        (
            "Redis gives TTLs, atomic operations and pub/sub for invalidation in one service we already run.",
            "Read-through keeps the cache logic in one place instead of in every caller.",
        ),
        (
            "Cache in Redis (not Memcached) with a read-through wrapper.",
            "Cached product pages expire after 5 minutes.",
            "Invalidate a key on every write to its source row.",
        ),
        ("Cut p95 latency of product pages by half.", "No stale read after a user's own write."),
        (
            "Profile the slow paths; pick the three hottest queries.",
            "A `ReadThroughCache` with versioned keys, TTL and a stampede lock.",
            "Invalidate on write in the repository layer.",
            "A benchmark in the repository comparing cached and uncached paths.",
        ),
        ("Cache stampedes on popular keys: a per-key lock while one request refills.",),
        ("Which pages may be stale for five minutes, and which never?",),
    ),
    Topic(
        "Concurrent Updates",
        r"race condition|concurren\w*|locking|\block\b|double[- ]book\w*|overs[eo]ll\w*|lost update",
        ("optimistic locking", "pessimistic locking"),
        "optimistic locking with a version column, retried on conflict",
        (
            "Conflicts on the same order are rare, so paying for a lock on every update is waste.",
            "No lock is held while a user or a payment call is slow, so nothing blocks and nothing deadlocks.",
            "A conflict becomes a clear 409 the client can retry, instead of a hidden wait.",
        ),
        (
            "Use optimistic locking (not pessimistic) for order updates.",
            "Every order row has a version column, checked and incremented by each update.",
            "Retry a conflicting update at most 3 times, then answer 409.",
        ),
        ("No lost updates on orders.", "No request waits on another's lock."),
        (
            "Add the `version` column with a migration (default 1).",
            "Repository updates use `WHERE id = ? AND version = ?` and bump the version.",
            "A retry loop in the service for conflicts; 409 after 3 attempts.",
            "A test that runs two updates concurrently and asserts one conflict and no lost write.",
        ),
        ("Hot rows (a flash sale) would retry a lot: watch the conflict rate.",),
        ("Are there rows so hot that a queue per key would serve better?",),
    ),
    Topic(
        "Database Choice",
        r"database|datastore|\bdb\b|postgres\w*|mysql|mongo\w*|sqlite",
        ("PostgreSQL", "MySQL", "MongoDB"),
        "PostgreSQL",
        (
            "Our data is relational (orders, lines, customers) and its invariants belong in constraints.",
            "JSONB covers the few flexible attributes without a second database.",
            "Managed PostgreSQL is available from every host we consider.",
        ),
        (
            "Store data in PostgreSQL.",
            "Migrations with Alembic, one concern each.",
        ),
        ("Invariants enforced by the database, not only by code.", "Zero-downtime migrations."),
        (
            "Schema for the core entities with foreign keys and check constraints.",
            "Alembic migrations and a CI job that applies them to an empty database.",
            "Repository layer; services never build SQL.",
            "Backups and a restore drill before launch.",
        ),
        ("A single primary limits write throughput: fine for years at our volume.",),
        ("Which reports need a read replica?",),
    ),
)


def topic_of(prompt: str) -> Topic | None:
    for topic in TOPICS:
        if re.search(topic.cues, prompt, re.I):
            return topic
    return None


def named_options(prompt: str) -> list[str]:
    """The technologies the prompt names, in the order it names them (at most one per spelling)."""
    # Imported at the first reply, not with the simulator (which starts behind the app's first frame).
    from core.drift.vocabulary import MENTIONS

    found: list[tuple[int, str]] = []
    for _group, member, pattern in MENTIONS:
        match = pattern.search(prompt)
        if match and member in TRADE_OFFS:
            found.append((match.start(), member))
    return [member for _, member in sorted(found)]


def framework_named(prompt: str) -> str | None:
    from core.drift.vocabulary import MENTIONS

    for group, member, pattern in MENTIONS:
        if group == "web framework" and pattern.search(prompt):
            return member
    return None
