-- Cloud Link jobs (ADR 0009) and the files clients upload. At most one
-- open job per integration.
CREATE TABLE cloud_link_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id INTEGER NOT NULL REFERENCES integrations (id),
    task TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    leased_until TEXT,
    ended_at TEXT,
    succeeded INTEGER,
    message TEXT,
    report_key TEXT
);
CREATE UNIQUE INDEX cloud_link_jobs_one_open ON cloud_link_jobs (integration_id)
    WHERE ended_at IS NULL;
CREATE INDEX cloud_link_jobs_latest ON cloud_link_jobs (integration_id, id);

-- A file is kept once per integration, name and content: an upload sent
-- again after a cut connection finds its row and gets the same answer.
CREATE TABLE received_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    integration_id INTEGER NOT NULL REFERENCES integrations (id),
    job_id INTEGER NOT NULL REFERENCES cloud_link_jobs (id),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('received', 'duplicate')),
    received_at TEXT NOT NULL,
    encoding TEXT,
    body BLOB,
    UNIQUE (integration_id, sha256, name)
);
CREATE INDEX received_files_latest ON received_files (integration_id, id);
