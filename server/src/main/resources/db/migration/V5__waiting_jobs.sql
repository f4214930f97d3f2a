-- Portable SQL (H2 and PostgreSQL). Issue 10 item 4: a cloud job waiting on its upstream holds no thread and no
-- worker slot. Between polls it is a row: status IN_PROGRESS, no lease, next_poll_at set (epoch ms, DATABASE clock).
-- A poller on any instance claims the rows that are due (FOR UPDATE SKIP LOCKED, lease + epoch as for any attempt),
-- polls once, and writes the next poll time, the job's end, or next_poll_at = NULL (done upstream: the dispatcher
-- then takes it for its download, in a worker slot).
-- poll_interval_ms / polls: the backoff state between polls (poll_initial * poll_factor^n, capped at poll_max).
-- upstream_handle: the upstream job the job's checkpoint names, indexed, so that an unclear submit can check
-- whether another job already holds a listed upstream job without scanning the JSON of every row.
ALTER TABLE jobs ADD COLUMN next_poll_at BIGINT;
ALTER TABLE jobs ADD COLUMN poll_interval_ms BIGINT;
ALTER TABLE jobs ADD COLUMN polls INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE jobs ADD COLUMN upstream_handle VARCHAR(1000);
CREATE INDEX jobs_next_poll ON jobs (next_poll_at);
CREATE INDEX jobs_upstream_handle ON jobs (upstream_handle);
