-- Foundation: accounts, tokens, login throttle, provinces, organizations, events.
-- Ids are UUID text and times are UTC timestamps on both engines, so one diesel schema serves both.

CREATE TABLE provinces (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL
);

INSERT INTO provinces (code, name, timezone) VALUES
  ('11', 'Aceh', 'Asia/Jakarta'),
  ('12', 'Sumatera Utara', 'Asia/Jakarta'),
  ('13', 'Sumatera Barat', 'Asia/Jakarta'),
  ('14', 'Riau', 'Asia/Jakarta'),
  ('15', 'Jambi', 'Asia/Jakarta'),
  ('16', 'Sumatera Selatan', 'Asia/Jakarta'),
  ('17', 'Bengkulu', 'Asia/Jakarta'),
  ('18', 'Lampung', 'Asia/Jakarta'),
  ('19', 'Kepulauan Bangka Belitung', 'Asia/Jakarta'),
  ('21', 'Kepulauan Riau', 'Asia/Jakarta'),
  ('31', 'DKI Jakarta', 'Asia/Jakarta'),
  ('32', 'Jawa Barat', 'Asia/Jakarta'),
  ('33', 'Jawa Tengah', 'Asia/Jakarta'),
  ('34', 'DI Yogyakarta', 'Asia/Jakarta'),
  ('35', 'Jawa Timur', 'Asia/Jakarta'),
  ('36', 'Banten', 'Asia/Jakarta'),
  ('51', 'Bali', 'Asia/Makassar'),
  ('52', 'Nusa Tenggara Barat', 'Asia/Makassar'),
  ('53', 'Nusa Tenggara Timur', 'Asia/Makassar'),
  ('61', 'Kalimantan Barat', 'Asia/Pontianak'),
  ('62', 'Kalimantan Tengah', 'Asia/Pontianak'),
  ('63', 'Kalimantan Selatan', 'Asia/Makassar'),
  ('64', 'Kalimantan Timur', 'Asia/Makassar'),
  ('65', 'Kalimantan Utara', 'Asia/Makassar'),
  ('71', 'Sulawesi Utara', 'Asia/Makassar'),
  ('72', 'Sulawesi Tengah', 'Asia/Makassar'),
  ('73', 'Sulawesi Selatan', 'Asia/Makassar'),
  ('74', 'Sulawesi Tenggara', 'Asia/Makassar'),
  ('75', 'Gorontalo', 'Asia/Makassar'),
  ('76', 'Sulawesi Barat', 'Asia/Makassar'),
  ('81', 'Maluku', 'Asia/Jayapura'),
  ('82', 'Maluku Utara', 'Asia/Jayapura'),
  ('91', 'Papua', 'Asia/Jayapura'),
  ('92', 'Papua Barat', 'Asia/Jayapura'),
  ('93', 'Papua Selatan', 'Asia/Jayapura'),
  ('94', 'Papua Tengah', 'Asia/Jayapura'),
  ('95', 'Papua Pegunungan', 'Asia/Jayapura'),
  ('96', 'Papua Barat Daya', 'Asia/Jayapura');

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  full_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'ministry', 'organizer', 'employer', 'job_seeker')),
  disabled_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP,
  revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Failed logins per email, shared by every service instance on this database.
CREATE TABLE login_throttles (
  email TEXT PRIMARY KEY,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  window_started_at TIMESTAMP NOT NULL,
  locked_until TIMESTAMP
);

-- Secrets that the zero-configuration SQLite default generates on first run and keeps.
CREATE TABLE generated_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('organizer', 'employer')),
  province_code TEXT NOT NULL REFERENCES provinces (code),
  city TEXT NOT NULL,
  sector_code TEXT,
  registration_number TEXT,
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  UNIQUE (kind, registration_number)
);
CREATE INDEX organizations_kind_province_idx ON organizations (kind, province_code);

CREATE TABLE memberships (
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  created_at TIMESTAMP NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations (id),
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('onsite', 'online', 'hybrid')),
  venue TEXT,
  province_code TEXT NOT NULL REFERENCES provinces (code),
  city TEXT NOT NULL,
  starts_at TIMESTAMP NOT NULL,
  ends_at TIMESTAMP NOT NULL,
  capacity INTEGER NOT NULL CHECK (capacity > 0),
  budget_idr BIGINT NOT NULL CHECK (budget_idr >= 0),
  funding_source TEXT NOT NULL CHECK (funding_source IN ('apbn', 'dekonsentrasi', 'apbd', 'private', 'other')),
  target_placements INTEGER NOT NULL CHECK (target_placements >= 0),
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'closed', 'cancelled')),
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX events_starts_at_idx ON events (starts_at, id);
CREATE INDEX events_organization_idx ON events (organization_id, starts_at);
CREATE INDEX events_province_idx ON events (province_code, starts_at);
