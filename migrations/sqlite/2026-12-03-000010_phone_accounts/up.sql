-- Accounts by phone: an account has an email, a phone number (E.164), or both; the phone is
-- verified by a one-time code sent over WhatsApp. WhatsApp is a second channel of the outbox.
--
-- SQLite cannot drop a NOT NULL: users is rebuilt, the documented way (sqlite.org/lang_altertable
-- "other kinds of table schema changes"). Foreign keys must be off for that, or dropping the old
-- table would cascade into every table that references users; a pragma that changes nothing
-- inside a transaction, hence this migration runs outside diesel's (metadata.toml) and opens
-- its own. foreign_key_check would name any row left dangling; there can be none, every id is
-- copied.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE users_rebuilt (
  id TEXT PRIMARY KEY,
  email TEXT UNIQUE,
  password_hash TEXT NOT NULL,
  full_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'ministry', 'organizer', 'employer', 'job_seeker')),
  disabled_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  email_verified_at TIMESTAMP,
  language TEXT NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en')),
  token_version INTEGER NOT NULL DEFAULT 0,
  phone TEXT UNIQUE,
  phone_verified_at TIMESTAMP,
  whatsapp_consent_at TIMESTAMP,
  CONSTRAINT users_email_or_phone CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
INSERT INTO users_rebuilt (id, email, password_hash, full_name, role, disabled_at, created_at,
                           updated_at, email_verified_at, language, token_version)
  SELECT id, email, password_hash, full_name, role, disabled_at, created_at, updated_at,
         email_verified_at, language, token_version
  FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

-- Consent to WhatsApp messages at the profile's phone, recorded with who recorded it (the job
-- seeker, or staff at the desk).
ALTER TABLE job_seekers ADD COLUMN whatsapp_consent_at TIMESTAMP;
ALTER TABLE job_seekers ADD COLUMN whatsapp_consent_recorded_by TEXT REFERENCES users (id);

-- One-time codes: only their HMAC (keyed with the server's secret: six digits are guessable
-- from a plain hash) is stored. A newer code replaces the older ones; at most five tries each.
CREATE TABLE phone_codes (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('sign_in')),
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX phone_codes_user_idx ON phone_codes (user_id, created_at);

-- Which channel a message goes by; the recipient is an email address or an E.164 number. A
-- WhatsApp row keeps the Cloud API request body in body_text and the template name in subject,
-- and the message id the API answered with once sent.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'whatsapp'));
ALTER TABLE outbox ADD COLUMN provider_message_id TEXT;
CREATE INDEX outbox_channel_idx ON outbox (channel, id);

COMMIT;
PRAGMA foreign_keys = ON;
