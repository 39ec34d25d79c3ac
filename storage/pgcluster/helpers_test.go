package pgcluster

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"testing"

	_ "github.com/lib/pq" // the driver the tests talk through
)

// startCluster starts a fast cluster in a fresh folder, with extra settings, and stops it when
// the test ends.
func startCluster(t *testing.T, logger *slog.Logger, settings map[string]string) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "gqlbase-pgcluster-test-*")
	if err != nil {
		t.Fatal(err)
	}
	// The server runs as another user when the tests run as root: it must enter the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c, err := Start(context.Background(), Options{DataDir: dir, Fast: true, Settings: settings, Logger: logger})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
		os.RemoveAll(dir)
	})
	return c
}

// openDB opens a pool on the cluster's postgres database, closed when the test ends.
func openDB(t *testing.T, c *Cluster) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
