package storage_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// migrateBefore applies the migrations numbered below version to an empty database, as an
// earlier gqlbase did, bookkeeping included.
func migrateBefore(t *testing.T, db *sql.DB, version int) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, name := range migrationFiles(t) {
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v >= version {
			continue
		}
		body, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, v, name); err != nil {
			t.Fatal(err)
		}
	}
}

// A store bootstrapped before the bootstrap was recorded gets its record from the migration:
// the first workspace ever made, even when it was deleted since, and the hashes of the admin
// tokens the environment gave it. Pending invitations without a secret go.
func TestMigrationRecordsAnEarlierBootstrap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	envSecret := gqlbase.HashSecret("an admin token given by environment, long enough")
	for _, ownerDeleted := range []bool{false, true} {
		dsn := emptyDatabase(t)
		db, err := sql.Open("postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		migrateBefore(t, db, 6)
		for _, q := range []string{
			`INSERT INTO workspaces (name) VALUES ('Owner'), ('customer')`,
			`INSERT INTO api_tokens (workspace_id, name, token_prefix, token_hash, scopes)
				VALUES (1, 'bootstrap (GQLBASE_ADMIN_TOKEN)', 'p', $1, '{admin}'), (2, 'bootstrap (GQLBASE_ADMIN_TOKEN)', 'q', $2, '{admin}')`,
			`INSERT INTO memberships (workspace_id, email, role, status) VALUES (2, 'squatted@example.com', 'admin', 'PENDING')`,
		} {
			var args []any
			if strings.Contains(q, "$1") {
				args = []any{envSecret, []byte{0}}
			}
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if ownerDeleted {
			if _, err := db.Exec(`DELETE FROM workspaces WHERE id = 1`); err != nil {
				t.Fatal(err)
			}
		}
		st, err := storage.Open(ctx, dsn, storage.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rec, err := st.BootstrapRecord(ctx)
		if err != nil || rec == nil || rec.WorkspaceID != 1 {
			t.Errorf("owner deleted %v: bootstrap record %+v (%v), want workspace 1", ownerDeleted, rec, err)
		}
		_, known, err := st.EnvTokenRegistered(ctx, envSecret)
		if err != nil || known == ownerDeleted {
			t.Errorf("owner deleted %v: the owner's environment token is known: %v (%v)", ownerDeleted, known, err)
		}
		if _, known, _ := st.EnvTokenRegistered(ctx, []byte{0}); known {
			t.Errorf("owner deleted %v: a token of that name in another workspace was taken for the environment's", ownerDeleted)
		}
		var pending int
		if err := st.DB().Get(&pending, `SELECT count(*) FROM memberships WHERE status = 'PENDING'`); err != nil || pending != 0 {
			t.Errorf("%d pending invitations without a secret survived (%v)", pending, err)
		}
	}
}
