-- The interval statistics are kept in their primary key's order, without
-- a rowid: each row is written once instead of into the table and again
-- into its key's index. A database integration's history writes millions
-- of them (ADR 0012).
CREATE TABLE interval_stats_by_key (
    queue_id INTEGER NOT NULL REFERENCES queues (id),
    interval_start TEXT NOT NULL,
    offered INTEGER NOT NULL,
    handled INTEGER NOT NULL,
    abandoned INTEGER NOT NULL,
    handle_time_ms INTEGER NOT NULL,
    PRIMARY KEY (queue_id, interval_start)
) WITHOUT ROWID;

INSERT INTO interval_stats_by_key (queue_id, interval_start, offered, handled, abandoned, handle_time_ms)
SELECT queue_id, interval_start, offered, handled, abandoned, handle_time_ms FROM interval_stats;

DROP TABLE interval_stats;

ALTER TABLE interval_stats_by_key RENAME TO interval_stats;
