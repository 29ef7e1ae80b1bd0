-- Database imports (issue 13): how far each database integration's query
-- jobs have come (domain::database::import::Progress), and since when an
-- integration is paused: after a pause longer than 24 hours, what is older
-- than 24 hours is not imported again.
ALTER TABLE integrations ADD COLUMN paused_at TIMESTAMPTZ;
CREATE TABLE database_imports (
    integration_id BIGINT PRIMARY KEY REFERENCES integrations (id),
    imported_to TIMESTAMPTZ,
    reconciled_at TIMESTAMPTZ,
    -- The next history window's length (Progress::step).
    step_seconds BIGINT
);
