-- An employee's team, as planners group people on the intraday board.
ALTER TABLE employees ADD COLUMN team TEXT;
