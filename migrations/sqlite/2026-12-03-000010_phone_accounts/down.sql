-- Fails while an account has no email: such accounts must be given one (or deleted) first.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP INDEX outbox_channel_idx;
ALTER TABLE outbox DROP COLUMN provider_message_id;
ALTER TABLE outbox DROP COLUMN channel;
DROP TABLE phone_codes;
ALTER TABLE job_seekers DROP COLUMN whatsapp_consent_recorded_by;
ALTER TABLE job_seekers DROP COLUMN whatsapp_consent_at;
CREATE TABLE users_rebuilt (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  full_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'ministry', 'organizer', 'employer', 'job_seeker')),
  disabled_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  email_verified_at TIMESTAMP,
  language TEXT NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
  token_version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_rebuilt
  SELECT id, email, password_hash, full_name, role, disabled_at, created_at, updated_at,
         email_verified_at, language, token_version
  FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
