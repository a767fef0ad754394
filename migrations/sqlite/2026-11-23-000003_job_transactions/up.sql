-- Job transactions: placements (hires) reported by employers, confirmed by job seekers or
-- verified by staff, followed up for retention; idempotent reports; the chained audit log.

CREATE TABLE placements (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications (id),
  vacancy_id TEXT NOT NULL REFERENCES vacancies (id),
  event_id TEXT NOT NULL REFERENCES events (id),
  job_seeker_id TEXT NOT NULL REFERENCES job_seekers (id),
  employer_id TEXT NOT NULL REFERENCES organizations (id),
  status TEXT NOT NULL CHECK (status IN ('reported', 'confirmed', 'disputed', 'verified', 'retracted')),
  start_date DATE NOT NULL,
  salary_idr BIGINT NOT NULL CHECK (salary_idr >= 0),
  contract_type TEXT NOT NULL CHECK (contract_type IN ('permanent', 'contract', 'internship', 'part_time', 'daily')),
  occupation_code TEXT NOT NULL CHECK (length(occupation_code) = 4),
  -- Anti-gaming flags raised when the placement was reported: a JSON array of names.
  flags TEXT NOT NULL DEFAULT '[]',
  reported_by TEXT NOT NULL REFERENCES users (id),
  reported_at TIMESTAMP NOT NULL,
  confirmed_at TIMESTAMP,
  disputed_at TIMESTAMP,
  dispute_reason TEXT,
  verified_at TIMESTAMP,
  verified_by TEXT REFERENCES users (id),
  verification_method TEXT CHECK (verification_method IN ('phone', 'document', 'visit', 'social_security')),
  verification_note TEXT,
  retracted_at TIMESTAMP,
  retracted_by TEXT REFERENCES users (id),
  retraction_note TEXT,
  updated_at TIMESTAMP NOT NULL
);
-- One placement per application: a hire is the outcome of one application. A retracted one
-- steps aside, so that a mistaken report can be retracted and reported again.
CREATE UNIQUE INDEX placements_active_application_idx ON placements (application_id) WHERE status <> 'retracted';
CREATE INDEX placements_event_idx ON placements (event_id, id);
CREATE INDEX placements_employer_idx ON placements (employer_id, id);
CREATE INDEX placements_seeker_idx ON placements (job_seeker_id, start_date);
CREATE INDEX placements_vacancy_idx ON placements (vacancy_id);

-- Single-use links for job seekers without an account: only the SHA-256 of the token is kept.
CREATE TABLE placement_confirmations (
  token_hash TEXT PRIMARY KEY,
  placement_id TEXT NOT NULL REFERENCES placements (id),
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP
);
CREATE INDEX placement_confirmations_placement_idx ON placement_confirmations (placement_id);

-- Retention checks: due 90 and 180 days after the start date.
CREATE TABLE follow_ups (
  id TEXT PRIMARY KEY,
  placement_id TEXT NOT NULL REFERENCES placements (id),
  checked_on DATE NOT NULL,
  employed BOOLEAN NOT NULL,
  same_employer BOOLEAN NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('employer', 'job_seeker', 'staff')),
  recorded_by TEXT NOT NULL REFERENCES users (id),
  recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX follow_ups_placement_idx ON follow_ups (placement_id, checked_on);

-- `Idempotency-Key` of a report: a retry with the same key (by the same user) gets the first
-- response back instead of making a second placement.
CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL REFERENCES users (id),
  key TEXT NOT NULL,
  -- SHA-256 of the request it answered: the same key with another request is refused.
  request_hash TEXT NOT NULL,
  response_status INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (user_id, key)
);

-- The audit log: every state change, appended in the transaction of the change. Each record
-- holds a SHA-256 over its content and the previous record's hash, so an edit or a deletion
-- breaks the chain. `seq` orders the chain; `audit_head` holds its end and, being one row that
-- every append updates first, makes appends take turns.
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TIMESTAMP NOT NULL,
  actor_user_id TEXT REFERENCES users (id),
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  -- The event the change belongs to, if any: organizers read their own events' records.
  event_id TEXT,
  changes TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, seq);
CREATE INDEX audit_log_event_idx ON audit_log (event_id, seq);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
