package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

var emptyDBs atomic.Int64

// emptyDatabase creates a database with nothing in it (pgtest's are migrated already) and
// returns its DSN.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	admin, err := sql.Open("postgres", pgtest.Cluster().DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("empty_%d_%d", os.Getpid(), emptyDBs.Add(1))
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", pgtest.Cluster().DSN("postgres"))
		if err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	return pgtest.Cluster().DSN(name)
}

func migrationFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no migration files")
	}
	return names
}

// logCounter counts "applied migration" lines across stores.
type logCounter struct {
	mu      sync.Mutex
	applied map[string]int
}

func (c *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "applied migration" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "migration" {
				c.mu.Lock()
				c.applied[a.Value.String()]++
				c.mu.Unlock()
			}
			return true
		})
	}
	return nil
}
func (c *logCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *logCounter) WithGroup(string) slog.Handler      { return c }

func TestConcurrentOpenAppliesMigrationsOnce(t *testing.T) {
	t.Parallel()
	dsn := emptyDatabase(t)
	files := migrationFiles(t)
	counter := &logCounter{applied: map[string]int{}}
	logger := slog.New(counter)

	const n = 4
	var wg sync.WaitGroup
	stores := make([]*storage.Store, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			stores[i], errs[i] = storage.Open(ctx, dsn, storage.Options{Logger: logger})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		defer stores[i].Close()
	}

	var rows []struct {
		Version int    `db:"version"`
		Name    string `db:"name"`
	}
	if err := stores[0].DB().Select(&rows, `SELECT version, name FROM schema_migrations ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(files) {
		t.Fatalf("schema_migrations has %d rows, want one per migration file (%d): %v", len(rows), len(files), rows)
	}
	for i, r := range rows {
		if r.Name != files[i] {
			t.Errorf("migration %d recorded as %s, want %s", i, r.Name, files[i])
		}
		if !strings.HasPrefix(r.Name, fmt.Sprintf("%04d_", r.Version)) {
			t.Errorf("migration %s recorded with version %d", r.Name, r.Version)
		}
	}
	for _, f := range files {
		if got := counter.applied[f]; got != 1 {
			t.Errorf("%s applied %d times by %d stores starting together, want once", f, got, n)
		}
	}

	// Opening again applies nothing.
	again, err := storage.Open(context.Background(), dsn, storage.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for _, f := range files {
		if got := counter.applied[f]; got != 1 {
			t.Errorf("%s applied %d times after a reopen, want once", f, got)
		}
	}
}

func TestWithLockSerialises(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var stores []*storage.Store
	for range 3 {
		st, err := storage.Open(context.Background(), dsn, storage.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores = append(stores, st)
	}
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := stores[i%len(stores)].WithLock(context.Background(), "test", func() error {
				now := inside.Add(1)
				for {
					m := maxInside.Load()
					if now <= m || maxInside.CompareAndSwap(m, now) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				inside.Add(-1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if m := maxInside.Load(); m != 1 {
		t.Errorf("%d holders of one lock at once, want 1", m)
	}
	// The lock is free again afterwards, and an error from fn comes back.
	want := fmt.Errorf("boom")
	if err := stores[0].WithLock(context.Background(), "test", func() error { return want }); err != want {
		t.Errorf("WithLock returned %v, want fn's error", err)
	}
	var held int
	if err := stores[0].DB().Get(&held, `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("%d advisory locks still held", held)
	}
}
