-- Portable SQL (H2 and PostgreSQL). Issue 10: a fencing token for job leases. Every claim increments lease_epoch;
-- every write of a running attempt (progress, checkpoint, notes, finish with its settlement) requires the lease owner
-- AND the epoch it claimed, so an attempt whose lease expired and was taken by another instance (or by a later claim)
-- can no longer write over the job. lease_expires_at is set from the DATABASE clock (not the instances' clocks).
ALTER TABLE jobs ADD COLUMN lease_epoch BIGINT DEFAULT 0 NOT NULL;
