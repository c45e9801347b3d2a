-- Customers (MISSION C1-C7): profiles with several phone numbers, e-mails,
-- addresses and assets, admin-defined custom fields, the contact timeline,
-- and spreadsheet import jobs. Times are Unix milliseconds (UTC); dates
-- without a time (birth date, bought on) are ISO `YYYY-MM-DD` text.

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL,
    -- 'male', 'female' or 'unknown'.
    gender          TEXT    NOT NULL DEFAULT 'unknown',
    birth_date      TEXT,
    occupation      TEXT    NOT NULL DEFAULT '',
    -- Codes of the dictionary lists customer_education and customer_marital_status.
    education       TEXT    NOT NULL DEFAULT '',
    marital_status  TEXT    NOT NULL DEFAULT '',
    -- The resident ID card number, upper-cased; NULL when unknown.
    id_card         TEXT,
    province        TEXT    NOT NULL DEFAULT '',
    city            TEXT    NOT NULL DEFAULT '',
    -- 'potential', 'normal', 'declining' or 'lost'.
    lifecycle       TEXT    NOT NULL DEFAULT 'normal',
    -- A code of the dictionary list customer_level (vip, normal, ...).
    level           TEXT    NOT NULL DEFAULT 'normal',
    source          TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    -- Values of the admin-defined fields, a JSON object keyed by field key.
    custom_fields   TEXT    NOT NULL DEFAULT '{}',
    -- Who looks after the customer, and the department that owns the record
    -- (data scope, MISSION C7).
    owner_id        INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    department_id   INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    last_contact_at INTEGER,
    created_by      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT uq_customers_id_card UNIQUE (id_card)
);
CREATE INDEX ix_customers_name ON customers(name, id);
CREATE INDEX ix_customers_department ON customers(department_id, id);
CREATE INDEX ix_customers_owner ON customers(owner_id, id);
CREATE INDEX ix_customers_level ON customers(level, id);
CREATE INDEX ix_customers_lifecycle ON customers(lifecycle, id);
CREATE INDEX ix_customers_last_contact ON customers(last_contact_at);
CREATE INDEX ix_customers_created ON customers(created_at, id);

-- A number as it was written and its normalised E.164 form, which screen pop
-- looks up (sb_core::phone).
CREATE TABLE customer_phones (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    number       TEXT    NOT NULL,
    e164         TEXT    NOT NULL,
    -- 'mobile', 'home', 'work' or 'other'.
    label        TEXT    NOT NULL DEFAULT 'mobile',
    sort_order   INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT uq_customer_phones UNIQUE (customer_id, e164)
);
CREATE INDEX ix_customer_phones_e164 ON customer_phones(e164);

CREATE TABLE customer_emails (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- Lower-cased.
    email        TEXT    NOT NULL,
    label        TEXT    NOT NULL DEFAULT 'personal',
    sort_order   INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT uq_customer_emails UNIQUE (customer_id, email)
);
CREATE INDEX ix_customer_emails_email ON customer_emails(email);

CREATE TABLE customer_addresses (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- 'home', 'work' or 'other'.
    label        TEXT    NOT NULL DEFAULT 'home',
    province     TEXT    NOT NULL DEFAULT '',
    city         TEXT    NOT NULL DEFAULT '',
    detail       TEXT    NOT NULL DEFAULT '',
    postcode     TEXT    NOT NULL DEFAULT '',
    sort_order   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_customer_addresses_customer ON customer_addresses(customer_id);

-- Things a customer owns that service is about (MISSION C3): a vehicle with
-- its VIN and plate, an appliance with its serial number.
CREATE TABLE customer_assets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- A code of the dictionary list customer_asset_kind (vehicle, ...).
    kind         TEXT    NOT NULL DEFAULT 'vehicle',
    -- Make and model, or product name.
    model        TEXT    NOT NULL DEFAULT '',
    -- VIN or serial number, upper-cased.
    serial       TEXT    NOT NULL DEFAULT '',
    plate        TEXT    NOT NULL DEFAULT '',
    bought_on    TEXT,
    notes        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX ix_customer_assets_customer ON customer_assets(customer_id);
CREATE INDEX ix_customer_assets_serial ON customer_assets(serial);
CREATE INDEX ix_customer_assets_plate ON customer_assets(plate);

-- Fields admins add to the customer profile (MISSION C1).
CREATE TABLE customer_field_defs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The key in customers.custom_fields: lower-case letters, digits, '_'.
    field_key        TEXT    NOT NULL,
    label            TEXT    NOT NULL,
    -- 'text', 'number', 'date' or 'choice'.
    kind             TEXT    NOT NULL,
    -- For 'choice': the dictionary list whose item codes are the values.
    dictionary_type  TEXT    NOT NULL DEFAULT '',
    required         INTEGER NOT NULL DEFAULT 0,
    sort_order       INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CONSTRAINT uq_customer_field_defs_key UNIQUE (field_key)
);

-- The contact timeline (MISSION C2): one row per touch, written by whatever
-- touched the customer (a ticket, a callback attempt, a campaign result, a
-- note). Calls are read from the CDRs by the customer's numbers.
CREATE TABLE customer_interactions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- 'note', 'ticket', 'callback', 'campaign', 'call'.
    kind         TEXT    NOT NULL,
    -- What it points at in its own table (a ticket's serial, a call id), or ''.
    ref_id       TEXT    NOT NULL DEFAULT '',
    summary      TEXT    NOT NULL,
    -- Employee ID of who did it; '' for the system.
    staff        TEXT    NOT NULL DEFAULT '',
    occurred_at  INTEGER NOT NULL
);
CREATE INDEX ix_customer_interactions_customer ON customer_interactions(customer_id, occurred_at);

-- Spreadsheet imports (MISSION C6, O3): the uploaded file is kept under the
-- data directory while the job runs; the row report lists each refused row.
CREATE TABLE import_jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- What the rows become: 'customers' (later 'callbacks').
    target          TEXT    NOT NULL,
    file_name       TEXT    NOT NULL,
    -- 'pending', 'running', 'done', 'failed' or 'cancelled'.
    status          TEXT    NOT NULL DEFAULT 'pending',
    -- The column mapping and options as JSON.
    settings        TEXT    NOT NULL DEFAULT '{}',
    total_rows      INTEGER NOT NULL DEFAULT 0,
    processed_rows  INTEGER NOT NULL DEFAULT 0,
    inserted        INTEGER NOT NULL DEFAULT 0,
    merged          INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    -- The refused rows as CSV (row, column, message), downloadable.
    error_report    TEXT    NOT NULL DEFAULT '',
    message         TEXT    NOT NULL DEFAULT '',
    created_by      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX ix_import_jobs_created ON import_jobs(created_at, id);

-- The lists customer fields choose from; admins edit them in the dictionary.
INSERT INTO dictionary_types (code, name, description, created_at, updated_at)
SELECT d.code, d.name, d.description,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM (SELECT 'customer_level' AS code, '客户级别 Customer level' AS name,
             'VIP, normal and levels the business adds' AS description
      UNION ALL SELECT 'customer_education', '学历 Education', 'Highest education of a customer'
      UNION ALL SELECT 'customer_marital_status', '婚姻状况 Marital status', ''
      UNION ALL SELECT 'customer_asset_kind', '客户资产类型 Asset kind', 'What a customer owns that service is about') d
WHERE 1 = 1
ON CONFLICT (code) DO NOTHING;
INSERT INTO dictionary_items (type_id, code, label, parent_id, sort_order, enabled)
SELECT t.id, r.code, r.label, NULL, r.sort_order, 1
FROM dictionary_types t,
     (SELECT 'customer_level' AS list, 'vip' AS code, 'VIP' AS label, 0 AS sort_order
      UNION ALL SELECT 'customer_level', 'normal', '普通 Normal', 1
      UNION ALL SELECT 'customer_education', 'primary', '小学 Primary school', 0
      UNION ALL SELECT 'customer_education', 'secondary', '中学 Secondary school', 1
      UNION ALL SELECT 'customer_education', 'college', '大专 College', 2
      UNION ALL SELECT 'customer_education', 'bachelor', '本科 Bachelor', 3
      UNION ALL SELECT 'customer_education', 'master', '硕士 Master', 4
      UNION ALL SELECT 'customer_education', 'doctor', '博士 Doctorate', 5
      UNION ALL SELECT 'customer_marital_status', 'single', '未婚 Single', 0
      UNION ALL SELECT 'customer_marital_status', 'married', '已婚 Married', 1
      UNION ALL SELECT 'customer_marital_status', 'divorced', '离异 Divorced', 2
      UNION ALL SELECT 'customer_marital_status', 'widowed', '丧偶 Widowed', 3
      UNION ALL SELECT 'customer_asset_kind', 'vehicle', '车辆 Vehicle', 0
      UNION ALL SELECT 'customer_asset_kind', 'appliance', '家电 Appliance', 1
      UNION ALL SELECT 'customer_asset_kind', 'other', '其他 Other', 2) r
WHERE t.code = r.list
ON CONFLICT (type_id, code) DO NOTHING;
