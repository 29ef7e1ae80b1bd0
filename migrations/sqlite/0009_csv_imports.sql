-- CSV integrations (ADR 0010): each one's schema as its JSON document
-- (domain::csv::document), with a version that every save names; the
-- file an import read; and whether a file received through Cloud Link
-- has been taken (imported or refused).
CREATE TABLE csv_schemas (
    integration_id INTEGER PRIMARY KEY REFERENCES integrations (id),
    document TEXT NOT NULL,
    version INTEGER NOT NULL,
    saved_at TEXT NOT NULL
);

ALTER TABLE imports ADD COLUMN file_name TEXT;

ALTER TABLE received_files ADD COLUMN taken_at TEXT;
CREATE INDEX received_files_waiting ON received_files (id)
    WHERE taken_at IS NULL AND outcome = 'received';

-- Files an admin uploaded in the browser: the designer's sample (the
-- latest per integration is kept) and files waiting for their preview to
-- be applied (the latest five).
CREATE TABLE csv_uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    integration_id INTEGER NOT NULL REFERENCES integrations (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('sample', 'file')),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    body BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX csv_uploads_integration ON csv_uploads (integration_id, purpose, id);
