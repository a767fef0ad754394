-- The conflict of interest in the headline figure made visible: of an event's verified
-- placements, those only staff vouched for (verified, never confirmed by the job seeker, whose
-- confirmation alone sets confirmed_at). Kept on the event like the other figures rollups add up
-- (see src/metrics/tally.rs); the ones the job seeker confirmed are the rest of
-- placements_verified_count, so they need no column of their own (and events is at diesel's
-- 32 columns).
ALTER TABLE events ADD COLUMN placements_staff_only_count INTEGER NOT NULL DEFAULT 0 CHECK (placements_staff_only_count >= 0);
UPDATE events SET
  placements_staff_only_count = (SELECT count(*) FROM placements
    WHERE placements.event_id = events.id AND placements.status = 'verified'
      AND placements.confirmed_at IS NULL);
