-- Peak-season lotteries (gateway). A lottery draws winners for its slots (stays of one room type
-- at one resort) at `draw_at`, by the documented algorithm in `resort_core::lottery`, from a seed
-- chosen at creation: only its SHA-256 (`seed_commitment`) is shown until the draw, then the seed
-- too, so anyone can recompute `draw_order`. Until the draw, the slots' nights of that room type
-- are closed to direct booking.
CREATE TABLE lottery (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- The name as people type it (no spaces, lower case).
    name_key TEXT NOT NULL UNIQUE,
    resort_id TEXT NOT NULL REFERENCES resort (id),
    room_type_id TEXT NOT NULL,
    -- JSON array of {"check_in", "nights", "rooms"}: rooms are the winners a slot has.
    slots TEXT NOT NULL,
    applications_open_at BIGINT NOT NULL,
    applications_close_at BIGINT NOT NULL,
    draw_at BIGINT NOT NULL,
    -- JSON {"base", "recent_stay", "no_show", "never_won"}.
    weights TEXT NOT NULL,
    -- Whether a win still waits for a manager (by default it does not).
    manager_approval BIGINT NOT NULL CHECK (manager_approval IN (0, 1)),
    seed TEXT NOT NULL,
    seed_commitment TEXT NOT NULL,
    -- After the draw: the JSON array of application ids in draw order, and when it ran.
    draw_order TEXT,
    drawn_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX lottery_resort ON lottery (resort_id);

-- One application per employee per lottery; withdrawing deletes it. The weight, its factors and
-- the result are written by the draw.
CREATE TABLE lottery_application (
    id TEXT PRIMARY KEY,
    lottery_id TEXT NOT NULL REFERENCES lottery (id),
    employee_id TEXT NOT NULL,
    -- JSON array of 0-based slot indexes, most wanted first.
    preferences TEXT NOT NULL,
    -- The weight exactly as the draw used it (decimal text that reads back as the same double).
    weight TEXT,
    factors TEXT,
    slot_index BIGINT,
    booking_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (lottery_id, employee_id)
);
CREATE INDEX lottery_application_employee ON lottery_application (employee_id);

-- A booking a lottery made: approved in advance unless the lottery asks a manager.
ALTER TABLE booking ADD COLUMN preapproved BIGINT NOT NULL DEFAULT 0 CHECK (preapproved IN (0, 1));
