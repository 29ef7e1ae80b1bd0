-- Cloud Link jobs (ADR 0009) and the files clients upload. At most one
-- open job per integration, whichever server process queues it.
CREATE TABLE cloud_link_jobs (
    id BIGSERIAL PRIMARY KEY,
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    task TEXT NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    leased_until TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    succeeded BOOLEAN,
    message TEXT,
    report_key TEXT
);
CREATE UNIQUE INDEX cloud_link_jobs_one_open ON cloud_link_jobs (integration_id)
    WHERE ended_at IS NULL;
CREATE INDEX cloud_link_jobs_latest ON cloud_link_jobs (integration_id, id);

-- A file is kept once per integration, name and content: an upload sent
-- again after a cut connection finds its row and gets the same answer.
CREATE TABLE received_files (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    integration_id BIGINT NOT NULL REFERENCES integrations (id),
    job_id BIGINT NOT NULL REFERENCES cloud_link_jobs (id),
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('received', 'duplicate')),
    received_at TIMESTAMPTZ NOT NULL,
    encoding TEXT,
    body BYTEA,
    UNIQUE (integration_id, sha256, name)
);
CREATE INDEX received_files_latest ON received_files (integration_id, id);
ALTER TABLE received_files ALTER COLUMN body SET STORAGE EXTERNAL;
