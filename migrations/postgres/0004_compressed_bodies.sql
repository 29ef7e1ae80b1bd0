-- Received bodies are kept compressed (ADR 0005): a 1 000-event request is
-- ~160 kB of JSON and a few kB in zstd, so ingestion writes far fewer pages.
-- Bodies kept before this stay as they were, marked 'identity'.
CREATE TABLE import_bodies (
    import_id BIGINT PRIMARY KEY REFERENCES imports (id),
    encoding TEXT NOT NULL CHECK (encoding IN ('identity', 'zstd')),
    body BYTEA NOT NULL
);

-- Already compressed: TOAST should store it out of line, not try again.
ALTER TABLE import_bodies ALTER COLUMN body SET STORAGE EXTERNAL;

INSERT INTO import_bodies (import_id, encoding, body)
SELECT import_id, 'identity', convert_to(body, 'UTF8') FROM import_payloads;

DROP TABLE import_payloads;
