-- The breakdowns and the retention of each event, kept like its other rollup figures (see
-- src/metrics/tally.rs) so that a rollup reads a few rows per event instead of its attendees,
-- placements and follow-ups. Filled from the rows by `bursa metrics rebuild`, which start-up
-- runs for events that have none (see crate::metrics::tally::fill_missing).

-- One cell of a breakdown of an event's attendees (METRICS.md, "Breakdowns"): how many attendees
-- had this value of this dimension, and how many of them have a verified placement there.
CREATE TABLE event_breakdown_cells (
  event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  dimension TEXT NOT NULL CHECK (dimension IN ('gender', 'age_band', 'education_level', 'disability')),
  value TEXT NOT NULL,
  attendees INTEGER NOT NULL CHECK (attendees >= 0),
  placed_attendees INTEGER NOT NULL DEFAULT 0 CHECK (placed_attendees >= 0 AND placed_attendees <= attendees),
  PRIMARY KEY (event_id, dimension, value)
);

-- The retention of an event's verified placements at the 90- and 180-day checkpoints.
CREATE TABLE event_retention (
  event_id TEXT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  retention_90d_checked INTEGER NOT NULL CHECK (retention_90d_checked >= 0),
  retention_90d_employed INTEGER NOT NULL CHECK (retention_90d_employed >= 0),
  retention_180d_checked INTEGER NOT NULL CHECK (retention_180d_checked >= 0),
  retention_180d_employed INTEGER NOT NULL CHECK (retention_180d_employed >= 0)
);
