-- Call recordings (MISSION R1-R5), voice prompts, and the per-extension and
-- per-trunk switch that turns recording on.
-- Times are Unix milliseconds (UTC); flags are 0/1 integers so both backends agree.

ALTER TABLE sip_extensions ADD COLUMN record_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sip_trunks ADD COLUMN record_calls INTEGER NOT NULL DEFAULT 0;

-- One row per recorded call, written by the switch when the file is closed.
-- trunk_id is not a foreign key so recordings outlive the trunk, like CDRs.
CREATE TABLE recordings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id          TEXT    NOT NULL,
    direction        TEXT    NOT NULL,
    caller           TEXT    NOT NULL,
    callee           TEXT    NOT NULL,
    agent_extension  TEXT,
    trunk_id         INTEGER,
    trunk_name       TEXT    NOT NULL DEFAULT '',
    started_at       INTEGER NOT NULL,
    ended_at         INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL,
    layout           TEXT    NOT NULL CHECK (layout IN ('stereo', 'mono')),
    -- Relative to the recordings root (YYYY/MM/DD/<name>.wav); the archive keeps the same path.
    file             TEXT    NOT NULL,
    size_bytes       INTEGER NOT NULL,
    sha256           TEXT    NOT NULL,
    archived_at      INTEGER,
    -- Why the last archive attempt failed; cleared when one succeeds.
    archive_error    TEXT,
    -- Retention removed the local file (the archive copy, if any, stays).
    deleted_at       INTEGER,
    created_at       INTEGER NOT NULL,
    CONSTRAINT uq_recordings_file UNIQUE (file)
);
-- Search pages newest first; every other filter narrows a time window, so
-- each selective filter gets an index that ends in started_at: the rows of
-- one agent or trunk come out of the index already in time order, and a
-- number prefix is read as a range of the caller or callee index.
CREATE INDEX ix_recordings_started ON recordings(started_at, id);
CREATE INDEX ix_recordings_caller ON recordings(caller, started_at);
CREATE INDEX ix_recordings_callee ON recordings(callee, started_at);
CREATE INDEX ix_recordings_agent ON recordings(agent_extension, started_at);
CREATE INDEX ix_recordings_trunk ON recordings(trunk_id, started_at);
CREATE INDEX ix_recordings_call ON recordings(call_id);
-- The storage task's work lists stay small however many rows are done:
-- recordings still to archive, and local files retention has not removed yet
-- (with their sizes, so the storage page sums them from the index alone).
CREATE INDEX ix_recordings_unarchived ON recordings(id) WHERE archived_at IS NULL AND deleted_at IS NULL;
CREATE INDEX ix_recordings_local ON recordings(started_at, size_bytes) WHERE deleted_at IS NULL;

-- Voice prompts uploaded in the console, converted to 8 kHz mono WAV and
-- kept as <data>/prompts/<file>.
CREATE TABLE prompts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    file         TEXT    NOT NULL,
    duration_ms  INTEGER NOT NULL,
    size_bytes   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    -- Employee ID of who uploaded it.
    created_by   TEXT    NOT NULL DEFAULT '',
    CONSTRAINT uq_prompts_name UNIQUE (name)
);
