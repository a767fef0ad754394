-- The job seeker's choice, when applying, to let the employer see their phone and email.
ALTER TABLE applications ADD COLUMN share_contact BOOLEAN NOT NULL DEFAULT FALSE;
