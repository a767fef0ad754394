DROP TABLE event_seeker_additions;
DROP TABLE audit_pending;
