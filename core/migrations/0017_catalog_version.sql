-- The catalogue's version (gateway): one row whose number every write to what a booking request
-- is judged against moves on — resorts, room types, blackouts, lotteries, the yearly policy — in
-- the write's own transaction or right after it. A gateway keeps those tables in memory and reads
-- only this number per request (see bot/src/booking/catalog_cache.rs); every replica sees a
-- change at its next request, as it would by reading the tables themselves.
CREATE TABLE catalog_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);
