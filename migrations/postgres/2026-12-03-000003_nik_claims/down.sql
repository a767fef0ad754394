DROP INDEX audit_log_actor_idx;
DROP TABLE nik_claims;
ALTER TABLE job_seekers DROP COLUMN nik_revoked_at;
