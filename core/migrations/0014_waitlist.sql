-- Waitlists and offers of freed rooms.
--
-- `waitlist_entry` (gateway): an employee waiting for exactly one stay (room type, check-in,
-- nights, guests). Entries are served in the order they joined (`joined_at`, then
-- `joined_order` for entries that joined at the same moment: a lottery's losers in draw order).
-- The hotel worker reads the waiting ones, never writes them.
CREATE TABLE waitlist_entry (
    id TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL,
    resort_id TEXT NOT NULL REFERENCES resort (id),
    room_type_id TEXT NOT NULL,
    check_in TEXT NOT NULL,
    nights BIGINT NOT NULL CHECK (nights >= 1),
    guests BIGINT NOT NULL CHECK (guests >= 1),
    joined_at BIGINT NOT NULL,
    joined_order BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'accepted', 'declined', 'expired', 'left')),
    -- The room offered: the hotel's offer id, which becomes the booking's id on accept.
    offer_id TEXT,
    offer_expires_at BIGINT,
    -- The lottery whose loser this entry is, if any.
    lottery_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX waitlist_entry_queue ON waitlist_entry (room_type_id, status, joined_at, joined_order);
CREATE INDEX waitlist_entry_employee ON waitlist_entry (employee_id);
-- One live entry per employee and stay.
CREATE UNIQUE INDEX waitlist_entry_live ON waitlist_entry (employee_id, room_type_id, check_in, nights)
    WHERE status IN ('waiting', 'offered');

-- `room_offer` (hotel worker): a room held for a waiting entry, in the transaction that freed
-- it. Its nights are counted in `room_night.held` like any hold, so nobody else can take them.
-- `open` until the offer is taken (the accepted booking's `hotel.hold` makes it a hold) or
-- passed (declined, expired, points short): then its nights go to the next entry. One offer per
-- entry ever.
CREATE TABLE room_offer (
    id TEXT PRIMARY KEY,
    waitlist_entry_id TEXT NOT NULL UNIQUE,
    resort_id TEXT NOT NULL,
    room_type_id TEXT NOT NULL,
    check_in TEXT NOT NULL,
    nights BIGINT NOT NULL CHECK (nights >= 1),
    status TEXT NOT NULL CHECK (status IN ('open', 'taken', 'passed')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- How long an offer waits for an answer, per resort.
ALTER TABLE resort ADD COLUMN offer_hours BIGINT NOT NULL DEFAULT 2;

-- Where a booking came from: asked directly, won in a lottery, or an accepted waitlist offer
-- (whose room was held before its points were taken).
ALTER TABLE booking ADD COLUMN origin TEXT NOT NULL DEFAULT 'direct' CHECK (origin IN ('direct', 'lottery', 'offer'));
UPDATE booking SET origin = 'lottery' WHERE id IN (SELECT booking_id FROM lottery_application WHERE booking_id IS NOT NULL);
