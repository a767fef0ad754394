-- Writes that no longer take turns on one row (issue 15). A change appends its audit record to
-- `audit_pending` and a registration its job seeker to `event_seeker_additions`: plain inserts,
-- no shared row locked until commit. One sealer, shortly after (crate::upkeep), chains the
-- pending records onto `audit_log` in commit order and folds the additions into each event's
-- set of job seekers. Readers see both halves (crate::audit::seal first; tally::seeker_sets).

-- An audit record committed but not yet chained. `pending_seq` only orders the sealer's work.
CREATE TABLE audit_pending (
  pending_seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TIMESTAMP NOT NULL,
  actor_user_id TEXT REFERENCES users (id),
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  event_id TEXT,
  changes TEXT NOT NULL
);

-- A job seeker registered for an event and not yet in its stored set (event_seeker_sets).
CREATE TABLE event_seeker_additions (
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  number BIGINT NOT NULL,
  PRIMARY KEY (event_id, number)
);
