"""Incremental scan of Claude Code's transcript files, with a per-file cache in Segue's data dir.

Each file remembers its inode, size, mtime and the offset just past its last complete line;
a re-scan reads only the bytes appended since. A file that shrank, changed inode or whose
first bytes (or the bytes just before the remembered offset) changed is read again from zero
and its earlier records are dropped. Records are deduplicated across all files on
(message.id, requestId), keeping the copy with the most tokens, first seen on ties.

Files are read in blocks and lines are bounded (MAX_LINE_BYTES), so memory stays flat
however large a transcript grows; a FIFO or unreadable file is counted, never waited on.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.claude_usage.transcript_lines import LINE_TOO_LONG, UNREADABLE_FILE, UsageRecord, parse_chunk
from core.regular_files import open_regular

# 2: per-reason skip counts; 3: records carry the one-hour part of the cache write
# (an older cache is dropped and the files read again).
SCHEMA_VERSION = 3
_CHECK_BYTES = 64  # compared at the file's start and just before the offset to notice rewrites
READ_BLOCK = 4 * 1024 * 1024  # bytes read at a time: memory does not grow with the file
# No usage line comes near this (a reply's output is bounded); a longer line is a tool result
# or garbage, skipped (and counted) without ever being held whole.
MAX_LINE_BYTES = 16 * 1024 * 1024


def default_roots(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Claude Code's config roots: CLAUDE_CONFIG_DIR's comma-separated entries, else ~/.config/claude and ~/.claude."""
    environ = os.environ if environ is None else environ
    configured = environ.get("CLAUDE_CONFIG_DIR", "")
    entries = [entry.strip() for entry in configured.split(",") if entry.strip()]
    if entries:
        return [Path(entry).expanduser() for entry in entries]
    home = Path(environ.get("HOME") or Path.home())
    return [home / ".config" / "claude", home / ".claude"]


def cache_path() -> Path:
    from core import paths

    return paths.data_dir() / "claude_usage.sqlite3"


@dataclass
class FileState:
    path: str
    root_index: int
    relative: str
    project: str
    fallback_session: str
    device: int = 0
    inode: int = 0
    size: int = 0
    mtime_ns: int = 0
    offset: int = 0
    head: bytes = b""
    tail: bytes = b""
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> lines skipped
    unreadable: bool = False  # the last attempt to read it failed (permissions, a FIFO, ...)
    cwd: str | None = None
    # Best copy per dedupe key within this file, then lines without a message id.
    keyed: dict[tuple[str, str | None], UsageRecord] = field(default_factory=dict)
    unkeyed: list[UsageRecord] = field(default_factory=list)

    @property
    def malformed(self) -> int:
        return sum(self.skipped.values())

    @property
    def order(self) -> tuple[int, str]:
        return (self.root_index, self.relative)

    def reset(self) -> None:
        self.offset = 0
        self.head = b""
        self.tail = b""
        self.skipped = Counter()
        self.cwd = None
        self.keyed = {}
        self.unkeyed = []

    def add(self, record: UsageRecord) -> bool:
        """Keep `record` if it is this file's best copy; True when the file's records changed."""
        key = record.dedupe_key
        if key is None:
            self.unkeyed.append(record)
            return True
        held = self.keyed.get(key)
        if held is None or record.total_tokens > held.total_tokens:
            self.keyed[key] = record
            return True
        return False


@dataclass
class ScanStats:
    """What the last scan did; tests and the benchmark assert on these."""

    files_seen: int = 0
    files_read: int = 0
    files_reset: int = 0
    files_removed: int = 0
    bytes_read: int = 0  # transcript bytes read from remembered offsets
    check_bytes_read: int = 0  # the few bytes compared to notice rewritten files
    records_added: int = 0


def _wins(record: UsageRecord, order: tuple[int, str], held: tuple[UsageRecord, tuple[int, str]]) -> bool:
    """Most tokens wins; on a tie the copy first in scan order (root, path, line offset)."""
    held_record, held_order = held
    if record.total_tokens != held_record.total_tokens:
        return record.total_tokens > held_record.total_tokens
    return (order, record.offset) < (held_order, held_record.offset)


class TranscriptScanner:
    """Scans `roots`' projects/**/*.jsonl; `scan()` again to pick up what changed.

    `cache` is a path for the SQLite cache, None for Segue's default, or False for none.
    Not thread-safe: call scan() from one thread at a time.
    """

    def __init__(self, roots: Iterable[Path] | None = None, cache: Path | None | bool = None) -> None:
        self.roots = [Path(root).expanduser() for root in (default_roots() if roots is None else roots)]
        self.files: dict[str, FileState] = {}
        self.stats = ScanStats()
        self.total_bytes_read = 0
        self._winners: dict[tuple[str, str | None], tuple[UsageRecord, tuple[int, str]]] = {}
        self._needs_dedupe = True
        self._records: list[UsageRecord] | None = None
        self._db: sqlite3.Connection | None = None
        self._loaded = False
        if cache is not False:
            self._db = _open_cache(cache_path() if cache is None or cache is True else Path(cache))

    # -- public -------------------------------------------------------------------------

    def scan(self) -> ScanStats:
        """Read what changed since the last scan (or since the cache remembers)."""
        stats = ScanStats()
        if not self._loaded:
            self._load_cache()
            self._loaded = True
        found = dict(self._discover())
        stats.files_seen = len(found)
        for path in [p for p in self.files if p not in found]:
            self._forget(path)
            stats.files_removed += 1
        changed: list[FileState] = []
        for path, (root_index, relative, project, session) in found.items():
            state = self.files.get(path)
            if state is None:
                state = FileState(path, root_index, relative, project, session)
                self.files[path] = state
            else:
                state.root_index, state.relative = root_index, relative
            if self._refresh(state, stats):
                changed.append(state)
        if changed:
            self._records = None
        self.stats = stats
        self.total_bytes_read += stats.bytes_read
        self._save(changed)
        return stats

    def records(self) -> list[UsageRecord]:
        """Deduplicated records across all files (lines without a message id all kept)."""
        if self._needs_dedupe:
            self._dedupe_all()
        if self._records is None:
            records = [record for record, _ in self._winners.values()]
            for state in self.files.values():
                records.extend(state.unkeyed)
            self._records = records
        return self._records

    @property
    def skipped_reasons(self) -> dict[str, int]:
        """Why lines were skipped, reason -> count; an unreadable file counts once."""
        total: Counter[str] = Counter()
        for state in self.files.values():
            total.update(state.skipped)
            if state.unreadable:
                total[UNREADABLE_FILE] += 1
        return dict(sorted(total.items()))

    @property
    def skipped_lines(self) -> int:
        return sum(self.skipped_reasons.values())

    def project_paths(self) -> dict[str, str]:
        """projects/ directory name -> the working directory Claude Code recorded there."""
        names: dict[str, str] = {}
        for state in self.files.values():
            if state.cwd and state.project not in names:
                names[state.project] = state.cwd
        return names

    def watch_paths(self) -> list[Path]:
        """Existing directories to watch for changes: each root's projects/, else the root."""
        paths: list[Path] = []
        for root in self.roots:
            projects = root / "projects"
            if projects.is_dir():
                paths.append(projects)
            elif root.is_dir():
                paths.append(root)
        return paths

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> TranscriptScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- scanning -----------------------------------------------------------------------

    def _discover(self) -> Iterable[tuple[str, tuple[int, str, str, str]]]:
        seen: set[str] = set()
        for root_index, root in enumerate(self.roots):
            projects = root / "projects"
            if not projects.is_dir():
                continue
            for dirpath, dirnames, filenames in os.walk(projects):
                dirnames.sort()
                for name in sorted(filenames):
                    if not name.endswith(".jsonl"):
                        continue
                    path = os.path.join(dirpath, name)
                    if path in seen:
                        continue
                    seen.add(path)
                    relative = os.path.relpath(path, projects)
                    parts = relative.split(os.sep)
                    project = parts[0] if len(parts) > 1 else ""
                    yield path, (root_index, relative, project, name[: -len(".jsonl")])

    def _refresh(self, state: FileState, stats: ScanStats) -> bool:
        """Bring one file up to date; True when its records changed."""
        try:
            info = os.stat(state.path)
        except OSError:
            return False
        same_file = (info.st_dev, info.st_ino) == (state.device, state.inode)
        if same_file and info.st_size == state.size and info.st_mtime_ns == state.mtime_ns and not state.unreadable:
            return False
        try:
            with open_regular(state.path) as handle:
                rewritten = not same_file or info.st_size < state.offset
                if not rewritten and state.offset:
                    rewritten = not self._unchanged_before_offset(handle, state, stats)
                if rewritten and (state.offset or state.keyed or state.unkeyed or state.skipped):
                    state.reset()
                    stats.files_reset += 1
                    self._needs_dedupe = True
                start = state.offset
                self._read_lines(handle, state, stats, info.st_size - start)
                if state.offset:
                    # What identifies this version of the file: its first bytes and those before the offset.
                    if start == 0:
                        handle.seek(0)
                        state.head = handle.read(min(state.offset, _CHECK_BYTES))
                    keep = min(state.offset, _CHECK_BYTES)
                    handle.seek(state.offset - keep)
                    state.tail = handle.read(keep)
        except OSError:
            # Unreadable now (permissions, a FIFO, a disk error): counted, tried again next scan.
            changed = not state.unreadable
            state.unreadable = True
            return changed
        state.unreadable = False
        state.device, state.inode, state.size, state.mtime_ns = info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns
        # Read means changed for the cache too: its size and mtime must be remembered.
        return True

    def _read_lines(self, handle, state: FileState, stats: ScanStats, length: int) -> None:
        """Parse `length` bytes from state.offset block by block; the offset ends after the last complete line."""
        handle.seek(state.offset)
        pending = b""  # the start of a line whose end is in a later block
        position = state.offset  # file offset of the first byte not yet consumed
        dropped = -1  # >= 0 while dropping a line over MAX_LINE_BYTES: its bytes seen so far
        order = state.order
        while length > 0:
            block = handle.read(min(READ_BLOCK, length))
            if not block:
                break
            length -= len(block)
            stats.bytes_read += len(block)
            if dropped >= 0:
                end = block.find(b"\n")
                if end < 0:
                    dropped += len(block)
                    continue
                # The long line ends here: skip it, counted; the offset may now pass it.
                state.skipped[LINE_TOO_LONG] += 1
                position += dropped + end + 1
                state.offset = position
                dropped = -1
                block = block[end + 1 :]
            data = pending + block if pending else block
            chunk = parse_chunk(data, position, state.project, state.fallback_session)
            position += chunk.consumed
            state.offset = position
            pending = data[chunk.consumed :]
            state.skipped.update(chunk.skipped)
            if chunk.cwd and not state.cwd:
                state.cwd = chunk.cwd
            for record in chunk.records:
                if state.add(record):
                    stats.records_added += 1
                    if not self._needs_dedupe:
                        self._merge(record, order)
            if len(pending) > MAX_LINE_BYTES:
                dropped, pending = len(pending), b""
        stats.files_read += 1

    def _unchanged_before_offset(self, handle, state: FileState, stats: ScanStats) -> bool:
        head = handle.read(len(state.head))
        handle.seek(state.offset - len(state.tail))
        tail = handle.read(len(state.tail))
        stats.check_bytes_read += len(head) + len(tail)
        return head == state.head and tail == state.tail

    def _forget(self, path: str) -> None:
        self.files.pop(path, None)
        self._needs_dedupe = True
        self._records = None
        if self._db is not None:
            try:
                with self._db:
                    self._db.execute("DELETE FROM files WHERE path = ?", (path,))
            except sqlite3.Error:
                pass

    def _merge(self, record: UsageRecord, order: tuple[int, str]) -> None:
        key = record.dedupe_key
        if key is None:
            return
        held = self._winners.get(key)
        if held is None or _wins(record, order, held):
            self._winners[key] = (record, order)

    def _dedupe_all(self) -> None:
        winners: dict[tuple[str, str | None], tuple[UsageRecord, tuple[int, str]]] = {}
        for state in self.files.values():
            order = state.order
            for key, record in state.keyed.items():
                held = winners.get(key)
                if held is None or _wins(record, order, held):
                    winners[key] = (record, order)
        self._winners = winners
        self._needs_dedupe = False
        self._records = None

    # -- the cache ------------------------------------------------------------------------

    def _load_cache(self) -> None:
        if self._db is None:
            return
        try:
            rows = self._db.execute(
                "SELECT path, device, inode, size, mtime_ns, offset, head, tail, skipped, cwd, records FROM files"
            ).fetchall()
        except sqlite3.Error:
            return
        wanted = [str(root / "projects") + os.sep for root in self.roots]
        make = UsageRecord._make
        for path, device, inode, size, mtime_ns, offset, head, tail, skipped, cwd, blob in rows:
            root_index = next((i for i, prefix in enumerate(wanted) if path.startswith(prefix)), None)
            if root_index is None:
                continue
            relative = path[len(wanted[root_index]) :]
            parts = relative.split(os.sep)
            project = parts[0] if len(parts) > 1 else ""
            name = os.path.basename(path)
            state = FileState(path, root_index, relative, project, name[: -len(".jsonl")])
            state.device, state.inode, state.size, state.mtime_ns, state.offset = device, inode, size, mtime_ns, offset
            state.head, state.tail, state.cwd = head, tail, cwd
            try:
                keyed, unkeyed = json.loads(blob)
                state.skipped = Counter({str(reason): int(count) for reason, count in json.loads(skipped).items()})
            except (ValueError, TypeError, AttributeError):
                continue  # unreadable entry: the file is simply read again
            for row in keyed:
                record = make(_with_project(row, project))
                state.keyed[(record.message_id, record.request_id)] = record
            state.unkeyed = [make(_with_project(row, project)) for row in unkeyed]
            self.files[path] = state
        self._needs_dedupe = True

    def _save(self, changed: list[FileState]) -> None:
        if self._db is None or not changed:
            return
        rows = []
        for state in changed:
            keyed = [_without_project(record) for record in state.keyed.values()]
            unkeyed = [_without_project(record) for record in state.unkeyed]
            blob = json.dumps([keyed, unkeyed], separators=(",", ":"))
            rows.append(
                (state.path, state.device, state.inode, state.size, state.mtime_ns, state.offset, state.head, state.tail, json.dumps(state.skipped), state.cwd, blob)
            )
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO files (path, device, inode, size, mtime_ns, offset, head, tail, skipped, cwd, records)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error:
            pass  # the cache is an optimisation: a failed write means the next scan reads more


_PROJECT = UsageRecord._fields.index("project")


def _without_project(record: UsageRecord) -> tuple:
    """A record as the cache stores it: the project comes from the file's path on load."""
    return (*record[:_PROJECT], *record[_PROJECT + 1 :])


def _with_project(row: list, project: str) -> tuple:
    return (*row[:_PROJECT], project, *row[_PROJECT:])


def _open_cache(path: Path) -> sqlite3.Connection | None:
    """The cache database, created or upgraded (a different schema version starts empty)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, timeout=5)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            with db:
                db.execute("DROP TABLE IF EXISTS files")
                db.execute(
                    "CREATE TABLE files (path TEXT PRIMARY KEY, device INTEGER, inode INTEGER, size INTEGER,"
                    " mtime_ns INTEGER, offset INTEGER, head BLOB, tail BLOB, skipped TEXT, cwd TEXT,"
                    " records TEXT)"
                )
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return db
    except sqlite3.Error:
        return None  # no cache: every scan reads everything, which is slower but correct
