package storage_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// TestStoreSessionsRunInUTC: the store's sessions use the time zone and parameters gqlbase
// relies on, whatever the server's default (the DSN normalisation must reach the pool).
func TestStoreSessionsRunInUTC(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	first := pgtest.NewStore(t)
	// Make a fresh database default to another zone, then open a store on it.
	var dbName string
	for _, part := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(part, "dbname="); ok {
			dbName = v
		}
	}
	if _, err := first.DB().Exec(`ALTER DATABASE ` + dbName + ` SET timezone = 'Asia/Tokyo'`); err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(context.Background(), dsn, storage.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var tz string
	if err := st.DB().Get(&tz, `SHOW timezone`); err != nil {
		t.Fatal(err)
	}
	if tz != "UTC" {
		t.Fatalf("session time zone %q, want UTC", tz)
	}
	if !strings.Contains(st.DSN(), "binary_parameters=yes") {
		t.Fatalf("the store's DSN lacks binary_parameters: %s", st.DSN())
	}
}
