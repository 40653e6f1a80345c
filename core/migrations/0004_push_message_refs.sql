-- What a platform calls a sent alert (Telegram "chat:message", Discord "channel:message"), so a
-- later alert can replace it: when a booking is decided, every manager's copy of its approval
-- request is edited to show the outcome, its buttons gone. `edits_ref` names the message an
-- alert replaces instead of sending a new one.
ALTER TABLE push_message ADD COLUMN platform_ref TEXT;
ALTER TABLE push_message ADD COLUMN edits_ref TEXT;
