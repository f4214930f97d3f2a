-- Portable SQL (H2 and PostgreSQL). Issue 8: the dispatcher finds work per lane and per route without scanning the
-- whole queue, and a job that crashed its worker waits (backoff) before its next attempt.
-- lane: 'local' or 'cloud' as routed at submission (NULL: not known then; the dispatcher resolves it).
-- route: the backend chosen at submission (e.g. 'route:sora-2'), so a saturated route is skipped in the query.
-- not_before: epoch ms before which the job is not claimed (NULL: at once).
ALTER TABLE jobs ADD COLUMN lane VARCHAR(16);
ALTER TABLE jobs ADD COLUMN route VARCHAR(200);
ALTER TABLE jobs ADD COLUMN not_before BIGINT;
CREATE INDEX jobs_lane_queue ON jobs (lane, status, created_at);
CREATE INDEX jobs_status_error ON jobs (status, error_code, created_at);
