-- Every access token carries the version of its user's sign-in state; a role change, a disabled
-- account or a new password bumps the version, and older tokens stop working at once.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

-- Login throttling is kept per account (never per submitted email, so unknown addresses leave no
-- rows): a growing delay after repeated failures that the right password passes once it ran out.
DROP TABLE login_throttles;
CREATE TABLE login_throttles (
  user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  last_failure_at TIMESTAMP NOT NULL,
  next_attempt_at TIMESTAMP NOT NULL
);
