"""The session store's schema, as a list of migrations from the first release on.

`PRAGMA user_version` holds how many migrations a store file has had. Migrations are only
ever appended: a released one is never edited, because stores in the wild already ran it.
Each is a tuple of single statements (not a script) so it runs inside the caller's
transaction together with the user_version bump: a crash mid-migration leaves the old
schema, never half of the new one.

Money is stored as integer nanodollars (`*_nusd`), so sums in SQL are exact; timestamps are
UTC ISO 8601 text of one fixed width, so they sort and compare as strings.
"""

from __future__ import annotations

V1 = (
    """
    CREATE TABLE sessions (
        id          TEXT PRIMARY KEY,
        project_dir TEXT NOT NULL,
        title       TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        plan_model  TEXT NOT NULL,
        exec_model  TEXT NOT NULL,
        active_plan TEXT
    )
    """,
    "CREATE INDEX sessions_by_project ON sessions (project_dir, updated_at)",
    """
    CREATE TABLE messages (
        id         INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        pane       TEXT NOT NULL CHECK (pane IN ('plan', 'exec')),
        role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        model      TEXT NOT NULL,
        text       TEXT NOT NULL DEFAULT '',
        thinking   TEXT NOT NULL DEFAULT '',
        status     TEXT NOT NULL
                   CHECK (status IN ('complete', 'streaming', 'cancelled', 'failed', 'partial')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX messages_by_session ON messages (session_id, id)",
    """
    CREATE TABLE usage (
        id                          INTEGER PRIMARY KEY,
        session_id                  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        message_id                  INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        pane                        TEXT NOT NULL,
        model                       TEXT NOT NULL,
        input_tokens                INTEGER NOT NULL DEFAULT 0,
        output_tokens               INTEGER NOT NULL DEFAULT 0,
        cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_input_tokens     INTEGER NOT NULL DEFAULT 0,
        cost_nusd                   INTEGER,
        all_opus_cost_nusd          INTEGER,
        created_at                  TEXT NOT NULL
    )
    """,
    "CREATE INDEX usage_by_session ON usage (session_id)",
)

# v2: file versions Segue has seen (saved, watched, sent) for the plan diff viewer, and an
# index for "today's" totals across sessions.
V2 = (
    """
    CREATE TABLE file_versions (
        id      INTEGER PRIMARY KEY,
        path    TEXT NOT NULL,
        text    TEXT NOT NULL,
        sha256  TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        source  TEXT NOT NULL
    )
    """,
    "CREATE INDEX file_versions_by_path ON file_versions (path, id)",
    "CREATE INDEX usage_by_time ON usage (created_at)",
)

# v3: each pane's Claude Code session id (`claude --resume` it), so a pane run by Claude Code
# continues the same Claude Code conversation after a restart or from `segue ask --session`.
V3 = (
    """
    CREATE TABLE claude_code_sessions (
        session_id        TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        pane              TEXT NOT NULL CHECK (pane IN ('plan', 'exec')),
        claude_session_id TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        PRIMARY KEY (session_id, pane)
    )
    """,
)

# v4: the one-hour part of each cache write (priced at 2x input, apart from 5-minute writes),
# and each pane's effort level, remembered per session (NULL: the settings' default).
V4 = (
    "ALTER TABLE usage ADD COLUMN cache_creation_1h_input_tokens INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sessions ADD COLUMN plan_effort TEXT",
    "ALTER TABLE sessions ADD COLUMN exec_effort TEXT",
)

# v5: auto mode's routing decision for a reply (the advisor's pick, why, and whether the user
# confirmed it), one row per assistant message that auto mode routed.
V5 = (
    """
    CREATE TABLE routes (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        pane       TEXT NOT NULL CHECK (pane IN ('plan', 'exec')),
        model      TEXT NOT NULL,
        effort     TEXT,
        task_type  TEXT NOT NULL,
        reason     TEXT NOT NULL DEFAULT '',
        confirmed  INTEGER CHECK (confirmed IN (0, 1)),
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX routes_by_session ON routes (session_id)",
)

# v6: where a session was started ('tui' or 'cli'), so a plain `segue` resumes the last
# conversation held in the TUI, not a headless `segue ask` made since. Older sessions count
# as TUI sessions: that is what they were resumed as before.
V6 = ("ALTER TABLE sessions ADD COLUMN origin TEXT NOT NULL DEFAULT 'tui'",)

# v7: the tool calls a reply made (the text editor, bash, complete_step, Claude Code's tools),
# in call order, so a resumed pane shows them as they were shown live. Kept small: the tool,
# its target, how it ended and an edit's diff; an error's message cut short, never a result.
V7 = (
    """
    CREATE TABLE tool_calls (
        id         INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        tool       TEXT NOT NULL,
        target     TEXT NOT NULL DEFAULT '',
        outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'denied', 'unfinished')),
        error      TEXT NOT NULL DEFAULT '',
        diff       TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX tool_calls_by_message ON tool_calls (message_id, id)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2, V3, V4, V5, V6, V7)
SCHEMA_VERSION = len(MIGRATIONS)
