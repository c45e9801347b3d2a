-- Phone-only agents (MISSION G10): the PIN an agent dials after their
-- employee id (*11<employee id>*<PIN>) to sign in at any extension. Only an
-- Argon2id hash is kept, like the password; NULL = no PIN, no sign-in by
-- phone.
ALTER TABLE staff ADD COLUMN agent_pin_hash TEXT;
