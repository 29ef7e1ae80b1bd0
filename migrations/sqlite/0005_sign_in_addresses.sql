-- Addresses each email signed in from successfully, by a digest of both:
-- they are spared the per-email ceiling of the sign-in throttle (ADR 0006).
CREATE TABLE sign_in_addresses (
    pair_key TEXT PRIMARY KEY,
    last_success_at TEXT NOT NULL
);
