-- Accounts by phone: an account has an email, a phone number (E.164), or both; the phone is
-- verified by a one-time code sent over WhatsApp. WhatsApp is a second channel of the outbox.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ADD COLUMN phone TEXT UNIQUE;
ALTER TABLE users ADD COLUMN phone_verified_at TIMESTAMP;
ALTER TABLE users ADD COLUMN whatsapp_consent_at TIMESTAMP;
ALTER TABLE users ADD CONSTRAINT users_email_or_phone CHECK (email IS NOT NULL OR phone IS NOT NULL);

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
