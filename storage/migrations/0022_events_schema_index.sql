-- tableEvents(after:) replays a database's schema events from the outbox: a partial index
-- on them, so the replay reads none of the database's row events.
CREATE INDEX events_schema ON events (database_id, id) WHERE kind NOT LIKE 'row.%';
