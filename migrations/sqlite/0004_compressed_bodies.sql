-- Received bodies are kept compressed (ADR 0005): a 1 000-event request is
-- ~160 kB of JSON and a few kB in zstd, so ingestion writes far fewer pages.
-- Bodies kept before this stay as they were, marked 'identity'.
CREATE TABLE import_bodies (
    import_id INTEGER PRIMARY KEY REFERENCES imports (id),
    encoding TEXT NOT NULL CHECK (encoding IN ('identity', 'zstd')),
    body BLOB NOT NULL
);

INSERT INTO import_bodies (import_id, encoding, body)
SELECT import_id, 'identity', CAST(body AS BLOB) FROM import_payloads;

DROP TABLE import_payloads;
