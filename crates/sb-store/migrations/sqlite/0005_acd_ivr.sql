-- The ACD and the IVR (MISSION I1-I9, A1-A10, Q1): versioned voice flows,
-- business calendars, queues and their members, the ACD's event log, the
-- caller blacklist, callers' trails through flows, voicemail and survey
-- answers; plus the dictionary of agents' not-ready reasons.
-- Times are Unix milliseconds (UTC); flags are 0/1 integers so both backends agree.

-- A flow's documents are kept per version: a call keeps the version it
-- started with, and an older version can be read back or restored.
CREATE TABLE ivr_flows (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL,
    -- The access number dialled from extensions; NULL when the flow has none.
    number           TEXT,
    description      TEXT    NOT NULL DEFAULT '',
    enabled          INTEGER NOT NULL DEFAULT 1,
    current_version  INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- Employee ID of who changed it last.
    updated_by       TEXT    NOT NULL DEFAULT '',
    CONSTRAINT uq_ivr_flows_name UNIQUE (name),
    CONSTRAINT uq_ivr_flows_number UNIQUE (number)
);

CREATE TABLE ivr_flow_versions (
    flow_id     INTEGER NOT NULL REFERENCES ivr_flows(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    -- The flow document as JSON; validated by the API (sb-ivr) before it is stored.
    document    TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (flow_id, version)
);

CREATE TABLE calendars (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    -- The calendar as JSON; validated by the API (sb-calendar).
    document     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   TEXT    NOT NULL DEFAULT '',
    CONSTRAINT uq_calendars_name UNIQUE (name)
);

CREATE TABLE acd_queues (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The code flows and routes use.
    name                   TEXT    NOT NULL,
    display_name           TEXT    NOT NULL DEFAULT '',
    strategy               TEXT    NOT NULL DEFAULT 'longest_idle',
    ring_timeout_s         INTEGER NOT NULL DEFAULT 20,
    wrap_up_s              INTEGER NOT NULL DEFAULT 0,
    max_wait_s             INTEGER,
    max_length             INTEGER,
    -- Missed offers in a row before the agent is made not ready; 0 = never.
    no_answer_limit        INTEGER NOT NULL DEFAULT 3,
    aging_per_second       INTEGER NOT NULL DEFAULT 0,
    overflow_action        TEXT    NOT NULL DEFAULT 'none',
    overflow_target        TEXT    NOT NULL DEFAULT '',
    -- What happens to a call when nobody is logged in to the queue.
    no_agent_action        TEXT    NOT NULL DEFAULT 'none',
    no_agent_target        TEXT    NOT NULL DEFAULT '',
    music_class            TEXT    NOT NULL DEFAULT '',
    announce_position      INTEGER NOT NULL DEFAULT 0,
    announce_interval_s    INTEGER NOT NULL DEFAULT 60,
    announce_agent_number  INTEGER NOT NULL DEFAULT 0,
    sticky_agent_wait_s    INTEGER,
    widen_after_s          INTEGER,
    widen_to_skill         INTEGER,
    widen_to_queue         TEXT,
    enabled                INTEGER NOT NULL DEFAULT 1,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    CONSTRAINT uq_acd_queues_name UNIQUE (name)
);

CREATE TABLE acd_queue_members (
    queue_id  INTEGER NOT NULL REFERENCES acd_queues(id) ON DELETE CASCADE,
    staff_id  INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    skill     INTEGER NOT NULL CHECK (skill BETWEEN 1 AND 10),
    PRIMARY KEY (queue_id, staff_id)
);
CREATE INDEX ix_acd_queue_members_staff ON acd_queue_members(staff_id);

-- What the ACD decided and why, appended by the switch in batches; read in
-- order to explain a decision afterwards, pruned by age.
CREATE TABLE acd_events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms     INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    agent     TEXT,
    queue     TEXT,
    call_ref  INTEGER,
    body      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX ix_acd_events_at ON acd_events(at_ms);
CREATE INDEX ix_acd_events_agent ON acd_events(agent, at_ms);
CREATE INDEX ix_acd_events_queue ON acd_events(queue, at_ms);
CREATE INDEX ix_acd_events_call ON acd_events(call_ref);

-- Callers refused before they reach a flow or a queue. `number` is exact
-- digits or a prefix ending in '*'.
CREATE TABLE caller_blacklist (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    number       TEXT    NOT NULL,
    action       TEXT    NOT NULL DEFAULT 'busy',
    prompt_name  TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    expires_at   INTEGER,
    created_by   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CONSTRAINT uq_caller_blacklist_number UNIQUE (number)
);

-- The nodes a caller went through, keyed by the SIP Call-ID like the CDR.
CREATE TABLE call_trails (
    call_id       TEXT    NOT NULL PRIMARY KEY,
    flow_name     TEXT    NOT NULL,
    flow_version  INTEGER NOT NULL,
    steps         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX ix_call_trails_created ON call_trails(created_at);

CREATE TABLE voicemails (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_kind  TEXT    NOT NULL CHECK (mailbox_kind IN ('queue', 'agent')),
    -- A queue name or an agent's employee ID.
    mailbox       TEXT    NOT NULL,
    call_id       TEXT    NOT NULL,
    caller        TEXT    NOT NULL DEFAULT '',
    -- Relative to the recordings root, like a recording's file.
    file          TEXT    NOT NULL,
    duration_ms   INTEGER NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    handled_at    INTEGER,
    handled_by    TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    CONSTRAINT uq_voicemails_file UNIQUE (file)
);
-- A mailbox's newest messages, and the unhandled ones the console shows first.
CREATE INDEX ix_voicemails_mailbox ON voicemails(mailbox_kind, mailbox, created_at);
CREATE INDEX ix_voicemails_created ON voicemails(created_at, id);
CREATE INDEX ix_voicemails_caller ON voicemails(caller, created_at);
CREATE INDEX ix_voicemails_unhandled ON voicemails(created_at) WHERE handled_at IS NULL;

CREATE TABLE survey_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id     TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    digit       TEXT    NOT NULL,
    -- The agent's employee ID and the queue of the call surveyed, when known.
    agent       TEXT,
    queue       TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ix_survey_results_created ON survey_results(created_at, id);
CREATE INDEX ix_survey_results_agent ON survey_results(agent, created_at);
CREATE INDEX ix_survey_results_queue ON survey_results(queue, created_at);

-- Every installation needs the reasons an agent can give for not being
-- ready (demo or not); admins edit them in the dictionary.
INSERT INTO dictionary_types (code, name, description, created_at, updated_at)
VALUES ('agent_not_ready_reason', '示忙原因 Not-ready reason',
        'Reasons an agent gives for not taking calls',
        CAST(strftime('%s', 'now') AS INTEGER) * 1000,
        CAST(strftime('%s', 'now') AS INTEGER) * 1000)
ON CONFLICT (code) DO NOTHING;
INSERT INTO dictionary_items (type_id, code, label, parent_id, sort_order, enabled)
SELECT t.id, r.code, r.label, NULL, r.sort_order, 1
FROM dictionary_types t,
     (SELECT 'break' AS code, '小休 Break' AS label, 0 AS sort_order
      UNION ALL SELECT 'meal', '用餐 Meal', 1
      UNION ALL SELECT 'training', '培训 Training', 2
      UNION ALL SELECT 'meeting', '会议 Meeting', 3) r
WHERE t.code = 'agent_not_ready_reason'
ON CONFLICT (type_id, code) DO NOTHING;
