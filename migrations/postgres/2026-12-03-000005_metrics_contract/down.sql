ALTER TABLE events DROP COLUMN placements_staff_only_count;
