-- An organizer organization publishes fairs only once admin or ministry staff verified it from
-- its registration details. The current state lives here; each verification and revocation,
-- with the staff member's note, is in the audit log.
ALTER TABLE organizations ADD COLUMN verified_at TIMESTAMP;
ALTER TABLE organizations ADD COLUMN verified_by TEXT REFERENCES users (id);
ALTER TABLE organizations ADD COLUMN verification_note TEXT;
