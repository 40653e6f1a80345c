-- Employees who left and resorts taken out of service (identities and catalogue, gateway): they
-- keep their history, but an inactive employee cannot link or book, and an inactive resort is
-- offered nowhere and takes no new bookings.
ALTER TABLE employee ADD COLUMN active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
ALTER TABLE resort ADD COLUMN active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
