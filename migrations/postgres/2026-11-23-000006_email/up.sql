-- Email: the outbox the mail worker sends from, single-use email tokens (address verification
-- and password reset), and each account's verified address and language.

ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'id' CHECK (language IN ('id', 'en'));

-- One row per message, written in the same transaction as the action that causes it. The worker
-- claims due rows (pending and due, or sending with an expired lease), sends them and marks them
-- sent; a failure puts them back to pending with a later next_attempt_at, or to failed.
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  recipient TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('id', 'en')),
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL,
  -- JSON array of inline parts: [{"content_id", "content_type", "data" (base64)}].
  attachments TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP NOT NULL,
  locked_until TIMESTAMP,
  locked_by TEXT,
  last_error TEXT,
  created_at TIMESTAMP NOT NULL,
  sent_at TIMESTAMP
);
-- The worker's claim: due pending rows, and sending rows whose lease ran out.
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_lease_idx ON outbox (status, locked_until);

CREATE TABLE email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose, created_at);

-- The follow-up reminders queued: one per placement and checkpoint, however many instances
-- look for due follow-ups.
CREATE TABLE follow_up_reminders (
  placement_id TEXT NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
  checkpoint INTEGER NOT NULL CHECK (checkpoint IN (90, 180)),
  queued_at TIMESTAMP NOT NULL,
  PRIMARY KEY (placement_id, checkpoint)
);
