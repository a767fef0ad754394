-- Metrics: the event local date of starts_at (the date in the province's time zone), kept on the
-- event by the code that writes starts_at and province_code, so that rollups filter and group by
-- period with plain, indexable SQL on both engines.

ALTER TABLE events ADD COLUMN local_start_date DATE NOT NULL DEFAULT '1970-01-01';
UPDATE events SET local_start_date = date(starts_at, (
    SELECT CASE provinces.timezone WHEN 'Asia/Jayapura' THEN '+9 hours'
      WHEN 'Asia/Makassar' THEN '+8 hours' ELSE '+7 hours' END
    FROM provinces WHERE provinces.code = events.province_code));
CREATE INDEX events_local_start_date_idx ON events (local_start_date);

-- The figures rollups add up, kept on each event in the same transaction as the change that
-- moves them (like registrations_count and attendees_count), so that a national rollup reads a
-- thousand event rows instead of a million registrations. See src/metrics/tally.rs.
ALTER TABLE events ADD COLUMN applications_count INTEGER NOT NULL DEFAULT 0 CHECK (applications_count >= 0);
ALTER TABLE events ADD COLUMN placements_reported_count INTEGER NOT NULL DEFAULT 0 CHECK (placements_reported_count >= 0);
ALTER TABLE events ADD COLUMN placements_verified_count INTEGER NOT NULL DEFAULT 0 CHECK (placements_verified_count >= 0);
ALTER TABLE events ADD COLUMN placements_disputed_count INTEGER NOT NULL DEFAULT 0 CHECK (placements_disputed_count >= 0);
ALTER TABLE events ADD COLUMN placed_attendees_count INTEGER NOT NULL DEFAULT 0 CHECK (placed_attendees_count >= 0);
UPDATE events SET
  applications_count = (SELECT count(*) FROM applications JOIN vacancies ON vacancies.id = applications.vacancy_id
    WHERE vacancies.event_id = events.id),
  placements_reported_count = (SELECT count(*) FROM placements
    WHERE placements.event_id = events.id AND placements.status <> 'retracted'),
  placements_verified_count = (SELECT count(*) FROM placements
    WHERE placements.event_id = events.id AND placements.status IN ('confirmed', 'verified')),
  placements_disputed_count = (SELECT count(*) FROM placements
    WHERE placements.event_id = events.id AND placements.status = 'disputed'),
  placed_attendees_count = (SELECT count(DISTINCT placements.job_seeker_id) FROM placements
    JOIN registrations ON registrations.event_id = placements.event_id
      AND registrations.job_seeker_id = placements.job_seeker_id
    WHERE placements.event_id = events.id AND placements.status IN ('confirmed', 'verified')
      AND registrations.checked_in_at IS NOT NULL);

-- Distinct job seekers cannot be added up from per-event counts. Each job seeker gets a small
-- number, and each event keeps the set of the numbers of the job seekers registered for it (a
-- serialized Roaring bitmap, written in the registration's transaction); a rollup unions the
-- sets of its events. An event without a set has its set read from its registrations.
ALTER TABLE job_seekers ADD COLUMN number INTEGER;
UPDATE job_seekers SET number = rowid;
CREATE UNIQUE INDEX job_seekers_number_idx ON job_seekers (number);
-- SQLite has no identity columns: a new job seeker's number is its rowid.
CREATE TRIGGER job_seekers_number AFTER INSERT ON job_seekers WHEN NEW.number IS NULL
BEGIN
  UPDATE job_seekers SET number = NEW.rowid WHERE id = NEW.id;
END;
CREATE TABLE event_seeker_sets (
  event_id TEXT PRIMARY KEY REFERENCES events (id),
  seekers BLOB NOT NULL
);

-- Per-event metrics read each attendee's profile and each application's stages: indexes that
-- answer those reads on their own (index-only), without visiting the tables' rows.
CREATE INDEX registrations_attendee_idx ON registrations (event_id, job_seeker_id) WHERE checked_in_at IS NOT NULL;
CREATE INDEX job_seekers_profile_idx ON job_seekers (id, birth_date, gender, education_level, disability);
CREATE INDEX application_transitions_stage_idx ON application_transitions (application_id, status);
