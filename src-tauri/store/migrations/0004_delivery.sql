-- Delivery of callback requests to the clinic's destinations (issue #5). A row is either
-- delivered (delivered_at), failed for good until staff retry it (failed_at, last_error),
-- or waiting for its next try (next_attempt_at).
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
ALTER TABLE outbox ADD COLUMN last_status INTEGER;   -- the receiver's last HTTP status, if any
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- The kiosk's own staff inbox is not a network destination: its rows are delivered the
-- moment the request is committed.
UPDATE outbox SET delivered_at = created_at WHERE destination = 'staff-inbox' AND delivered_at IS NULL;
