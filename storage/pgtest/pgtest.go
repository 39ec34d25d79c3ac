// Package pgtest gives each test binary one throwaway PostgreSQL cluster, started through the
// same launcher as production, and each test a fresh database cloned from a migrated template.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq" // the driver the tests talk through

	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgcluster"
)

const templateDB = "gqlbase_template"

var (
	cluster *pgcluster.Cluster
	admin   *sql.DB
	counter atomic.Int64
	mu      sync.Mutex
)

// Main starts the cluster, runs the tests and removes the cluster.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gqlbase-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The server may run as another user (when tests run as root): let it enter the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cluster, err = pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, Fast: true, Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: start PostgreSQL:", err)
		return 1
	}
	defer cluster.Stop()
	admin, err = sql.Open("postgres", cluster.DSN("postgres"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + templateDB); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: create template:", err)
		return 1
	}
	// Tests connect as production does: as gqlbase's own role, never the superuser.
	if err := cluster.EnsureAppRole(ctx, templateDB); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: app role:", err)
		return 1
	}
	st, err := storage.Open(ctx, cluster.AppDSN(templateDB), storage.Options{Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: migrate template:", err)
		return 1
	}
	st.Close()
	return m.Run()
}

// Cluster returns the running cluster (for tests that restart it).
func Cluster() *pgcluster.Cluster { return cluster }

// NewDatabase creates an empty, migrated database for one test and returns its DSN, which
// connects as gqlbase's own (non-superuser) role. The database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if cluster == nil {
		t.Fatal("pgtest: no cluster: call pgtest.Main from TestMain")
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), counter.Add(1))
	// CREATE DATABASE ... TEMPLATE needs the template to have no other sessions: serialise.
	mu.Lock()
	_, err := admin.Exec(`CREATE DATABASE ` + name + ` OWNER ` + pgcluster.AppRole + ` TEMPLATE ` + templateDB)
	mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return cluster.AppDSN(name)
}

// NewStore opens a store on a fresh database.
func NewStore(t testing.TB) *storage.Store {
	t.Helper()
	st, err := storage.Open(context.Background(), NewDatabase(t), storage.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
