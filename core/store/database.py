"""The session store: sessions, messages, usage rows and seen file versions in one SQLite file.

One file under the data dir (core.paths.store_path(), SEGUE_HOME overrides), opened by the
TUI and by `segue ask` at the same time: WAL mode so readers never block the writer, a
5 s busy timeout and `BEGIN IMMEDIATE` for every write so two writers queue instead of
failing with "database is locked", and short transactions so a `kill -9` mid-stream loses
only what was not yet flushed (the session flushes a streaming reply every 0.5 s).

A Store object holds one connection shared by threads (the TUI calls it from workers),
serialised by a lock; a turn's writes go through `writer`, one thread off the event loop. Money is kept as integer nanodollars and summed in SQL, so totals
are exact Decimals; a cost finer than a nanodollar is rounded half-even (every Anthropic
price is a whole number of nanodollars per token, so real costs are stored exactly).
The API key has no column here and is never passed in.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from core import models, paths
from core.atomic_write import sha256_of
from core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from core.store.writer import StoreWriter
from core.costs.usage import TokenUsage

PANES = ("plan", "exec")
ROLES = ("user", "assistant")
STATUSES = ("complete", "streaming", "cancelled", "failed", "partial")
TOOL_OUTCOMES = ("ok", "error", "denied", "unfinished")  # how a reply's tool call ended
SESSION_ORIGINS = ("tui", "cli")  # where a session was started: the app or `segue ask`
BUSY_TIMEOUT_MS = 5000
ID_BYTES = 5  # 10 hex characters: unique enough per user, short enough to type a prefix of

_NANO = Decimal(10) ** 9


class StoreError(Exception):
    """The store can't do what was asked; the message is one sentence for the user."""


class SessionNotFound(StoreError, LookupError):
    """No session has this id (or id prefix)."""


class AmbiguousSession(StoreError, LookupError):
    """An id prefix matches more than one session."""


# -- rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    id: str
    project_dir: str
    title: str
    created_at: datetime
    updated_at: datetime
    plan_model: str
    exec_model: str
    active_plan: str | None
    plan_effort: str | None = None
    exec_effort: str | None = None


@dataclass(frozen=True)
class SessionSummary(SessionRow):
    """A session as the list shows it: its row plus counts and the models it used."""

    message_count: int = 0
    cost_usd: Decimal = Decimal(0)  # sum of the priced rows
    unknown_cost_rows: int = 0  # replies whose model had no price
    models: tuple[str, ...] = ()  # model ids in order of first use


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    session_id: str
    pane: str
    role: str
    model: str
    text: str
    thinking: str
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UsageRow:
    id: int
    session_id: str
    message_id: int | None
    pane: str
    model: str
    usage: TokenUsage
    cost_usd: Decimal | None
    all_opus_cost_usd: Decimal | None
    created_at: datetime


@dataclass(frozen=True)
class CostTotals:
    """Sums over usage rows. Costs sum the rows whose price is known; the rest are counted."""

    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: Decimal = Decimal(0)
    all_opus_cost_usd: Decimal = Decimal(0)
    unknown_cost_rows: int = 0
    messages: int = 0
    unknown_all_opus_rows: int = 0

    @property
    def savings_usd(self) -> Decimal | None:
        """All-Opus minus actual; None when a row is unpriced on either side (a partial sum would lie)."""
        if self.unknown_cost_rows or self.unknown_all_opus_rows:
            return None
        return self.all_opus_cost_usd - self.cost_usd


@dataclass(frozen=True)
class FileVersion:
    path: str
    text: str
    sha256: str
    seen_at: datetime
    source: str  # "saved" | "watched" | "sent" | ...


@dataclass(frozen=True, slots=True)
class ToolCallRow:
    """One tool call of a reply, as a resumed pane shows it: the tool (the text editor's
    command, `bash`, Claude Code's tool name), its target file or command, how it ended
    ("ok", "error", "denied", or "unfinished" when the turn stopped first), an error's or a
    denial's message, and an edit's unified diff."""

    tool: str
    target: str
    outcome: str
    error: str = ""
    diff: str = ""


@dataclass(frozen=True, slots=True)
class RouteRow:
    """Auto mode's decision for one reply: the pick, why, and whether the user confirmed it
    (None: no question was needed; False: declined, the pane's own model answered)."""

    message_id: int
    pane: str
    model: str
    effort: str | None
    task_type: str
    reason: str
    confirmed: bool | None
    created_at: datetime


# -- conversions ----------------------------------------------------------------------


def to_nanodollars(amount: Decimal | None) -> int | None:
    if amount is None:
        return None
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return int((value * _NANO).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_nanodollars(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / _NANO


def _stamp(moment: datetime) -> str:
    # One fixed width (microseconds, +00:00) so timestamps order correctly as text.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


_parse = datetime.fromisoformat


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where the local calendar day `day` starts and the next one starts."""
    start = datetime(day.year, day.month, day.day).astimezone()
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day).astimezone()
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")


_SESSION_COLUMNS = "id, project_dir, title, created_at, updated_at, plan_model, exec_model, active_plan"
_SESSION_READ_COLUMNS = _SESSION_COLUMNS + ", plan_effort, exec_effort"
_MESSAGE_COLUMNS = "id, session_id, pane, role, model, text, thinking, status, created_at, updated_at"
_USAGE_COLUMNS = (
    "id, session_id, message_id, pane, model, input_tokens, output_tokens, "
    "cache_creation_input_tokens, cache_read_input_tokens, cost_nusd, all_opus_cost_nusd, created_at, "
    "cache_creation_1h_input_tokens"
)


def _session(row: tuple) -> SessionRow:
    extra = tuple(row[8:10]) if len(row) >= 10 else ()
    return SessionRow(row[0], row[1], row[2], _parse(row[3]), _parse(row[4]), row[5], row[6], row[7], *extra)


def _message(row: tuple) -> MessageRow:
    return MessageRow(*row[:8], _parse(row[8]), _parse(row[9]))


def _usage(row: tuple) -> UsageRow:
    return UsageRow(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        TokenUsage(row[5], row[6], row[7], row[8], row[12]),
        from_nanodollars(row[9]),
        from_nanodollars(row[10]),
        _parse(row[11]),
    )


def _create_private(path: Path) -> None:
    """Create the store file readable by its owner only: conversations are private."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


# -- the store --------------------------------------------------------------------------


class Store:
    """The session store. Safe to share across threads; safe with other processes on one file."""

    def __init__(self, path: Path | str | None = None, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path) if path is not None else paths.store_path()
        # The clock is injectable so tests can pin "today" and exported timestamps.
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self.writer = StoreWriter()  # the thread a turn's writes run in (core.session._Recorder)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                check_same_thread=False,
            )
            self._conn = conn
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL survives a killed process (the OS has the WAL pages); only
            # a power cut can lose the last commits, never corrupt the file.
            conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except StoreError:
            self.close()
            raise
        except (sqlite3.Error, OSError) as error:
            self.close()
            raise StoreError(f"The session store {self.path} can't be opened ({_reason(error)}).") from None

    # -- plumbing -------------------------------------------------------------------

    def close(self) -> None:
        self.writer.drain()  # writes already handed over land first
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("The session store is closed.")
        return self._conn

    def now(self) -> datetime:
        return self._clock()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; BEGIN IMMEDIATE takes the write lock up front, so
        waiting for another writer goes through busy_timeout instead of failing later."""
        with self._lock:
            conn = self.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise StoreError(f"The session store {self.path} can't be written ({_reason(error)}).") from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise StoreError(f"The session store {self.path} can't be written ({_reason(error)}).") from None
                raise

    def _read(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                raise StoreError(f"The session store {self.path} can't be read ({_reason(error)}).") from None

    def schema_version(self) -> int:
        return self._read("PRAGMA user_version")[0][0]

    def integrity_check(self) -> str:
        """'ok' when SQLite finds the file sound."""
        return "; ".join(row[0] for row in self._read("PRAGMA integrity_check"))

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The session store {self.path} was written by a newer Segue (schema {version}); update Segue to open it."
            )
        if version == SCHEMA_VERSION:
            return
        with self._write() as conn:
            # Another process may have migrated while we waited for the write lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- sessions -------------------------------------------------------------------

    def create_session(
        self,
        project_dir: str,
        title: str = "",
        plan_model: str = models.DEFAULT_PLAN_MODEL,
        exec_model: str = models.DEFAULT_EXEC_MODEL,
        *,
        origin: str = "tui",
    ) -> str:
        """A new session; `origin` says where it was started ('tui' or 'cli')."""
        _check(origin, SESSION_ORIGINS, "session origin")
        now = _stamp(self.now())
        with self._write() as conn:
            while True:
                session_id = os.urandom(ID_BYTES).hex()  # as secrets.token_hex does, without importing it
                if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
                    break
            conn.execute(
                f"INSERT INTO sessions ({_SESSION_COLUMNS}, origin) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (session_id, str(project_dir), title, now, now, plan_model, exec_model, origin),
            )
        return session_id

    def get_session(self, session_id: str) -> SessionRow | None:
        rows = self._read(f"SELECT {_SESSION_READ_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def resolve_session_id(self, prefix: str) -> str:
        """The full id of the one session whose id is or starts with `prefix`."""
        wanted = prefix.strip().lower()
        if not wanted:
            raise SessionNotFound("No session id was given.")
        if self._read("SELECT 1 FROM sessions WHERE id = ?", (wanted,)):
            return wanted
        pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._read(
            "SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' ORDER BY updated_at DESC LIMIT 4", (pattern,)
        )
        if not rows:
            raise SessionNotFound(f"No session id starts with {prefix.strip()!r}; `segue sessions` lists them.")
        if len(rows) > 1:
            shown = ", ".join(row[0] for row in rows[:3]) + (", …" if len(rows) > 3 else "")
            raise AmbiguousSession(f"{prefix.strip()!r} matches several sessions ({shown}); type more of the id.")
        return rows[0][0]

    def list_sessions(
        self, project_dir: str | None = None, search: str | None = None, *, include_empty: bool = True
    ) -> list[SessionSummary]:
        """Sessions newest first, with message count, cost and models; `search` matches the
        title and any message's text (case-insensitive for ASCII)."""
        where: list[str] = []
        params: list[Any] = []
        if project_dir is not None:
            where.append("s.project_dir = ?")
            params.append(str(project_dir))
        if search and search.strip():
            pattern = _like_pattern(search.strip())
            where.append(
                "(s.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.session_id = s.id AND m.text LIKE ? ESCAPE '\\'))"
            )
            params += [pattern, pattern]
        if not include_empty:
            where.append("EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)")
        sql = f"""
            SELECT {", ".join("s." + c for c in _SESSION_COLUMNS.split(", "))},
                (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id),
                (SELECT COALESCE(SUM(u.cost_nusd), 0) FROM usage u WHERE u.session_id = s.id),
                (SELECT COUNT(*) FROM usage u WHERE u.session_id = s.id AND u.cost_nusd IS NULL),
                (SELECT group_concat(model, char(31)) FROM (
                    SELECT m.model FROM messages m WHERE m.session_id = s.id
                    GROUP BY m.model ORDER BY MIN(m.id)))
            FROM sessions s
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY s.updated_at DESC, s.rowid DESC
        """
        summaries = []
        for row in self._read(sql, params):
            base = _session(row[:8])
            summaries.append(
                SessionSummary(
                    **{name: getattr(base, name) for name in SessionRow.__dataclass_fields__},
                    message_count=row[8],
                    cost_usd=from_nanodollars(row[9]),
                    unknown_cost_rows=row[10],
                    models=tuple(row[11].split("\x1f")) if row[11] else (),
                )
            )
        return summaries

    def latest_session(self, project_dir: str) -> SessionRow | None:
        rows = self._read(
            f"SELECT {_SESSION_READ_COLUMNS} FROM sessions WHERE project_dir = ? ORDER BY updated_at DESC, rowid DESC LIMIT 1",
            (str(project_dir),),
        )
        return _session(rows[0]) if rows else None

    def session_to_resume(self, project_dir: str) -> SessionRow | None:
        """The project's latest TUI session with a reply worth reading, else its latest TUI
        session with no messages at all (reused rather than piling up blanks), else None.

        A headless `segue ask`, a session whose only turns failed, and an empty `--new`
        session are never what a plain `segue` brings back over a real conversation.
        """
        rows = self._read(
            f"""
            SELECT {_SESSION_COLUMNS} FROM sessions s
            WHERE s.project_dir = ? AND s.origin = 'tui' AND EXISTS (
                SELECT 1 FROM messages m WHERE m.session_id = s.id AND m.role = 'assistant'
                AND m.status != 'failed' AND (m.text != '' OR m.thinking != ''))
            ORDER BY s.updated_at DESC, s.rowid DESC LIMIT 1
            """,
            (str(project_dir),),
        )
        if not rows:
            rows = self._read(
                f"""
                SELECT {_SESSION_COLUMNS} FROM sessions s
                WHERE s.project_dir = ? AND s.origin = 'tui'
                AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)
                ORDER BY s.updated_at DESC, s.rowid DESC LIMIT 1
                """,
                (str(project_dir),),
            )
        return _session(rows[0]) if rows else None

    def _update_session(self, session_id: str, assignments: str, params: tuple) -> None:
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE sessions SET {assignments}, updated_at = ? WHERE id = ?",
                (*params, _stamp(self.now()), session_id),
            )
            if cursor.rowcount == 0:
                raise SessionNotFound(f"No session has the id {session_id!r}.")

    def rename_session(self, session_id: str, title: str) -> None:
        self._update_session(session_id, "title = ?", (title.strip(),))

    def set_pane_model(self, session_id: str, pane: str, model: str) -> None:
        _check(pane, PANES, "pane")
        self._update_session(session_id, f"{pane}_model = ?", (model,))

    def set_pane_effort(self, session_id: str, pane: str, effort: str | None) -> None:
        _check(pane, PANES, "pane")
        self._update_session(session_id, f"{pane}_effort = ?", (effort,))

    def set_active_plan(self, session_id: str, path: str | None) -> None:
        self._update_session(session_id, "active_plan = ?", (None if path is None else str(path),))

    def claude_code_sessions(self, session_id: str) -> dict[str, str]:
        """Pane -> the Claude Code session id that pane's conversation continues."""
        rows = self._read("SELECT pane, claude_session_id FROM claude_code_sessions WHERE session_id = ?", (session_id,))
        return {pane: claude_id for pane, claude_id in rows}

    def all_claude_code_session_ids(self) -> set[str]:
        """Every Claude Code session id a Segue pane ran (their transcripts are Segue's spend too)."""
        return {row[0] for row in self._read("SELECT claude_session_id FROM claude_code_sessions")}

    def set_claude_code_session(self, session_id: str, pane: str, claude_session_id: str) -> None:
        _check(pane, PANES, "pane")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO claude_code_sessions (session_id, pane, claude_session_id, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (session_id, pane) DO UPDATE SET claude_session_id = excluded.claude_session_id, "
                "updated_at = excluded.updated_at",
                (session_id, pane, claude_session_id, _stamp(self.now())),
            )

    def touch(self, session_id: str) -> None:
        self._update_session(session_id, "id = id", ())

    def delete_session(self, session_id: str) -> None:
        """Delete the session with its messages and usage rows (file versions are per path and stay)."""
        with self._write() as conn:
            if conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount == 0:
                raise SessionNotFound(f"No session has the id {session_id!r}.")

    # -- messages -------------------------------------------------------------------

    def add_message(
        self,
        session_id: str,
        pane: str,
        role: str,
        model: str,
        text: str = "",
        status: str = "complete",
        thinking: str = "",
    ) -> int:
        _check(pane, PANES, "pane")
        _check(role, ROLES, "role")
        _check(status, STATUSES, "status")
        now = _stamp(self.now())
        with self._write() as conn:
            if conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id)).rowcount == 0:
                raise SessionNotFound(f"No session has the id {session_id!r}.")
            cursor = conn.execute(
                "INSERT INTO messages (session_id, pane, role, model, text, thinking, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, pane, role, model, text, thinking, status, now, now),
            )
            return int(cursor.lastrowid)

    def update_message(
        self, message_id: int, *, text: str | None = None, thinking: str | None = None, status: str | None = None
    ) -> None:
        """Replace the given fields of a message in one short transaction (the streaming flush)."""
        assignments, params = [], []
        if text is not None:
            assignments.append("text = ?")
            params.append(text)
        if thinking is not None:
            assignments.append("thinking = ?")
            params.append(thinking)
        if status is not None:
            _check(status, STATUSES, "status")
            assignments.append("status = ?")
            params.append(status)
        assignments.append("updated_at = ?")
        params.append(_stamp(self.now()))
        with self._write() as conn:
            cursor = conn.execute(f"UPDATE messages SET {', '.join(assignments)} WHERE id = ?", (*params, message_id))
            if cursor.rowcount == 0:
                raise StoreError(f"No message has the id {message_id}.")

    def get_message(self, message_id: int) -> MessageRow | None:
        rows = self._read(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,))
        return _message(rows[0]) if rows else None

    def messages(self, session_id: str, pane: str | None = None) -> list[MessageRow]:
        """A session's messages in the order they were written (one pane's, or both)."""
        if pane is None:
            rows = self._read(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY id", (session_id,))
        else:
            rows = self._read(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ? AND pane = ? ORDER BY id",
                (session_id, pane),
            )
        return [_message(row) for row in rows]

    # -- tool calls -------------------------------------------------------------------

    def add_tool_calls(self, message_id: int, calls: list[ToolCallRow]) -> None:
        """Store reply `message_id`'s tool calls, in call order, in one transaction."""
        for call in calls:
            _check(call.outcome, TOOL_OUTCOMES, "tool call outcome")
        if not calls:
            return
        now = _stamp(self.now())
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO tool_calls (message_id, tool, target, outcome, error, diff, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(message_id, call.tool, call.target, call.outcome, call.error, call.diff, now) for call in calls],
            )

    def tool_calls(self, session_id: str, pane: str | None = None) -> dict[int, list[ToolCallRow]]:
        """A session's tool calls (one pane's, or both) by reply message id, in call order."""
        sql = (
            "SELECT t.message_id, t.tool, t.target, t.outcome, t.error, t.diff FROM tool_calls t "
            "JOIN messages m ON m.id = t.message_id WHERE m.session_id = ?"
        )
        params: list[Any] = [session_id]
        if pane is not None:
            sql += " AND m.pane = ?"
            params.append(pane)
        calls: dict[int, list[ToolCallRow]] = {}
        for row in self._read(sql + " ORDER BY t.id", params):
            calls.setdefault(row[0], []).append(ToolCallRow(*row[1:]))
        return calls

    # -- auto mode's routing decisions -------------------------------------------------

    def add_route(
        self,
        session_id: str,
        message_id: int,
        pane: str,
        model: str,
        effort: str | None,
        task_type: str,
        reason: str,
        confirmed: bool | None,
    ) -> None:
        """Store the routing decision behind reply `message_id` (one per reply; a second replaces it)."""
        _check(pane, PANES, "pane")
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO routes (message_id, session_id, pane, model, effort, task_type, reason, confirmed, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message_id, session_id, pane, model, effort, task_type, reason,
                    None if confirmed is None else int(confirmed), _stamp(self.now()),
                ),
            )

    def routes(self, session_id: str) -> dict[int, RouteRow]:
        """A session's routing decisions by reply message id."""
        rows = self._read(
            "SELECT message_id, pane, model, effort, task_type, reason, confirmed, created_at FROM routes "
            "WHERE session_id = ? ORDER BY message_id",
            (session_id,),
        )
        return {
            row[0]: RouteRow(row[0], row[1], row[2], row[3], row[4], row[5], None if row[6] is None else bool(row[6]), _parse(row[7]))
            for row in rows
        }

    # -- usage ----------------------------------------------------------------------

    def add_usage(
        self,
        session_id: str,
        message_id: int | None,
        pane: str,
        model: str,
        usage: TokenUsage,
        cost_usd: Decimal | None,
        all_opus_cost_usd: Decimal | None,
    ) -> None:
        _check(pane, PANES, "pane")
        now = _stamp(self.now())
        with self._write() as conn:
            if conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id)).rowcount == 0:
                raise SessionNotFound(f"No session has the id {session_id!r}.")
            conn.execute(
                f"INSERT INTO usage ({_USAGE_COLUMNS.split(', ', 1)[1]}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    message_id,
                    pane,
                    model,
                    usage.input_tokens,
                    usage.output_tokens,
                    usage.cache_creation_input_tokens,
                    usage.cache_read_input_tokens,
                    to_nanodollars(cost_usd),
                    to_nanodollars(all_opus_cost_usd),
                    now,
                    usage.cache_creation_1h_input_tokens,
                ),
            )

    def usage_rows(self, session_id: str | None = None, since: datetime | None = None) -> list[UsageRow]:
        where, params = self._usage_filter(session_id=session_id, since=since)
        return [_usage(row) for row in self._read(f"SELECT {_USAGE_COLUMNS} FROM usage {where} ORDER BY id", params)]

    def totals(
        self,
        session_id: str | None = None,
        pane: str | None = None,
        model: str | None = None,
        day: date | None = None,
    ) -> CostTotals:
        """Sums in SQL over integer columns; `day` is a local calendar day."""
        where, params = self._usage_filter(session_id=session_id, pane=pane, model=model, day=day)
        row = self._read(
            "SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
            "COALESCE(SUM(cache_creation_input_tokens), 0), COALESCE(SUM(cache_read_input_tokens), 0), "
            "COALESCE(SUM(cost_nusd), 0), COALESCE(SUM(all_opus_cost_nusd), 0), "
            "COUNT(*) - COUNT(cost_nusd), COUNT(*), COUNT(*) - COUNT(all_opus_cost_nusd), "
            "COALESCE(SUM(cache_creation_1h_input_tokens), 0) "
            f"FROM usage {where}",
            params,
        )[0]
        return CostTotals(
            usage=TokenUsage(row[0], row[1], row[2], row[3], row[9]),
            cost_usd=from_nanodollars(row[4]),
            all_opus_cost_usd=from_nanodollars(row[5]),
            unknown_cost_rows=row[6],
            messages=row[7],
            unknown_all_opus_rows=row[8],
        )

    def totals_by_model(self, session_id: str | None = None, day: date | None = None) -> dict[str, CostTotals]:
        """totals() for each model that has usage rows, in order of first use."""
        where, params = self._usage_filter(session_id=session_id, day=day)
        names = [row[0] for row in self._read(f"SELECT model FROM usage {where} GROUP BY model ORDER BY MIN(id)", params)]
        return {name: self.totals(session_id=session_id, model=name, day=day) for name in names}

    @staticmethod
    def _usage_filter(
        *,
        session_id: str | None = None,
        pane: str | None = None,
        model: str | None = None,
        day: date | None = None,
        since: datetime | None = None,
    ) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("session_id", session_id), ("pane", pane), ("model", model)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if day is not None:
            start, end = local_day_bounds(day)
            where.append("created_at >= ? AND created_at < ?")
            params += [_stamp(start), _stamp(end)]
        if since is not None:
            if since.tzinfo is None:
                since = since.astimezone()  # a naive time is the user's local time
            where.append("created_at >= ?")
            params.append(_stamp(since))
        return ("WHERE " + " AND ".join(where) if where else ""), params

    # -- file versions --------------------------------------------------------------

    def record_file_version(self, path: str, text: str, source: str) -> bool:
        """Keep this text of `path`; False (nothing stored) when it equals the newest kept version."""
        digest = sha256_of(text.encode("utf-8"))
        with self._write() as conn:
            newest = conn.execute(
                "SELECT sha256 FROM file_versions WHERE path = ? ORDER BY id DESC LIMIT 1", (str(path),)
            ).fetchone()
            if newest is not None and newest[0] == digest:
                return False
            conn.execute(
                "INSERT INTO file_versions (path, text, sha256, seen_at, source) VALUES (?, ?, ?, ?, ?)",
                (str(path), text, digest, _stamp(self.now()), source),
            )
            return True

    def is_newest_file_version(self, path: str, text: str) -> bool:
        """True when `text` is the newest kept version of `path` (a read: nothing is written)."""
        digest = sha256_of(text.encode("utf-8"))
        rows = self._read("SELECT sha256 FROM file_versions WHERE path = ? ORDER BY id DESC LIMIT 1", (str(path),))
        return bool(rows) and rows[0][0] == digest

    def file_version_count(self, path: str) -> int:
        """How many versions of `path` Segue has seen (the current one's number), without their texts."""
        return self._read("SELECT COUNT(*) FROM file_versions WHERE path = ?", (str(path),))[0][0]

    def file_versions(self, path: str) -> list[FileVersion]:
        """Every kept version of `path`, oldest first."""
        rows = self._read(
            "SELECT path, text, sha256, seen_at, source FROM file_versions WHERE path = ? ORDER BY id", (str(path),)
        )
        return [FileVersion(row[0], row[1], row[2], _parse(row[3]), row[4]) for row in rows]


def _reason(error: BaseException) -> str:
    text = str(error).strip().rstrip(".")
    return text or type(error).__name__
