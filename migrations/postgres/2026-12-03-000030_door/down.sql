DROP INDEX registrations_check_in_key_idx;
ALTER TABLE registrations DROP COLUMN check_in_key;
DROP INDEX registrations_changes_idx;
ALTER TABLE registrations DROP COLUMN updated_at;
DROP TABLE door_scans;
DROP TABLE door_passes;
