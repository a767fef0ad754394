-- Door passes: a token for a scanner device at one fair, stored only as its SHA-256. It expires
-- with the event's check-in window (computed from the event, so a moved event moves it too)
-- and can be revoked.
CREATE TABLE door_passes (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL REFERENCES events (id),
  label TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TIMESTAMP NOT NULL,
  revoked_at TIMESTAMP,
  revoked_by TEXT REFERENCES users (id),
  last_used_at TIMESTAMP
);
CREATE INDEX door_passes_event_idx ON door_passes (event_id, id);

-- The answer to each uploaded scan, so that a replayed upload (same client_id) gets the same
-- answer and counts nothing twice. No check-in code is stored.
CREATE TABLE door_scans (
  event_id TEXT NOT NULL REFERENCES events (id),
  client_id TEXT NOT NULL,
  status TEXT NOT NULL,
  registration_id TEXT REFERENCES registrations (id),
  scanned_at TIMESTAMP NOT NULL,
  recorded_at TIMESTAMP NOT NULL,
  recorded_by TEXT NOT NULL REFERENCES users (id),
  door_pass_id TEXT REFERENCES door_passes (id),
  PRIMARY KEY (event_id, client_id)
);

-- When a registration last changed (created or checked in), by the server's clock: what the
-- check-in list's `since` filters on. checked_in_at cannot serve: it is the scan time, which an
-- offline scanner may report long after.
ALTER TABLE registrations ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00';
UPDATE registrations SET updated_at = COALESCE(checked_in_at, registered_at);
CREATE INDEX registrations_changes_idx ON registrations (event_id, updated_at, id);

-- The check-in code as typed by a person: upper case, no hyphens, I and L read as 1, O as 0
-- (the same rule as registrations::codes::normalize_code, for the characters codes contain).
ALTER TABLE registrations ADD COLUMN check_in_key TEXT GENERATED ALWAYS AS (
  replace(replace(replace(replace(upper(check_in_code), '-', ''), 'I', '1'), 'L', '1'), 'O', '0')
) STORED;
CREATE INDEX registrations_check_in_key_idx ON registrations (event_id, check_in_key);
