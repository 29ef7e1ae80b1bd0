-- Cloud Link (ADR 0009): pairings in progress, the link of each paired
-- integration, and the wrong PINs entered (for the PIN-entry limits).
CREATE TABLE cloud_link_pairings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_code_hash BLOB NOT NULL UNIQUE,
    pin TEXT NOT NULL,
    host TEXT NOT NULL,
    version TEXT NOT NULL,
    os TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL,
    last_poll_at TEXT,
    integration_id INTEGER REFERENCES integrations (id),
    collected_at TEXT
);
CREATE INDEX cloud_link_pairings_pin ON cloud_link_pairings (pin, expires_at);
CREATE INDEX cloud_link_pairings_expiry ON cloud_link_pairings (expires_at);

-- One per paired integration, made when an admin enters the PIN; the
-- credential is set when the client collects it. Pairing again replaces
-- the row, so the old client's credential stops at once.
CREATE TABLE cloud_links (
    integration_id INTEGER PRIMARY KEY REFERENCES integrations (id),
    pairing_id INTEGER NOT NULL REFERENCES cloud_link_pairings (id),
    credential_hash BLOB UNIQUE,
    host TEXT NOT NULL,
    version TEXT NOT NULL,
    os TEXT NOT NULL,
    paired_at TEXT NOT NULL,
    last_contact_at TEXT NOT NULL
);

CREATE TABLE pin_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    failed_at TEXT NOT NULL
);
CREATE INDEX pin_failures_time ON pin_failures (failed_at);
