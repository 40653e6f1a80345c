-- Each look of a relay claims its rows with a token of its own, and a row is marked published
-- or released only under the token it was claimed with. A publisher whose claim was taken
-- over meanwhile (its lease ran out and another look claimed the row, or an operator's replay
-- cleared the claim) therefore cannot mark the row for the one that holds it now.
ALTER TABLE outbox_message ADD COLUMN claim_token TEXT;
