-- A NIK taken by the wrong profile (squatted) is moved to its owner through a claim that an admin
-- decides after checking the ID card off-line. The profile that lost its NIK keeps its history
-- and is flagged: `nik_revoked_at` is set and its `nik_hash` becomes `revoked:<claim id>`, which
-- can never equal an HMAC (64 hex digits).
ALTER TABLE job_seekers ADD COLUMN nik_revoked_at TIMESTAMP;

CREATE TABLE nik_claims (
  id TEXT PRIMARY KEY,
  -- The job seeker account that claims the NIK (it has no profile yet).
  user_id TEXT NOT NULL REFERENCES users (id),
  -- The claimed NIK as job_seekers stores it: its HMAC and last four digits, never the NIK.
  nik_hash TEXT NOT NULL,
  nik_last4 TEXT NOT NULL,
  -- The claimant's profile (JSON, validated as a new profile): created when the claim is approved.
  profile TEXT NOT NULL,
  note TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
  created_at TIMESTAMP NOT NULL,
  -- The profile that held the NIK when the claim was filed.
  holder_job_seeker_id TEXT REFERENCES job_seekers (id),
  decided_by TEXT REFERENCES users (id),
  decided_at TIMESTAMP,
  decision_note TEXT,
  -- The claimant's profile, created on approval.
  job_seeker_id TEXT REFERENCES job_seekers (id)
);
CREATE INDEX nik_claims_status_idx ON nik_claims (status, id);
-- One open claim per account and NIK.
CREATE UNIQUE INDEX nik_claims_open_idx ON nik_claims (user_id, nik_hash) WHERE status = 'open';

-- NIK look-ups are rate-limited per account by counting their audit records.
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, action, at);
