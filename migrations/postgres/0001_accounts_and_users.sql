-- Accounts, their users, and the one-row marker that closes first-run setup.
CREATE TABLE accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'planner')),
    language TEXT NOT NULL DEFAULT 'en',
    locked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_account ON users (account_id);

-- At most one row: inserting it is how a first-run setup claims the
-- installation, so two racing setups cannot both succeed.
CREATE TABLE installation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    set_up_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE login_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    throttle_key TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key_time ON login_failures (throttle_key, failed_at);

CREATE TABLE personal_access_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    secret_hash BYTEA NOT NULL UNIQUE,
    display_prefix TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);
