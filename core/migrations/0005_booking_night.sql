-- At most one active booking per employee per night, enforced by the database (booking side):
-- a booking request inserts one row per night in the same transaction as the booking, and the
-- primary key refuses a second active booking of the same employee for any of those nights,
-- however the requests interleave. The rows are deleted in the transaction that moves the
-- booking to `rejected` or `cancelled`, so the nights are free again from then on.
CREATE TABLE booking_night (
    employee_id TEXT NOT NULL,
    night TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (employee_id, night)
);
CREATE INDEX booking_night_booking ON booking_night (booking_id);
