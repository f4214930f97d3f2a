-- Retention (framegate.yaml `retention`): when the sweeper deleted a job's results (after expires_at) and its input
-- files (after the job ended). The row itself stays, so a client asking for expired content gets 410, not 404.
ALTER TABLE jobs ADD COLUMN results_deleted_at BIGINT;
ALTER TABLE jobs ADD COLUMN inputs_deleted_at BIGINT;
CREATE INDEX jobs_expires ON jobs (expires_at);
CREATE INDEX jobs_completed ON jobs (completed_at);
