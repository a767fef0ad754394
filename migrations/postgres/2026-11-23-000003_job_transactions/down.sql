DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE idempotency_keys;
DROP TABLE follow_ups;
DROP TABLE placement_confirmations;
DROP TABLE placements;
