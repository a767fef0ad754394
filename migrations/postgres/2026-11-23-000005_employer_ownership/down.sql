ALTER TABLE organizations DROP COLUMN ownership;
