DROP TABLE follow_up_reminders;
DROP TABLE email_tokens;
DROP TABLE outbox;
ALTER TABLE users DROP COLUMN language;
ALTER TABLE users DROP COLUMN email_verified_at;
