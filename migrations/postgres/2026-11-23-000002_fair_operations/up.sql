-- Fair operations: event lifecycle, employers at fairs, vacancies, job seekers, registrations,
-- check-ins and applications. Counters on events are kept in the same transaction as the rows
-- they count, so that capacity holds under concurrency and reports need not count rows.

ALTER TABLE events ADD COLUMN published_at TIMESTAMP;
ALTER TABLE events ADD COLUMN closed_at TIMESTAMP;
ALTER TABLE events ADD COLUMN cancelled_at TIMESTAMP;
ALTER TABLE events ADD COLUMN spent_idr BIGINT CHECK (spent_idr >= 0);
ALTER TABLE events ADD COLUMN closing_notes TEXT;
ALTER TABLE events ADD COLUMN registrations_count INTEGER NOT NULL DEFAULT 0 CHECK (registrations_count >= 0);
ALTER TABLE events ADD COLUMN attendees_count INTEGER NOT NULL DEFAULT 0 CHECK (attendees_count >= 0);

CREATE TABLE participations (
  event_id TEXT NOT NULL REFERENCES events (id),
  organization_id TEXT NOT NULL REFERENCES organizations (id),
  booth TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  requested_by TEXT NOT NULL REFERENCES users (id),
  requested_at TIMESTAMP NOT NULL,
  decided_by TEXT REFERENCES users (id),
  decided_at TIMESTAMP,
  PRIMARY KEY (event_id, organization_id)
);
CREATE INDEX participations_organization_idx ON participations (organization_id);

CREATE TABLE vacancies (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  occupation_code TEXT NOT NULL CHECK (length(occupation_code) = 4),
  openings INTEGER NOT NULL CHECK (openings >= 1),
  employment_type TEXT NOT NULL CHECK (employment_type IN ('permanent', 'contract', 'internship', 'part_time', 'daily')),
  salary_min_idr BIGINT CHECK (salary_min_idr >= 0),
  salary_max_idr BIGINT CHECK (salary_max_idr >= 0),
  education_min TEXT CHECK (education_min IN ('sd', 'smp', 'sma', 'smk', 'd1', 'd2', 'd3', 'd4', 's1', 's2', 's3')),
  location_province_code TEXT NOT NULL REFERENCES provinces (code),
  location_city TEXT NOT NULL,
  disability_friendly BOOLEAN NOT NULL,
  closes_at TIMESTAMP,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  FOREIGN KEY (event_id, organization_id) REFERENCES participations (event_id, organization_id),
  CHECK (salary_max_idr IS NULL OR salary_min_idr IS NULL OR salary_max_idr >= salary_min_idr)
);
CREATE INDEX vacancies_event_idx ON vacancies (event_id, id);
CREATE INDEX vacancies_organization_idx ON vacancies (organization_id);

CREATE TABLE job_seekers (
  id TEXT PRIMARY KEY,
  user_id TEXT UNIQUE REFERENCES users (id),
  full_name TEXT NOT NULL,
  -- HMAC-SHA256 of the NIK under BURSA_NIK_SECRET: one person is one job seeker, and the NIK
  -- itself is never stored.
  nik_hash TEXT NOT NULL UNIQUE,
  nik_last4 TEXT NOT NULL,
  birth_date DATE,
  gender TEXT NOT NULL CHECK (gender IN ('female', 'male')),
  education_level TEXT NOT NULL CHECK (education_level IN ('sd', 'smp', 'sma', 'smk', 'd1', 'd2', 'd3', 'd4', 's1', 's2', 's3')),
  province_code TEXT NOT NULL REFERENCES provinces (code),
  city TEXT NOT NULL,
  disability BOOLEAN NOT NULL,
  disability_type TEXT,
  phone TEXT,
  email TEXT,
  consent_at TIMESTAMP NOT NULL,
  consent_recorded_by TEXT NOT NULL REFERENCES users (id),
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE registrations (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL REFERENCES events (id),
  job_seeker_id TEXT NOT NULL REFERENCES job_seekers (id),
  check_in_code TEXT NOT NULL UNIQUE,
  registered_at TIMESTAMP NOT NULL,
  registered_by TEXT NOT NULL REFERENCES users (id),
  checked_in_at TIMESTAMP,
  checked_in_by TEXT REFERENCES users (id),
  UNIQUE (event_id, job_seeker_id)
);
CREATE INDEX registrations_seeker_idx ON registrations (job_seeker_id);
CREATE INDEX registrations_event_idx ON registrations (event_id, id);

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  vacancy_id TEXT NOT NULL REFERENCES vacancies (id),
  job_seeker_id TEXT NOT NULL REFERENCES job_seekers (id),
  status TEXT NOT NULL CHECK (status IN ('applied', 'shortlisted', 'interviewed', 'offered', 'hired', 'rejected', 'withdrawn')),
  applied_at TIMESTAMP NOT NULL,
  created_by TEXT NOT NULL REFERENCES users (id),
  updated_at TIMESTAMP NOT NULL,
  UNIQUE (vacancy_id, job_seeker_id)
);
CREATE INDEX applications_seeker_idx ON applications (job_seeker_id);

-- Every status an application took, with when and who: metrics count stages reached.
CREATE TABLE application_transitions (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications (id),
  status TEXT NOT NULL CHECK (status IN ('applied', 'shortlisted', 'interviewed', 'offered', 'hired', 'rejected', 'withdrawn')),
  at TIMESTAMP NOT NULL,
  actor_user_id TEXT NOT NULL REFERENCES users (id)
);
CREATE INDEX application_transitions_application_idx ON application_transitions (application_id, at);
