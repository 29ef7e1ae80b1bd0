-- The WFM side (issue 14): employees, activities with the default
-- *Present*, and which external agent id of an integration is which
-- employee. Agent statuses stay keyed by the external id: a mapping is a
-- join, so statuses kept before it show up at once and hide again when it
-- is removed.
CREATE TABLE employees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    email TEXT,
    personnel_number TEXT,
    created_at TEXT NOT NULL,
    archived_at TEXT
);
CREATE INDEX employees_account ON employees (account_id, id);
-- Auto-matching by email needs one current employee per address.
CREATE UNIQUE INDEX employees_email ON employees (account_id, email)
    WHERE email IS NOT NULL AND archived_at IS NULL;

CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    colour TEXT NOT NULL,
    is_default BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    archived_at TEXT
);
CREATE UNIQUE INDEX activities_default ON activities (account_id) WHERE is_default;
INSERT INTO activities (account_id, name, category, colour, is_default, created_at)
    SELECT id, 'Present', 'work', '#16a34a', 1, created_at FROM accounts;

CREATE TABLE agent_mappings (
    integration_id INTEGER NOT NULL REFERENCES integrations (id),
    external_id TEXT NOT NULL,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (integration_id, external_id),
    UNIQUE (integration_id, employee_id)
);
CREATE INDEX agent_mappings_employee ON agent_mappings (employee_id);

-- External activity ids of an integration mapped to activities; an
-- unmapped one is shown as the default activity.
CREATE TABLE activity_mappings (
    integration_id INTEGER NOT NULL REFERENCES integrations (id),
    external_id TEXT NOT NULL,
    activity_id INTEGER NOT NULL REFERENCES activities (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (integration_id, external_id)
);

-- Workloads: a planner's grouping of queues.
CREATE TABLE workloads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    archived_at TEXT
);
CREATE INDEX workloads_account ON workloads (account_id, id);
CREATE TABLE workload_queues (
    workload_id INTEGER NOT NULL REFERENCES workloads (id),
    queue_id INTEGER NOT NULL REFERENCES queues (id),
    PRIMARY KEY (workload_id, queue_id)
);
