-- The employee's own id in an integration's system (issue 14), beside the
-- agent id that system sends: optional, kept exactly as typed.
ALTER TABLE agent_mappings ADD COLUMN system_employee_id TEXT;
