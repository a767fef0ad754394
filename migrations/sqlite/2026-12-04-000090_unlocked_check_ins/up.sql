-- First check-ins that no longer take turns on their event's row (issue 15). A scan marks the
-- registration and appends it here: no shared row is locked until commit. The upkeep worker
-- (crate::upkeep) folds these into the event's kept figures (attendees, breakdown cells, placed
-- attendees) about once a second; until then readers add them (crate::metrics::attendance).
CREATE TABLE event_attendee_additions (
  registration_id TEXT PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
  -- The registration's event, kept here so that readers and the folder find an event's
  -- additions by index (no reference: that would lock the event's row at every scan).
  event_id TEXT NOT NULL
);
CREATE INDEX event_attendee_additions_event ON event_attendee_additions (event_id);
