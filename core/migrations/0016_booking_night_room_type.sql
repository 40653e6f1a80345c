-- Acceptance counts rooms (booking side): a request is accepted only while the room type has a
-- room left on each of its nights, counting the active bookings accepted before it, so the
-- first accepted are the ones served however fast the hotel worker takes their holds. The count
-- is over `booking_night` (one row per night of every active booking), which therefore learns
-- the room type its booking is for.
ALTER TABLE booking_night ADD COLUMN room_type_id TEXT;
UPDATE booking_night SET room_type_id = (SELECT b.room_type_id FROM booking b WHERE b.id = booking_night.booking_id);
CREATE INDEX booking_night_room_type ON booking_night (room_type_id, night);
