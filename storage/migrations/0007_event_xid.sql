-- Every outbox event records the transaction that wrote it, so a listener can tell an event
-- of a transaction still in progress (it will show up when it commits, however late) from an
-- id nobody will ever commit (a rolled-back transaction), by Postgres's snapshots instead of
-- a timeout. The default runs as whoever inserts: pg_current_xact_id() is open to every role,
-- so the databases' roles, which add events with their row writes, need no new grant.
--
-- Events written before this migration get transaction id 1 (the bootstrap transaction),
-- which every snapshot counts as finished long ago: they are history, never news. A constant
-- default adds the column without rewriting the table; the real default follows.
ALTER TABLE events ADD COLUMN xid xid8 NOT NULL DEFAULT '1';
ALTER TABLE events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();

-- The listener reads the events of the transactions that finished since its last snapshot:
-- those with a transaction id at or past that snapshot's xmax, or among its in-progress ones.
CREATE INDEX events_xid ON events (xid, id);
