-- Database integrations (issue 13): each one's settings as one JSON
-- document (domain::database::service::KeptSettings), its password
-- sealed with the server's credentials key, with a version every save
-- names, like csv_schemas.
CREATE TABLE database_settings (
    integration_id BIGINT PRIMARY KEY REFERENCES integrations (id),
    document TEXT NOT NULL,
    version BIGINT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL
);
