-- Several processes may run a relay over the same outbox (one per role). A relay claims the rows
-- it is about to publish until `claimed_until`; another relay skips claimed rows until the lease
-- runs out, which is also how rows claimed by a process that died get published.
ALTER TABLE outbox_message ADD COLUMN claimed_until BIGINT;
