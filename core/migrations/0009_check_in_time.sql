-- When guests check in, Korean time "HH:MM" (catalogue, gateway): a manager's decision is due by
-- then at the latest, so an approval deadline never falls after the stay has begun.
ALTER TABLE resort ADD COLUMN check_in_time TEXT NOT NULL DEFAULT '15:00';
