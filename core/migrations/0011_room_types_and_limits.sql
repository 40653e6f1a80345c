-- Room types (catalogue, gateway): a resort's rooms come in types, each with its own count,
-- capacity and base price. Every existing resort becomes one type, 기본 (Standard, capacity 4),
-- with its rooms and price; that default type takes the resort's own id, so every hold and night
-- recorded before room types existed belongs to it without a lookup. A resort's room count is
-- the total of its types from now on, so the resort's own columns go.
CREATE TABLE room_type (
    id TEXT PRIMARY KEY,
    resort_id TEXT NOT NULL REFERENCES resort (id),
    name TEXT NOT NULL,
    -- The name as people type it (no spaces, lower case): unique within the resort.
    name_key TEXT NOT NULL,
    rooms BIGINT NOT NULL CHECK (rooms >= 0),
    capacity BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 50),
    points_per_night BIGINT NOT NULL CHECK (points_per_night > 0),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (resort_id, name_key)
);
INSERT INTO room_type (id, resort_id, name, name_key, rooms, capacity, points_per_night, created_at, updated_at)
    SELECT id, id, '기본', '기본', rooms, 4, points_per_night, created_at, updated_at FROM resort;
ALTER TABLE resort DROP COLUMN rooms;
ALTER TABLE resort DROP COLUMN points_per_night;

-- Per resort: how many stays an employee may check in to in a calendar year (NULL: no limit).
ALTER TABLE resort ADD COLUMN yearly_stays_per_employee BIGINT CHECK (yearly_stays_per_employee >= 1);

-- A booking is for one room of one type, for up to the type's capacity of guests (booking
-- side). `late_cancel` marks a cancel the employee asked for with fewer than the resort's
-- free-cancel days left: the one kind of cancelled stay a yearly limit may count.
ALTER TABLE booking ADD COLUMN room_type_id TEXT;
ALTER TABLE booking ADD COLUMN room_type_name TEXT;
ALTER TABLE booking ADD COLUMN guests BIGINT NOT NULL DEFAULT 1 CHECK (guests >= 1);
ALTER TABLE booking ADD COLUMN late_cancel BIGINT NOT NULL DEFAULT 0 CHECK (late_cancel IN (0, 1));
UPDATE booking SET room_type_id = resort_id, room_type_name = '기본';
CREATE INDEX booking_employee_check_in ON booking (employee_id, check_in);

-- The company-wide yearly limits (booking side): one row, replaced whole by the admin API.
CREATE TABLE booking_policy (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    yearly_stays BIGINT CHECK (yearly_stays >= 1),
    yearly_nights BIGINT CHECK (yearly_nights >= 1),
    late_cancel_counts BIGINT NOT NULL CHECK (late_cancel_counts IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO booking_policy (id, yearly_stays, yearly_nights, late_cancel_counts, created_at, updated_at)
    VALUES (1, NULL, NULL, 0, 0, 0);

-- Rooms are held per room type and night (hotel worker). The table is rebuilt with the type in
-- its key; the nights held so far belong to each resort's default type, whose id is the resort's.
CREATE TABLE room_type_night (
    room_type_id TEXT NOT NULL,
    resort_id TEXT NOT NULL,
    night TEXT NOT NULL,
    rooms BIGINT NOT NULL CHECK (rooms >= 0),
    held BIGINT NOT NULL CHECK (held >= 0 AND held <= rooms),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (room_type_id, night)
);
INSERT INTO room_type_night (room_type_id, resort_id, night, rooms, held, created_at, updated_at)
    SELECT resort_id, resort_id, night, rooms, held, created_at, updated_at FROM room_night;
DROP TABLE room_night;
ALTER TABLE room_type_night RENAME TO room_night;
CREATE INDEX room_night_resort ON room_night (resort_id, night);

ALTER TABLE room_hold ADD COLUMN room_type_id TEXT;
UPDATE room_hold SET room_type_id = resort_id;
