package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/outbox"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// oldGapTimeout is how long listeners used to wait for a missing event id before skipping it,
// which lost the events of any transaction that took longer to commit.
const oldGapTimeout = 30 * time.Second

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// collector is a listener's handler that keeps what it was handed.
type collector struct {
	mu      sync.Mutex
	events  []*gqlbase.Event
	batches int
}

func (c *collector) handle(batch []*gqlbase.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, batch...)
	c.batches++
}

func tagOf(t *testing.T, e *gqlbase.Event) string {
	t.Helper()
	var v struct{ Tag string }
	if err := json.Unmarshal(e.After, &v); err != nil {
		t.Fatalf("event %d: %v", e.ID, err)
	}
	return v.Tag
}

// delivered is the tags handed on so far, in order, with their event ids.
func (c *collector) delivered(t *testing.T) (tags []string, ids map[string]int64) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	ids = map[string]int64{}
	for _, e := range c.events {
		tag := tagOf(t, e)
		tags = append(tags, tag)
		ids[tag] = e.ID
	}
	return tags, ids
}

// waitFor waits until every tag was delivered.
func (c *collector) waitFor(t *testing.T, tags ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, ids := c.delivered(t)
		missing := ""
		for _, tag := range tags {
			if _, ok := ids[tag]; !ok {
				missing = tag
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s was never delivered", missing)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkOnce fails unless exactly the tags of want were delivered, each once.
func (c *collector) checkOnce(t *testing.T, want []string) {
	t.Helper()
	tags, _ := c.delivered(t)
	counts := map[string]int{}
	for _, tag := range tags {
		counts[tag]++
	}
	for _, tag := range want {
		if counts[tag] != 1 {
			t.Errorf("event %s delivered %d times, want once", tag, counts[tag])
		}
		delete(counts, tag)
	}
	for tag, n := range counts {
		t.Errorf("event %s delivered %d times, want never", tag, n)
	}
}

// startListener runs a listener until the test ends and waits for its LISTEN connection.
func startListener(t *testing.T, st *storage.Store, c *collector, pollEvery time.Duration) *outbox.Listener {
	t.Helper()
	l := outbox.NewListener(st.DB(), st.DSN(), c.handle, outbox.ListenerOptions{PollEvery: pollEvery, Logger: quietLogger()})
	run(t, l)
	return l
}

// run runs l until the returned function is called or the test ends, after its connection is up.
func run(t *testing.T, l *outbox.Listener) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("listener: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(10 * time.Second)
	for !l.Connected() {
		if time.Now().After(deadline) {
			t.Fatal("listener did not connect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return stop
}

// insert writes one event per tag, in that order, and notifies as writers do.
func insert(t *testing.T, q sqlx.Execer, tags ...string) {
	t.Helper()
	_, err := q.Exec(`WITH e AS (
		INSERT INTO events (workspace_id, kind, payload)
		SELECT 1, 'row.created', jsonb_build_object('before', null, 'after', jsonb_build_object('tag', u.tag))
		FROM unnest($1::text[]) WITH ORDINALITY AS u(tag, n) ORDER BY u.n
		RETURNING id) `+fmt.Sprintf(outbox.NotifySQL, "e"), pq.Array(tags))
	if err != nil {
		t.Fatalf("write events %v: %v", tags, err)
	}
}

// begin opens a transaction and returns it with its transaction id.
func begin(t *testing.T, st *storage.Store) (*sqlx.Tx, string) {
	t.Helper()
	tx, err := st.DB().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	var xid string
	if err := tx.Get(&xid, `SELECT pg_current_xact_id()::text`); err != nil {
		t.Fatal(err)
	}
	return tx, xid
}

// passed reports whether the listener's position counts the transaction as finished.
func passed(t *testing.T, st *storage.Store, l *outbox.Listener, xid string) bool {
	t.Helper()
	var ok bool
	if err := st.DB().Get(&ok, `SELECT pg_visible_in_snapshot($1::xid8, $2::pg_snapshot)`, xid, l.Position()); err != nil {
		t.Fatal(err)
	}
	return ok
}

// waitReads waits until the listener finished n more reads than it had.
func waitReads(t *testing.T, l *outbox.Listener, n int64) {
	t.Helper()
	want := l.Reads() + n
	deadline := time.Now().Add(30 * time.Second)
	for l.Reads() < want {
		if time.Now().After(deadline) {
			t.Fatalf("listener finished %d reads, want %d", l.Reads(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitReconnects waits until the listener re-established its connection n times.
func waitReconnects(t *testing.T, l *outbox.Listener, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for l.Reconnects() < n {
		if time.Now().After(deadline) {
			t.Fatalf("listener reconnected %d times, want %d", l.Reconnects(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A transaction that keeps its events uncommitted for longer than listeners used to wait,
// while later transactions commit: every event arrives once, the slow ones when they commit.
func TestSlowTransactionIsDeliveredOnceWhenItCommits(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	c := &collector{}
	l := startListener(t, st, c, 50*time.Millisecond)

	slow, slowXID := begin(t, st)
	insert(t, slow, "slow-1", "slow-2") // the lowest ids, taken first
	var want []string
	hold := time.Now().Add(oldGapTimeout + 2*time.Second)
	for i := 0; i < 10 || time.Now().Before(hold); i++ {
		tag := fmt.Sprintf("fast-%d", i)
		insert(t, st.DB(), tag)
		c.waitFor(t, tag)
		want = append(want, tag)
		time.Sleep(200 * time.Millisecond)
	}
	waitReads(t, l, 2)
	if passed(t, st, l, slowXID) {
		t.Fatal("the listener counts a transaction still in progress as finished")
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "slow-1", "slow-2")
	insert(t, st.DB(), "after")
	c.waitFor(t, "after")
	want = append(want, "slow-1", "slow-2", "after")
	c.checkOnce(t, want)

	tags, ids := c.delivered(t)
	if ids["slow-1"] >= ids["fast-0"] || ids["slow-1"] >= ids["slow-2"] {
		t.Fatalf("ids: slow-1 %d, slow-2 %d, fast-0 %d: the slow transaction was meant to take the first ones",
			ids["slow-1"], ids["slow-2"], ids["fast-0"])
	}
	pos := map[string]int{}
	for i, tag := range tags {
		pos[tag] = i
	}
	if pos["slow-1"] > pos["slow-2"] {
		t.Errorf("the slow transaction's events came out of id order: %v", tags)
	}
	if pos["slow-1"] < pos[want[len(want)-4]] || pos["slow-2"] > pos["after"] {
		t.Errorf("the slow transaction's events came before it committed or after a later one: %v", tags)
	}
}

// A rolled-back transaction's ids never show up: the listener passes them at once (no
// timer), while it keeps waiting for a transaction still in progress.
func TestRolledBackTransactionIsPassedAtOnce(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	c := &collector{}
	l := startListener(t, st, c, time.Hour) // reads on notifications only

	open, openXID := begin(t, st)
	insert(t, open, "open")
	rolledBack, rolledBackXID := begin(t, st)
	insert(t, rolledBack, "rolled-back")
	if err := rolledBack.Rollback(); err != nil {
		t.Fatal(err)
	}
	insert(t, st.DB(), "later")
	c.waitFor(t, "later")
	// Reads run one after the other: once a later one delivers, the read that delivered
	// "later", whose snapshot was taken after the rollback, has finished.
	insert(t, st.DB(), "later-2")
	c.waitFor(t, "later-2")
	if !passed(t, st, l, rolledBackXID) {
		t.Error("the listener still waits for a rolled-back transaction")
	}
	if passed(t, st, l, openXID) {
		t.Error("the listener gave up on a transaction still in progress")
	}
	if err := open.Commit(); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "open")
	insert(t, st.DB(), "last")
	c.waitFor(t, "last")
	c.checkOnce(t, []string{"later", "later-2", "open", "last"})
}

// Events committed while the LISTEN connection is down, and while the listener is stopped
// and run again, are caught up, each once.
func TestCatchUpAfterReconnectAndRunAgainIsExactlyOnce(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	c := &collector{}
	l := outbox.NewListener(st.DB(), st.DSN(), c.handle, outbox.ListenerOptions{PollEvery: time.Hour, Logger: quietLogger()})
	stop := run(t, l)

	var want []string
	for i := 0; i < 60; i++ {
		if i%20 == 10 {
			// The events right after go out while the connection is down.
			waitReconnects(t, l, int64(i/20))
			var n int
			if err := st.DB().Get(&n, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND query ILIKE 'LISTEN%'`); err != nil || n != 1 {
				t.Fatalf("terminated %d LISTEN connections (%v), want 1", n, err)
			}
		}
		tag := fmt.Sprintf("live-%d", i)
		insert(t, st.DB(), tag)
		want = append(want, tag)
	}
	c.waitFor(t, want...)
	waitReconnects(t, l, 3)
	stop()
	for i := 0; i < 20; i++ {
		tag := fmt.Sprintf("stopped-%d", i)
		insert(t, st.DB(), tag)
		want = append(want, tag)
	}
	run(t, l)
	c.waitFor(t, want...)
	insert(t, st.DB(), "marker") // read after everything before it
	c.waitFor(t, "marker")
	c.checkOnce(t, append(want, "marker"))
}

// A transaction with more events than one read loads comes in id order, over several
// batches, once; events written before the outbox recorded transactions (xid 1) and before
// the listener started are not news.
func TestLargeTransactionIsReadInPages(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	if _, err := st.DB().Exec(`INSERT INTO events (workspace_id, kind, payload, xid)
		SELECT 1, 'row.created', jsonb_build_object('before', null, 'after', jsonb_build_object('tag', 'old-' || n)), '1'
		FROM generate_series(1, 10) n`); err != nil {
		t.Fatal(err)
	}
	insert(t, st.DB(), "before-start")
	c := &collector{}
	startListener(t, st, c, time.Hour)
	n := 2*outbox.PageSize + 5
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("big-%d", i)
	}
	insert(t, st.DB(), tags...)
	c.waitFor(t, tags...)
	insert(t, st.DB(), "marker")
	c.waitFor(t, "marker")
	c.checkOnce(t, append(tags, "marker"))
	got, _ := c.delivered(t)
	for i, tag := range tags {
		if got[i] != tag {
			t.Fatalf("event %d delivered is %s, want %s", i, got[i], tag)
		}
	}
	c.mu.Lock()
	batches := c.batches
	c.mu.Unlock()
	if batches < 3 {
		t.Errorf("%d events came in %d batches, want at least 3 of at most %d", n, batches, outbox.PageSize)
	}
}

// Writers commit, roll back and hold transactions open in every interleaving: each committed
// event arrives once, no rolled-back one ever, and each transaction's events in the order
// they were written.
func TestConcurrentTransactionsEachEventOnceInOrder(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	c := &collector{}
	startListener(t, st, c, 20*time.Millisecond)

	const workers, txns = 6, 20
	var mu sync.Mutex
	var committed, rolledBack []string
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < txns; n++ {
				tx, err := st.DB().Beginx()
				if err != nil {
					t.Error(err)
					return
				}
				var tags []string
				for k := 0; k <= (w+n)%3; k++ {
					tag := fmt.Sprintf("w%d-t%d-e%d", w, n, k)
					if _, err := tx.Exec(`INSERT INTO events (workspace_id, kind, payload)
						VALUES (1, 'row.created', jsonb_build_object('before', null, 'after', jsonb_build_object('tag', $1::text)))`, tag); err != nil {
						t.Error(err)
						_ = tx.Rollback()
						return
					}
					tags = append(tags, tag)
					time.Sleep(time.Duration((w*7+n*3+k)%5) * time.Millisecond) // interleave ids with other writers
				}
				if (w+n)%4 == 3 {
					_ = tx.Rollback()
					mu.Lock()
					rolledBack = append(rolledBack, tags...)
					mu.Unlock()
					continue
				}
				if (w*n)%5 == 1 {
					time.Sleep(150 * time.Millisecond) // holds its ids open over several reads
				}
				if _, err := tx.Exec(`SELECT pg_notify($1, 'wake')`, outbox.Channel); err != nil {
					t.Error(err)
				}
				if err := tx.Commit(); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				committed = append(committed, tags...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	c.waitFor(t, committed...)
	insert(t, st.DB(), "marker")
	c.waitFor(t, "marker")
	c.checkOnce(t, append(committed, "marker"))

	tags, ids := c.delivered(t)
	pos := map[string]int{}
	for i, tag := range tags {
		pos[tag] = i
	}
	for _, tag := range committed {
		var w, n, k int
		if _, err := fmt.Sscanf(tag, "w%d-t%d-e%d", &w, &n, &k); err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			continue
		}
		prev := fmt.Sprintf("w%d-t%d-e%d", w, n, k-1)
		if pos[prev] > pos[tag] || ids[prev] > ids[tag] {
			t.Errorf("%s (id %d) was delivered before %s (id %d) of the same transaction", tag, ids[tag], prev, ids[prev])
		}
	}
	if len(rolledBack) == 0 {
		t.Fatal("no transaction rolled back: the test checks less than it should")
	}
}

// TestRunAfterAnUnfinishedReadCatchesUp: a Run that ended in the middle of a read leaves a
// window with an old snapshot; the next Run finishes it and then reads on to the present, so
// events committed in between (whose notifications nobody heard) are delivered without
// waiting for the poll.
func TestRunAfterAnUnfinishedReadCatchesUp(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	c := &collector{}
	l := outbox.NewListener(st.DB(), st.DSN(), c.handle, outbox.ListenerOptions{PollEvery: time.Hour, Logger: quietLogger()})
	stop := run(t, l)
	insert(t, st.DB(), "before")
	c.waitFor(t, "before")
	stop()
	insert(t, st.DB(), "in-window")
	if err := l.LeaveWindowOpen(context.Background()); err != nil {
		t.Fatal(err)
	}
	insert(t, st.DB(), "after-window")
	run(t, l)
	c.waitFor(t, "in-window", "after-window")
	c.checkOnce(t, []string{"before", "in-window", "after-window"})
}
