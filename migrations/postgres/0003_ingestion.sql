-- Pushed data: every request as received (append-only), the queues and
-- 15-minute interval statistics derived from contact events, agent
-- statuses, external ids not yet mapped, and idempotency keys.
CREATE TABLE imports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    feed TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'held', 'rejected')),
    was_held BOOLEAN NOT NULL DEFAULT FALSE,
    received_at TIMESTAMPTZ NOT NULL,
    applied_at TIMESTAMPTZ,
    item_count BIGINT NOT NULL,
    new_queue_count BIGINT NOT NULL DEFAULT 0,
    error_count BIGINT NOT NULL DEFAULT 0,
    error_summary TEXT,
    idempotency_key TEXT,
    request_hash BYTEA,
    UNIQUE (integration_id, idempotency_key)
);
CREATE INDEX imports_integration ON imports (integration_id, id);
CREATE INDEX imports_held ON imports (integration_id, outcome, id);

CREATE TABLE import_payloads (
    import_id BIGINT PRIMARY KEY REFERENCES imports (id),
    body TEXT NOT NULL
);

CREATE TABLE queues (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    queue_identifier TEXT NOT NULL,
    channel TEXT NOT NULL,
    queue_name TEXT NOT NULL,
    first_data_at TIMESTAMPTZ NOT NULL,
    last_data_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (integration_id, queue_identifier, channel)
);
CREATE INDEX queues_account ON queues (account_id, id);

CREATE TABLE interval_stats (
    queue_id BIGINT NOT NULL REFERENCES queues (id),
    interval_start TIMESTAMPTZ NOT NULL,
    offered BIGINT NOT NULL,
    handled BIGINT NOT NULL,
    abandoned BIGINT NOT NULL,
    handle_time_ms BIGINT NOT NULL,
    PRIMARY KEY (queue_id, interval_start)
);

CREATE TABLE agent_statuses (
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    agent_identifier TEXT NOT NULL,
    start_time TIMESTAMPTZ NOT NULL,
    activity_identifier TEXT NOT NULL,
    end_time TIMESTAMPTZ,
    import_id BIGINT NOT NULL REFERENCES imports (id),
    PRIMARY KEY (integration_id, agent_identifier, start_time)
);

CREATE TABLE discovered_ids (
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    kind TEXT NOT NULL CHECK (kind IN ('agent', 'activity')),
    external_id TEXT NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    seen_count BIGINT NOT NULL,
    PRIMARY KEY (integration_id, kind, external_id)
);
