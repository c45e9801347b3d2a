-- Tickets / work orders (MISSION W1-W8): the ticket with its readable serial,
-- its history of steps, SLA policies counted in business hours, admin-defined
-- fields, attachments kept under the data directory, and the notifications
-- the SLA sweep writes. Times are Unix milliseconds (UTC).

-- One counter per business day (China, UTC+8): the serial's running number,
-- bumped inside the transaction that inserts the ticket.
CREATE TABLE ticket_serials (
    day          TEXT    PRIMARY KEY,
    last_number  INTEGER NOT NULL
);

-- Response and resolution targets per type and priority ('' matches any), in
-- working minutes of a named business calendar.
CREATE TABLE ticket_sla_policies (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    type_code         TEXT    NOT NULL DEFAULT '',
    priority          TEXT    NOT NULL DEFAULT '',
    calendar_name     TEXT    NOT NULL,
    response_minutes  INTEGER NOT NULL,
    resolve_minutes   INTEGER NOT NULL,
    -- Remind the assignee this many minutes (wall clock) before a deadline.
    reminder_minutes  INTEGER NOT NULL DEFAULT 30,
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CONSTRAINT uq_ticket_sla_policies_scope UNIQUE (type_code, priority)
);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- YYYYMMDD-NNNNNN, the day in UTC+8.
    serial            TEXT    NOT NULL,
    -- 'request' (customer initiated) or 'proactive' (company initiated).
    kind              TEXT    NOT NULL DEFAULT 'request',
    -- Item codes of the dictionary lists ticket_channel and ticket_type.
    channel           TEXT    NOT NULL,
    type_code         TEXT    NOT NULL,
    subtype_code      TEXT    NOT NULL DEFAULT '',
    -- 'low', 'normal', 'high' or 'urgent'; urgency uses the same words.
    priority          TEXT    NOT NULL DEFAULT 'normal',
    urgency           TEXT    NOT NULL DEFAULT 'normal',
    subject           TEXT    NOT NULL,
    content           TEXT    NOT NULL DEFAULT '',
    customer_id       INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    -- The call it came from (screen pop), or ''.
    call_id           TEXT    NOT NULL DEFAULT '',
    custom_fields     TEXT    NOT NULL DEFAULT '{}',
    -- new, assigned, in_progress, pending_customer, resolved, follow_up, closed.
    state             TEXT    NOT NULL DEFAULT 'new',
    -- The department whose queue holds it, and who has it (NULL: queued).
    department_id     INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    assignee_id       INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    taker_id          INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    -- The earlier ticket of the same customer and type this one repeats (W4).
    repeat_of_id      INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
    -- The SLA as it was when the ticket was opened.
    sla_policy_id     INTEGER REFERENCES ticket_sla_policies(id) ON DELETE SET NULL,
    sla_calendar      TEXT    NOT NULL DEFAULT '',
    reminder_minutes  INTEGER NOT NULL DEFAULT 0,
    response_due_at   INTEGER,
    resolve_due_at    INTEGER,
    responded_at      INTEGER,
    resolved_at       INTEGER,
    closed_at         INTEGER,
    -- Since when the SLA clock is paused (waiting on the customer).
    paused_at         INTEGER,
    satisfaction      INTEGER,
    feedback          TEXT    NOT NULL DEFAULT '',
    -- Bumped by every step: a step applies only to the version it was decided on.
    version           INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CONSTRAINT uq_tickets_serial UNIQUE (serial)
);
CREATE INDEX ix_tickets_created ON tickets(created_at, id);
CREATE INDEX ix_tickets_state ON tickets(state, department_id);
CREATE INDEX ix_tickets_department ON tickets(department_id, state);
CREATE INDEX ix_tickets_assignee ON tickets(assignee_id, state);
CREATE INDEX ix_tickets_taker ON tickets(taker_id, created_at);
CREATE INDEX ix_tickets_customer ON tickets(customer_id, type_code, created_at);
CREATE INDEX ix_tickets_type ON tickets(type_code, created_at);
CREATE INDEX ix_tickets_resolve_due ON tickets(resolve_due_at);

-- Every step of a ticket, in order.
CREATE TABLE ticket_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    -- The command: create, assign, dispatch, hand_over, claim, release, start, ...
    step            TEXT    NOT NULL,
    from_state      TEXT    NOT NULL DEFAULT '',
    to_state        TEXT    NOT NULL,
    actor_id        INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    actor_name      TEXT    NOT NULL DEFAULT '',
    note            TEXT    NOT NULL DEFAULT '',
    department_id   INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    assignee_id     INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    at              INTEGER NOT NULL
);
CREATE INDEX ix_ticket_history_ticket ON ticket_history(ticket_id, id);

-- Fields admins add to tickets (W1), like customer_field_defs.
CREATE TABLE ticket_field_defs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    field_key        TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    -- 'text', 'number', 'date' or 'choice'.
    kind             TEXT    NOT NULL,
    dictionary_type  TEXT    NOT NULL DEFAULT '',
    required         INTEGER NOT NULL DEFAULT 0,
    sort_order       INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CONSTRAINT uq_ticket_field_defs_key UNIQUE (field_key)
);

-- Files attached to a ticket; the bytes are under <data>/attachments.
CREATE TABLE ticket_attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL DEFAULT 'application/octet-stream',
    size_bytes    INTEGER NOT NULL,
    -- Relative to the attachments folder.
    stored_path   TEXT    NOT NULL,
    uploaded_by   TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX ix_ticket_attachments_ticket ON ticket_attachments(ticket_id);

-- What the SLA sweep (and later other parts) tell a person. One row per
-- person, kind, ticket and deadline, so a sweep that runs twice tells once.
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id     INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    -- 'sla_reminder', 'sla_escalation', ...
    kind         TEXT    NOT NULL,
    ticket_id    INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    deadline_at  INTEGER NOT NULL DEFAULT 0,
    body         TEXT    NOT NULL,
    read_at      INTEGER,
    created_at   INTEGER NOT NULL,
    CONSTRAINT uq_notifications_once UNIQUE (staff_id, kind, ticket_id, deadline_at)
);
CREATE INDEX ix_notifications_staff ON notifications(staff_id, read_at, id);

-- Repeat detection window (W4), in days.
INSERT INTO settings (key, value) VALUES ('ticket.repeat_window_days', '7')
ON CONFLICT (key) DO NOTHING;

INSERT INTO dictionary_types (code, name, description, created_at, updated_at)
SELECT d.code, d.name, d.description,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM (SELECT 'ticket_channel' AS code, '工单渠道 Ticket channel' AS name,
             'How a ticket reached us' AS description
      UNION ALL SELECT 'ticket_type', '工单类型 Ticket type', 'Types with their sub-types') d
WHERE 1 = 1
ON CONFLICT (code) DO NOTHING;
INSERT INTO dictionary_items (type_id, code, label, parent_id, sort_order, enabled)
SELECT t.id, r.code, r.label, NULL, r.sort_order, 1
FROM dictionary_types t,
     (SELECT 'ticket_channel' AS list, 'phone' AS code, '电话 Phone' AS label, 0 AS sort_order
      UNION ALL SELECT 'ticket_channel', 'web', '网站 Web', 1
      UNION ALL SELECT 'ticket_channel', 'email', '邮件 E-mail', 2
      UNION ALL SELECT 'ticket_channel', 'wechat', '微信 WeChat', 3
      UNION ALL SELECT 'ticket_channel', 'sms', '短信 SMS', 4
      UNION ALL SELECT 'ticket_channel', 'walk_in', '到店 Walk-in', 5
      UNION ALL SELECT 'ticket_type', 'inquiry', '咨询 Inquiry', 0
      UNION ALL SELECT 'ticket_type', 'complaint', '投诉 Complaint', 1
      UNION ALL SELECT 'ticket_type', 'suggestion', '建议 Suggestion', 2
      UNION ALL SELECT 'ticket_type', 'repair', '报修 Repair', 3) r
WHERE t.code = r.list
ON CONFLICT (type_id, code) DO NOTHING;
INSERT INTO dictionary_items (type_id, code, label, parent_id, sort_order, enabled)
SELECT t.id, r.code, r.label, p.id, r.sort_order, 1
FROM dictionary_types t
JOIN (SELECT 'complaint' AS parent, 'complaint_service' AS code, '服务投诉 Service complaint' AS label, 0 AS sort_order
      UNION ALL SELECT 'complaint', 'complaint_product', '产品投诉 Product complaint', 1
      UNION ALL SELECT 'inquiry', 'inquiry_product', '产品咨询 Product inquiry', 0
      UNION ALL SELECT 'inquiry', 'inquiry_price', '价格咨询 Price inquiry', 1
      UNION ALL SELECT 'repair', 'repair_onsite', '上门维修 On-site repair', 0
      UNION ALL SELECT 'repair', 'repair_parts', '配件 Parts', 1) r ON 1 = 1
JOIN dictionary_items p ON p.type_id = t.id AND p.code = r.parent
WHERE t.code = 'ticket_type'
ON CONFLICT (type_id, code) DO NOTHING;
