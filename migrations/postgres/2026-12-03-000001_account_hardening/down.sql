DROP TABLE login_throttles;
CREATE TABLE login_throttles (
  email TEXT PRIMARY KEY,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  window_started_at TIMESTAMP NOT NULL,
  locked_until TIMESTAMP
);
ALTER TABLE users DROP COLUMN token_version;
