-- A session store as the first release (schema 1) wrote it: no file_versions table, no
-- usage_by_time index. Frozen: tests/test_store_migrations.py opens it with today's Store.
PRAGMA user_version = 1;
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    project_dir TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    plan_model  TEXT NOT NULL,
    exec_model  TEXT NOT NULL,
    active_plan TEXT
);
CREATE INDEX sessions_by_project ON sessions (project_dir, updated_at);
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
);
CREATE INDEX messages_by_session ON messages (session_id, id);
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
);
CREATE INDEX usage_by_session ON usage (session_id);

INSERT INTO sessions VALUES
    ('a1b2c3d4e5', '/home/ada/src/shop', 'Plan an authentication system',
     '2025-03-01T09:00:00.000000+00:00', '2025-03-01T09:05:00.000000+00:00',
     'claude-opus-4-5', 'claude-sonnet-4-5', '/home/ada/src/shop/AUTH_PLAN.md'),
    ('f0e1d2c3b4', '/home/ada/src/blog', 'Fix the typo in README.md',
     '2025-03-02T10:00:00.000000+00:00', '2025-03-02T10:01:00.000000+00:00',
     'claude-opus-4-5', 'claude-sonnet-4-5', NULL);

INSERT INTO messages VALUES
    (1, 'a1b2c3d4e5', 'plan', 'user', 'claude-opus-4-5', 'Plan an authentication system with sessions and 2FA', '', 'complete',
     '2025-03-01T09:00:00.000000+00:00', '2025-03-01T09:00:00.000000+00:00'),
    (2, 'a1b2c3d4e5', 'plan', 'assistant', 'claude-opus-4-5', '# Auth Plan' || char(10) || char(10) || '1. Argon2id hashing', 'Weigh bcrypt against Argon2id.', 'complete',
     '2025-03-01T09:00:01.000000+00:00', '2025-03-01T09:01:00.000000+00:00'),
    (3, 'a1b2c3d4e5', 'exec', 'user', 'claude-sonnet-4-5', 'Implement step 1 of AUTH_PLAN.md', '', 'complete',
     '2025-03-01T09:04:00.000000+00:00', '2025-03-01T09:04:00.000000+00:00'),
    (4, 'a1b2c3d4e5', 'exec', 'assistant', 'claude-sonnet-4-5', 'def hash_password(', '', 'cancelled',
     '2025-03-01T09:04:01.000000+00:00', '2025-03-01T09:05:00.000000+00:00'),
    (5, 'f0e1d2c3b4', 'exec', 'user', 'claude-sonnet-4-5', 'Fix the typo in README.md', '', 'complete',
     '2025-03-02T10:00:00.000000+00:00', '2025-03-02T10:00:00.000000+00:00'),
    (6, 'f0e1d2c3b4', 'exec', 'assistant', 'claude-sonnet-4-5', 'Fixed "teh" -> "the".', '', 'complete',
     '2025-03-02T10:00:01.000000+00:00', '2025-03-02T10:01:00.000000+00:00');

-- Costs in nanodollars: 0.041235 USD, 0.0000001 USD, and one reply on an unpriced model.
INSERT INTO usage VALUES
    (1, 'a1b2c3d4e5', 2, 'plan', 'claude-opus-4-5', 1200, 840, 0, 900, 41235000, 41235000, '2025-03-01T09:01:00.000000+00:00'),
    (2, 'a1b2c3d4e5', 4, 'exec', 'claude-sonnet-4-5', 3100, 12, 2900, 0, 100, 500, '2025-03-01T09:05:00.000000+00:00'),
    (3, 'f0e1d2c3b4', 6, 'exec', 'claude-sonnet-4-5', 50, 10, 0, 0, NULL, 275000, '2025-03-02T10:01:00.000000+00:00');
