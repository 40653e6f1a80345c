-- Durable timers (every component that sets one; fired by whichever process runs the timers):
-- "do this at `due_at`, once". `fired_at` is set by a conditional update in the transaction that
-- does the work, so one replica fires a timer and a failure leaves it to fire again. A kind has
-- at most one timer per subject (the id is "kind:subject").
CREATE TABLE timer (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    fired_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX timer_due ON timer (due_at) WHERE fired_at IS NULL;

-- Bookings already waiting for a manager get their deadline as a timer.
INSERT INTO timer (id, kind, subject, due_at, attempts, created_at, updated_at)
    SELECT 'approval_deadline:' || id, 'approval_deadline', id, approval_deadline_at, 0, updated_at, updated_at
    FROM booking WHERE status = 'awaiting_approval' AND decision IS NULL AND approval_deadline_at IS NOT NULL;
