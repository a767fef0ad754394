ALTER TABLE applications DROP COLUMN share_contact;
