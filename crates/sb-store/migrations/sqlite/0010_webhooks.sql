-- Webhooks (MISSION X3): CTI events POSTed, signed, to integrators' URLs,
-- with a delivery log that is also the outgoing queue (a row is written
-- before it is sent, so a restart loses nothing). Times are Unix
-- milliseconds (UTC); flags are 0/1.

CREATE TABLE webhooks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    -- The HMAC-SHA256 key, kept in clear because every delivery is signed with it.
    secret            TEXT    NOT NULL,
    -- Event types subscribed, comma-separated; '' means every type.
    event_types       TEXT    NOT NULL DEFAULT '',
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_by        TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_webhooks_name ON webhooks(name);

CREATE TABLE webhook_deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id        INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    -- The event bus number (0 for a test ping).
    event_seq         INTEGER NOT NULL,
    event_type        TEXT    NOT NULL,
    payload           TEXT    NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    -- 'pending', 'delivered' or 'failed' (gave up).
    state             TEXT    NOT NULL DEFAULT 'pending',
    -- When a pending row is next due (also the lease of a row being sent).
    next_attempt_at   INTEGER NOT NULL,
    last_status       INTEGER,
    last_error        TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    delivered_at      INTEGER
);
CREATE INDEX ix_webhook_deliveries_log ON webhook_deliveries(webhook_id, id);
CREATE INDEX ix_webhook_deliveries_state ON webhook_deliveries(webhook_id, state, id);
-- The queue: only pending rows, in due order, however long the log grows.
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id)
    WHERE state = 'pending';
