-- Whether an organization is privately or publicly owned (a government body, or a BUMN/BUMD
-- state- or region-owned enterprise). For employers it sets the quota of employees with a
-- disability (Law 8/2016 art. 53: 1% private, 2% public). Every organization has one; existing
-- rows become 'private', the law's general case, until their owners say otherwise.
ALTER TABLE organizations ADD COLUMN ownership TEXT NOT NULL DEFAULT 'private'
  CHECK (ownership IN ('private', 'public'));
