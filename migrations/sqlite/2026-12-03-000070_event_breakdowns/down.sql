DROP TABLE event_retention;
DROP TABLE event_breakdown_cells;
