package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestPurgeEventsKeepsRecentOnes(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.DB().Exec(`INSERT INTO events (workspace_id, kind, created_at) VALUES
		(1, 'row.created', now() - interval '10 days'), (1, 'row.created', now() - interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	n, err := st.PurgeEvents(ctx, 7*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want 1", n, err)
	}
	var left int
	if err := st.DB().Get(&left, `SELECT count(*) FROM events`); err != nil || left != 1 {
		t.Fatalf("%d events left (%v), want 1", left, err)
	}
}
