-- A resort's booking window and stay length (catalogue, gateway): check-ins open up to
-- `book_ahead_days` ahead, one more day each day at `opens_at` (Korean time, "HH:MM"), no sooner
-- than `min_notice_days` ahead, for `min_nights` to `max_nights` nights.
ALTER TABLE resort ADD COLUMN book_ahead_days BIGINT NOT NULL DEFAULT 60 CHECK (book_ahead_days BETWEEN 1 AND 730);
ALTER TABLE resort ADD COLUMN opens_at TEXT NOT NULL DEFAULT '09:00';
ALTER TABLE resort ADD COLUMN min_notice_days BIGINT NOT NULL DEFAULT 0 CHECK (min_notice_days BETWEEN 0 AND 365);
ALTER TABLE resort ADD COLUMN min_nights BIGINT NOT NULL DEFAULT 1 CHECK (min_nights BETWEEN 1 AND 30);
