-- Signed deliveries already taken (gateway): a Discord interaction's id is remembered for as
-- long as its signature counts as fresh, so a captured request cannot be played again within
-- that window on this or any other replica. The primary key makes the second sighting lose.
CREATE TABLE replay_guard (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scope, id)
);
CREATE INDEX replay_guard_expiry ON replay_guard (expires_at);

-- Failed attempts to link a chat account with a code (identities, gateway), per subject: a chat
-- user of a platform, or the source address of a console visitor. Kept in the database so the
-- limit holds across restarts and replicas. An attempt is written before the code is checked
-- and removed again when it succeeds or is turned away unchecked, so attempts racing each
-- other all count.
CREATE TABLE link_attempt (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX link_attempt_subject ON link_attempt (subject, attempted_at);

-- People the demo seed created in this database (identities, gateway): only they may be chosen
-- by name in the web console, and only while demo seeding is on.
ALTER TABLE employee ADD COLUMN demo BIGINT NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
CREATE INDEX employee_demo ON employee (demo);

-- What an admin wrote when deciding a booking through the admin API (booking side).
ALTER TABLE booking ADD COLUMN decision_note TEXT;

-- A resort's name as people type it (catalogue, gateway): without spaces and in lower case.
-- Unique, so two resorts whose names differ only in spaces or case cannot shadow each other in
-- typed commands. Resorts from before this column get theirs when the gateway starts.
ALTER TABLE resort ADD COLUMN name_key TEXT;
-- (Not "resort_name_key": PostgreSQL gives that name to the UNIQUE constraint on `name`.)
CREATE UNIQUE INDEX resort_typed_name ON resort (name_key);
