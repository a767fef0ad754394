ALTER TABLE organizations DROP COLUMN verification_note;
ALTER TABLE organizations DROP COLUMN verified_by;
ALTER TABLE organizations DROP COLUMN verified_at;
