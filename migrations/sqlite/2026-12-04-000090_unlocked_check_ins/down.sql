DROP TABLE event_attendee_additions;
