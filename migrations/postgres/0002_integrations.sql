-- Integrations, their API keys, and the audit log.
CREATE TABLE integrations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    failing_reason TEXT,
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes IN (15, 30, 60)),
    carries_contacts BOOLEAN NOT NULL,
    carries_agent_statuses BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ,
    last_import_at TIMESTAMPTZ
);
CREATE INDEX integrations_account ON integrations (account_id, id);

CREATE TABLE api_keys (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    secret_hash BYTEA NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_integration ON api_keys (integration_id);

CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    actor_user_id BIGINT NOT NULL REFERENCES users (id),
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    integration_id BIGINT REFERENCES integrations (id),
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (account_id, id);
