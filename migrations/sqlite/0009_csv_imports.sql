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
