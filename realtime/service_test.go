package realtime_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/outbox"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTable creates a database and a table with an integer column seq.
func newTable(t *testing.T, st *storage.Store) *gqlbase.Table {
	t.Helper()
	_, tbl := pgtest.NewTable(t, st, &gqlbase.Table{Name: "items", Columns: []*gqlbase.Column{
		{Name: "seq", Type: gqlbase.TypeInteger, Nullable: false, Unique: true},
	}})
	return tbl
}

// startService runs a realtime service until the test ends and waits for its LISTEN.
func startService(t *testing.T, st *storage.Store) *realtime.Service {
	t.Helper()
	svc := realtime.NewService(st, realtime.Options{Logger: quietLogger(),
		Listener: outbox.ListenerOptions{PollEvery: 500 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("realtime service: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !svc.Listening() {
		if time.Now().After(deadline) {
			t.Fatal("listener did not connect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return svc
}

// TestEveryCommittedEventOnceAcrossPostgresRestart restarts Postgres in the middle of 1,000
// acknowledged writes: a subscriber that stays connected receives every committed event
// exactly once.
func TestEveryCommittedEventOnceAcrossPostgresRestart(t *testing.T) {
	st := pgtest.NewStore(t)
	tbl := newTable(t, st)
	svc := startService(t, st)
	sub := svc.Hub.SubscribeTable(tbl.ID, 5000, nil)
	defer sub.Close()

	ctx := context.Background()
	const writes = 1000
	restartAt := 300
	for seq := 0; seq < writes; seq++ {
		if seq == restartAt {
			if err := pgtest.Cluster().Restart(ctx); err != nil {
				t.Fatalf("restart postgres: %v", err)
			}
		}
		row := map[string]any{"seq": int64(seq)}
		for attempt := 0; ; attempt++ {
			_, err := st.InsertRows(ctx, tbl, []map[string]any{row}, "test")
			if err == nil {
				break
			}
			// A write interrupted by the restart may or may not have committed: a unique
			// violation on seq means it did.
			if gqlbase.ErrorCode(err) == gqlbase.CodeConflict {
				break
			}
			if attempt > 200 {
				t.Fatalf("write %d keeps failing: %v", seq, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	counts := map[int64]int{}
	deadline := time.After(30 * time.Second)
	for len(counts) < writes {
		select {
		case c, ok := <-sub.Changes():
			if !ok {
				t.Fatalf("subscription ended: %v", sub.Err())
			}
			var row struct {
				Seq int64 `json:"seq"`
			}
			if err := json.Unmarshal(c.Event.After, &row); err != nil {
				t.Fatal(err)
			}
			counts[row.Seq]++
		case <-deadline:
			t.Fatalf("received events for %d of %d rows", len(counts), writes)
		}
	}
	// Anything still queued must not repeat a row.
	time.Sleep(time.Second)
	for {
		select {
		case c := <-sub.Changes():
			var row struct {
				Seq int64 `json:"seq"`
			}
			_ = json.Unmarshal(c.Event.After, &row)
			counts[row.Seq]++
			continue
		default:
		}
		break
	}
	if svc.Reconnects() == 0 {
		t.Fatal("the listener never saw its connection drop: the restart did not happen")
	}
	for seq := int64(0); seq < writes; seq++ {
		if counts[seq] != 1 {
			t.Errorf("row %d delivered %d times", seq, counts[seq])
		}
	}
}

// TestTwoProcessesShareEvents runs two services on one database (as two server processes
// would): a change written through one reaches the other's subscribers.
func TestTwoProcessesShareEvents(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	open := func() *storage.Store {
		st, err := storage.Open(context.Background(), dsn, storage.Options{Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a, b := open(), open()
	tbl := newTable(t, a)
	svcA := startService(t, a)
	startService(t, b)
	sub := svcA.Hub.SubscribeTable(tbl.ID, 10, nil)
	defer sub.Close()
	if _, err := b.InsertRows(context.Background(), tbl, []map[string]any{{"seq": int64(7)}}, "b"); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-sub.Changes():
		if c.Kind != gqlbase.EventRowCreated || c.Actor != "b" {
			t.Fatalf("got %s by %s", c.Kind, c.Actor)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the change written through B never reached A's subscriber")
	}
}
