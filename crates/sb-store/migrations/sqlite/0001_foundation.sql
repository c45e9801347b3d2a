-- Foundation: organisation, roles, sign-in, dictionary, announcements, audit.
-- Times are Unix milliseconds (UTC); flags are 0/1 integers so both backends agree.

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    parent_id   INTEGER REFERENCES departments(id) ON DELETE RESTRICT,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT uq_departments_number UNIQUE (number)
);
CREATE INDEX ix_departments_parent ON departments(parent_id);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    data_scope  TEXT    NOT NULL,
    builtin     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT uq_roles_code UNIQUE (code)
);

CREATE TABLE role_permissions (
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission  TEXT    NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE staff (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    employee_id         TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    department_id       INTEGER REFERENCES departments(id) ON DELETE RESTRICT,
    work_group          TEXT    NOT NULL DEFAULT '',
    mobile              TEXT    NOT NULL DEFAULT '',
    email               TEXT    NOT NULL DEFAULT '',
    extension           TEXT,
    enabled             INTEGER NOT NULL DEFAULT 1,
    locale              TEXT    NOT NULL DEFAULT 'zh-CN',
    search_text         TEXT    NOT NULL DEFAULT '',
    password_hash       TEXT,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    password_changed_at INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CONSTRAINT uq_staff_employee_id UNIQUE (employee_id),
    CONSTRAINT uq_staff_extension UNIQUE (extension)
);
CREATE INDEX ix_staff_department ON staff(department_id);

CREATE TABLE staff_roles (
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    role_id     INTEGER NOT NULL REFERENCES roles(id) ON DELETE RESTRICT,
    PRIMARY KEY (staff_id, role_id)
);
CREATE INDEX ix_staff_roles_role ON staff_roles(role_id);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ix_sessions_staff ON sessions(staff_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id     INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    CONSTRAINT uq_api_tokens_hash UNIQUE (token_hash)
);

CREATE TABLE extension_groups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT uq_extension_groups_name UNIQUE (name)
);

CREATE TABLE extension_group_members (
    group_id    INTEGER NOT NULL REFERENCES extension_groups(id) ON DELETE CASCADE,
    extension   TEXT    NOT NULL,
    PRIMARY KEY (group_id, extension)
);

CREATE TABLE dictionary_types (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT uq_dictionary_types_code UNIQUE (code)
);

CREATE TABLE dictionary_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    type_id     INTEGER NOT NULL REFERENCES dictionary_types(id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    parent_id   INTEGER REFERENCES dictionary_items(id) ON DELETE CASCADE,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    enabled     INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT uq_dictionary_items_code UNIQUE (type_id, code)
);

CREATE TABLE announcements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    created_by  INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX ix_announcements_window ON announcements(ends_at, starts_at);

CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                INTEGER NOT NULL,
    kind              TEXT    NOT NULL,
    outcome           TEXT    NOT NULL,
    actor_id          INTEGER,
    actor_employee_id TEXT    NOT NULL DEFAULT '',
    actor_name        TEXT    NOT NULL DEFAULT '',
    action            TEXT    NOT NULL,
    entity            TEXT    NOT NULL DEFAULT '',
    entity_id         TEXT    NOT NULL DEFAULT '',
    before_json       TEXT,
    after_json        TEXT,
    ip                TEXT    NOT NULL DEFAULT '',
    detail            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ix_audit_at ON audit_log(at);
CREATE INDEX ix_audit_kind_at ON audit_log(kind, at);
CREATE INDEX ix_audit_actor_at ON audit_log(actor_id, at);
CREATE INDEX ix_audit_ip_at ON audit_log(ip, at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
