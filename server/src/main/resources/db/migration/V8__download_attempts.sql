-- Portable SQL (H2 and PostgreSQL). A job the upstream accepted (its checkpoint is `submitted`, with the upstream's id)
-- is collected (a poll and the download, in a worker slot) under its own attempt bound, workers.max_download_attempts:
-- download_attempts counts the claims made since it was accepted, as attempts counts every claim (a claim counts one,
-- a graceful release or a park gives it back), so a process killed during downloads does not use up the submit's
-- workers.max_attempts and abandon a video the upstream already made (and billed).
ALTER TABLE jobs ADD COLUMN download_attempts INTEGER DEFAULT 0 NOT NULL;
