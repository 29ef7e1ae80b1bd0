-- When the integration last sent an agent status without an end through
-- the ingestion API or the continuous feed: it sends real-time statuses
-- (RTA), and its page says so.
ALTER TABLE integrations ADD COLUMN real_time_at TIMESTAMPTZ;
