-- Integrations, their API keys, and the audit log.
CREATE TABLE integrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    failing_reason TEXT,
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes IN (15, 30, 60)),
    carries_contacts BOOLEAN NOT NULL,
    carries_agent_statuses BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    last_import_at TEXT
);
CREATE INDEX integrations_account ON integrations (account_id, id);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id INTEGER NOT NULL REFERENCES integrations (id),
    secret_hash BLOB NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_keys_integration ON api_keys (integration_id);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    actor_user_id INTEGER NOT NULL REFERENCES users (id),
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    integration_id INTEGER REFERENCES integrations (id),
    at TEXT NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (account_id, id);
