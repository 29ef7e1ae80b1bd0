-- SQLite's interval statistics lose their rowid in this version (a row is
-- written once, in its primary key's order: ADR 0012). PostgreSQL keeps
-- its table and primary key index as they are: nothing changes here.
SELECT 1;
