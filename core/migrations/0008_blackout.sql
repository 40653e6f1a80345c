-- Periods a resort takes no stays (catalogue, gateway): the nights `from_night` through
-- `to_night`, both included, with the reason guests are told.
CREATE TABLE blackout (
    id TEXT PRIMARY KEY,
    resort_id TEXT NOT NULL REFERENCES resort (id),
    from_night TEXT NOT NULL,
    to_night TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (from_night <= to_night)
);
CREATE INDEX blackout_resort ON blackout (resort_id, from_night);
