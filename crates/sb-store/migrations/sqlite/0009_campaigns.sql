-- Callback task lists and marketing campaigns (MISSION O3, O4). Times are
-- Unix milliseconds (UTC). Each touch of a customer also goes onto the
-- customer's contact timeline (customer_interactions).

-- A list of people to call back, owned by a department (the data scope of
-- callback.manage), with its pacing: how many attempts at most and how long
-- to wait before trying again after a miss.
CREATE TABLE callback_lists (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    department_id     INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    max_attempts      INTEGER NOT NULL DEFAULT 3,
    retry_minutes     INTEGER NOT NULL DEFAULT 60,
    -- 'open' or 'closed' (no more attempts).
    state             TEXT    NOT NULL DEFAULT 'open',
    created_by        TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- One person to call: a customer (matched or picked) and the number to dial.
CREATE TABLE callback_tasks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id           INTEGER NOT NULL REFERENCES callback_lists(id) ON DELETE CASCADE,
    customer_id       INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    name              TEXT    NOT NULL DEFAULT '',
    phone             TEXT    NOT NULL,
    notes             TEXT    NOT NULL DEFAULT '',
    -- Who calls: a person, or a department whose members share the task.
    assignee_id       INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    department_id     INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    -- 'pending', 'done', 'failed' (gave up) or 'cancelled'.
    state             TEXT    NOT NULL DEFAULT 'pending',
    attempts          INTEGER NOT NULL DEFAULT 0,
    due_at            INTEGER NOT NULL,
    -- The last attempt's call status ('' before the first).
    last_status       TEXT    NOT NULL DEFAULT '',
    success           INTEGER,
    -- Bumped by every attempt: an attempt applies only to the version it was decided on.
    version           INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX ix_callback_tasks_list ON callback_tasks(list_id, id);
-- An agent's work list is two ranges in due order: their own tasks, and
-- their department's that nobody has yet (the pool, a partial index).
CREATE INDEX ix_callback_tasks_assignee ON callback_tasks(assignee_id, state, due_at, id);
CREATE INDEX ix_callback_tasks_pool ON callback_tasks(department_id, state, due_at, id)
    WHERE assignee_id IS NULL;
CREATE INDEX ix_callback_tasks_customer ON callback_tasks(customer_id);

-- Every call made for a task and how it went.
CREATE TABLE callback_attempts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id           INTEGER NOT NULL REFERENCES callback_tasks(id) ON DELETE CASCADE,
    staff_id          INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    staff_name        TEXT    NOT NULL DEFAULT '',
    -- connected, busy, rejected, no_answer, unreachable, empty_number, powered_off.
    call_status       TEXT    NOT NULL,
    success           INTEGER NOT NULL DEFAULT 0,
    issues            TEXT    NOT NULL DEFAULT '',
    notes             TEXT    NOT NULL DEFAULT '',
    next_attempt_at   INTEGER,
    at                INTEGER NOT NULL
);
CREATE INDEX ix_callback_attempts_task ON callback_attempts(task_id, id);

-- A marketing campaign and the saved customer filter that picks its targets
-- (the query parameters of the customer search, as JSON).
CREATE TABLE campaigns (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    theme             TEXT    NOT NULL,
    -- YYYY-MM-DD, the day it takes place.
    held_on           TEXT    NOT NULL,
    -- 'on_site' or 'elsewhere'.
    kind              TEXT    NOT NULL,
    location          TEXT    NOT NULL DEFAULT '',
    description       TEXT    NOT NULL DEFAULT '',
    filter            TEXT    NOT NULL DEFAULT '{}',
    department_id     INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    -- 'planning' (targets may be picked), 'running' (results recorded), 'finished'.
    state             TEXT    NOT NULL DEFAULT 'planning',
    created_by        TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX ix_campaigns_held_on ON campaigns(held_on, id);

-- A customer the campaign reaches and what came of it (NULL: not yet known).
CREATE TABLE campaign_targets (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id             INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    invited                 INTEGER,
    refusal_reason          TEXT    NOT NULL DEFAULT '',
    attended                INTEGER,
    gift_taken              INTEGER,
    -- 1 (very unhappy) to 5 (very happy).
    satisfaction            INTEGER,
    dissatisfaction_reason  TEXT    NOT NULL DEFAULT '',
    notes                   TEXT    NOT NULL DEFAULT '',
    updated_by              TEXT    NOT NULL DEFAULT '',
    updated_at              INTEGER,
    CONSTRAINT uq_campaign_targets UNIQUE (campaign_id, customer_id)
);
CREATE INDEX ix_campaign_targets_customer ON campaign_targets(customer_id);
