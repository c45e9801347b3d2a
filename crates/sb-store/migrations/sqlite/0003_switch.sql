-- The SIP switch: extensions (phones), carrier trunks, inbound and outbound
-- routes, call detail records and SIP address bans.
-- Times are Unix milliseconds (UTC); flags are 0/1 integers so both backends agree.

CREATE TABLE sip_extensions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    extension        TEXT    NOT NULL,
    display_name     TEXT    NOT NULL DEFAULT '',
    -- Digest HA1s, bound to the realm they were derived for; the password itself is never kept.
    realm            TEXT    NOT NULL,
    ha1_md5          TEXT    NOT NULL,
    ha1_sha256       TEXT    NOT NULL,
    password_is_demo INTEGER NOT NULL DEFAULT 0,
    call_class       TEXT    NOT NULL DEFAULT 'national',
    max_contacts     INTEGER NOT NULL DEFAULT 3,
    enabled          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CONSTRAINT uq_sip_extensions_extension UNIQUE (extension)
);

CREATE TABLE sip_trunks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    host              TEXT    NOT NULL,
    port              INTEGER NOT NULL DEFAULT 5060,
    transport         TEXT    NOT NULL DEFAULT 'udp',
    -- Comma-separated IPs and CIDRs whose calls are taken without authentication.
    inbound_addresses TEXT    NOT NULL DEFAULT '',
    register          INTEGER NOT NULL DEFAULT 0,
    username          TEXT    NOT NULL DEFAULT '',
    -- Plain text: it has to be sent to the carrier. Never returned by the API.
    password          TEXT    NOT NULL DEFAULT '',
    register_expires  INTEGER NOT NULL DEFAULT 3600,
    max_channels      INTEGER NOT NULL DEFAULT 0,
    caller_id         TEXT    NOT NULL DEFAULT '',
    enabled           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CONSTRAINT uq_sip_trunks_name UNIQUE (name)
);

CREATE TABLE sip_inbound_routes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    did          TEXT    NOT NULL,
    -- NULL: the route applies to calls from any trunk.
    trunk_id     INTEGER REFERENCES sip_trunks(id) ON DELETE RESTRICT,
    target_kind  TEXT    NOT NULL DEFAULT 'extension',
    target       TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CONSTRAINT uq_sip_inbound_routes_did_trunk UNIQUE (did, trunk_id)
);
-- NULLs are distinct in a UNIQUE constraint, so the any-trunk rows need their own index.
CREATE UNIQUE INDEX uq_sip_inbound_routes_did_any ON sip_inbound_routes(did) WHERE trunk_id IS NULL;
CREATE INDEX ix_sip_inbound_routes_trunk ON sip_inbound_routes(trunk_id);
CREATE INDEX ix_sip_inbound_routes_target ON sip_inbound_routes(target_kind, target);

CREATE TABLE sip_outbound_routes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 100,
    pattern         TEXT    NOT NULL,
    strip           INTEGER NOT NULL DEFAULT 0,
    prepend         TEXT    NOT NULL DEFAULT '',
    trunk_id        INTEGER NOT NULL REFERENCES sip_trunks(id) ON DELETE RESTRICT,
    call_class      TEXT    NOT NULL DEFAULT 'national',
    caller_id_mode  TEXT    NOT NULL DEFAULT 'keep',
    caller_id       TEXT    NOT NULL DEFAULT '',
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT uq_sip_outbound_routes_name UNIQUE (name)
);
CREATE INDEX ix_sip_outbound_routes_order ON sip_outbound_routes(priority, id);
CREATE INDEX ix_sip_outbound_routes_trunk ON sip_outbound_routes(trunk_id);

-- Written by the switch in batches; trunk_id is not a foreign key so records
-- outlive the trunk (trunk_name keeps what it was called).
CREATE TABLE cdrs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id           TEXT    NOT NULL,
    direction         TEXT    NOT NULL,
    caller            TEXT    NOT NULL,
    callee            TEXT    NOT NULL,
    caller_extension  TEXT,
    callee_extension  TEXT,
    trunk_id          INTEGER,
    trunk_name        TEXT    NOT NULL DEFAULT '',
    did               TEXT    NOT NULL DEFAULT '',
    started_at        INTEGER NOT NULL,
    answered_at       INTEGER,
    ended_at          INTEGER NOT NULL,
    ring_ms           INTEGER NOT NULL DEFAULT 0,
    talk_ms           INTEGER NOT NULL DEFAULT 0,
    disposition       TEXT    NOT NULL,
    hangup_cause      TEXT    NOT NULL DEFAULT '',
    hangup_side       TEXT    NOT NULL
);
CREATE INDEX ix_cdrs_started ON cdrs(started_at);
CREATE INDEX ix_cdrs_caller ON cdrs(caller);
CREATE INDEX ix_cdrs_callee ON cdrs(callee);
-- Data scope: a supervisor sees the records of the extensions of their staff.
CREATE INDEX ix_cdrs_caller_extension ON cdrs(caller_extension, started_at);
CREATE INDEX ix_cdrs_callee_extension ON cdrs(callee_extension, started_at);

CREATE TABLE sip_bans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    address     TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    lifted_at   INTEGER,
    -- Employee ID of who lifted it (or the name of the system part that did).
    lifted_by   TEXT
);
CREATE INDEX ix_sip_bans_address ON sip_bans(address);
CREATE INDEX ix_sip_bans_expires ON sip_bans(expires_at);
