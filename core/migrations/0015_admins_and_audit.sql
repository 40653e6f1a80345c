-- Named admins and the audit trail (gateway).
--
-- `admin_account`: a person or program with its own token for the admin API. Only the token's
-- SHA-256 is kept (the token is random, so a plain digest cannot be guessed back); the token
-- itself is shown once, when the account is created. `ADMIN_TOKEN` stays the bootstrap admin
-- and has no row.
CREATE TABLE admin_account (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- `audit_entry`: every admin write and every manager decision, appended and never changed:
-- the code has no statement that updates or deletes a row. `before` and `after` are the
-- target's JSON as the API shows it (either may be absent: a creation has no before).
CREATE TABLE audit_entry (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('admin', 'manager')),
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    reason TEXT
);
CREATE INDEX audit_entry_at ON audit_entry (at, id);
CREATE INDEX audit_entry_actor ON audit_entry (actor_id, at);
CREATE INDEX audit_entry_target ON audit_entry (target_id, at);
