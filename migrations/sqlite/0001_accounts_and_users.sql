-- Accounts, their users, and the one-row marker that closes first-run setup.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'planner')),
    language TEXT NOT NULL DEFAULT 'en',
    locked_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX users_account ON users (account_id);

-- At most one row: inserting it is how a first-run setup claims the
-- installation, so two racing setups cannot both succeed.
CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    set_up_at TEXT NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_key_time ON login_failures (throttle_key, failed_at);

CREATE TABLE personal_access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    secret_hash BLOB NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);
