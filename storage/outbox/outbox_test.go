package outbox_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/storage/outbox"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestPurgeEventsKeepsRecentOnes(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.DB().Exec(`INSERT INTO events (workspace_id, kind, created_at) VALUES
		(1, 'row.created', now() - interval '10 days'), (1, 'row.created', now() - interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	n, err := outbox.Purge(ctx, st.DB(), 7*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want 1", n, err)
	}
	var left int
	if err := st.DB().Get(&left, `SELECT count(*) FROM events`); err != nil || left != 1 {
		t.Fatalf("%d events left (%v), want 1", left, err)
	}
}

// An event records the transaction that wrote it, without its writer saying so.
func TestEventsRecordTheirTransaction(t *testing.T) {
	st := pgtest.NewStore(t)
	tx, err := st.DB().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after commit, a no-op
	var own, recorded string
	if err := tx.Get(&own, `SELECT pg_current_xact_id()::text`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Get(&recorded, `INSERT INTO events (workspace_id, kind) VALUES (1, 'row.created') RETURNING xid::text`); err != nil {
		t.Fatal(err)
	}
	if recorded != own {
		t.Errorf("event recorded transaction %s, written by %s", recorded, own)
	}
}

func TestEventsAfterReadsInIDOrder(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.DB().Exec(`INSERT INTO events (workspace_id, table_id, kind, payload) VALUES
		(1, 7, 'row.created', '{"before": null, "after": {"n": 1}}'),
		(1, 8, 'row.created', '{"before": null, "after": {"n": 2}}'),
		(1, 7, 'row.updated', '{"before": {"n": 1}, "after": {"n": 3}}')`); err != nil {
		t.Fatal(err)
	}
	last, err := outbox.LastEventID(ctx, st.DB())
	if err != nil {
		t.Fatal(err)
	}
	all, err := outbox.EventsAfter(ctx, st.DB(), last-3, 10)
	if err != nil || len(all) != 3 {
		t.Fatalf("read %d events (%v), want 3", len(all), err)
	}
	for i, e := range all {
		if e.ID != last-2+int64(i) {
			t.Errorf("event %d has id %d, want %d", i, e.ID, last-2+int64(i))
		}
	}
	if all[0].Before != nil || string(all[0].After) != `{"n": 1}` {
		t.Errorf("first event reads back as before %s, after %s", all[0].Before, all[0].After)
	}
	table7, err := outbox.TableEventsAfter(ctx, st.DB(), 7, last-3, 10)
	if err != nil || len(table7) != 2 || table7[1].Kind != "row.updated" {
		t.Fatalf("table 7 has events %v (%v), want its two", table7, err)
	}
}

// The migration that gave events their transaction id, on an outbox that already holds events:
// those count as finished long ago, and a listener started afterwards hands on only new ones.
func TestEventsFromBeforeTransactionIDsAreHistory(t *testing.T) {
	st := pgtest.NewStore(t)
	db := st.DB()
	migration, err := os.ReadFile("../migrations/0007_event_xid.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP INDEX events_xid; ALTER TABLE events DROP COLUMN xid`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO events (workspace_id, kind, payload)
		SELECT 1, 'row.created', jsonb_build_object('before', null, 'after', jsonb_build_object('tag', 'old-' || n))
		FROM generate_series(1, 5) n`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(migration)); err != nil {
		t.Fatalf("migration 0007 on existing events: %v", err)
	}
	var oldXIDs []string
	if err := db.Select(&oldXIDs, `SELECT DISTINCT xid::text FROM events`); err != nil {
		t.Fatal(err)
	}
	if len(oldXIDs) != 1 || oldXIDs[0] != "1" {
		t.Errorf("events from before the migration have transaction ids %v, want [1]", oldXIDs)
	}
	c := &collector{}
	startListener(t, st, c, 20*time.Millisecond)
	insert(t, db, "new")
	c.waitFor(t, "new")
	insert(t, db, "marker")
	c.waitFor(t, "marker")
	c.checkOnce(t, []string{"new", "marker"})
}
