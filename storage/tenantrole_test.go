package storage_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// superuserOf opens a superuser connection to the database a store uses: what a tenant's raw
// SQL could once leave behind is planted through it.
func superuserOf(t *testing.T, st *storage.Store) *sql.DB {
	t.Helper()
	name := ""
	for _, f := range strings.Fields(st.DSN()) {
		if v, ok := strings.CutPrefix(f, "dbname="); ok {
			name = v
		}
	}
	admin, err := sql.Open("postgres", pgtest.Cluster().DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	return admin
}

type tenantFixture struct {
	st    *storage.Store
	admin *sql.DB
	db    *gqlbase.Database
	tbl   *gqlbase.Table
	role  string
	table string // schema-qualified, quoted
}

func newTenantFixture(t *testing.T, opts storage.Options) *tenantFixture {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := storage.Open(context.Background(), pgtest.NewDatabase(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, tbl := pgtest.NewTable(t, st, &gqlbase.Table{Name: "t", Columns: []*gqlbase.Column{
		{Name: "note", Type: gqlbase.TypeText, Nullable: true},
		{Name: "n", Type: gqlbase.TypeInteger, Nullable: true},
	}})
	f := &tenantFixture{st: st, admin: superuserOf(t, st), db: db, tbl: tbl,
		table: `"db_` + strconv.FormatInt(db.ID, 10) + `"."t"`}
	if err := f.admin.QueryRow(`SELECT role_name FROM database_roles WHERE database_id = $1`, db.ID).Scan(&f.role); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *tenantFixture) plant(t *testing.T, ddl string) {
	t.Helper()
	if _, err := f.admin.Exec(strings.ReplaceAll(ddl, "{t}", f.table)); err != nil {
		t.Fatalf("%s: %v", ddl, err)
	}
}

// Finding: tenant SQL ran as the Postgres superuser. A DEFAULT or CHECK a tenant defined on
// its table (columns reconcile leaves out of the metadata) was evaluated by every API insert
// on gqlbase's own connection: it could reset another tenant's sequence or the outbox's.
func TestTenantSQLRunsAsSuperuser(t *testing.T) {
	f := newTenantFixture(t, storage.Options{})
	ctx := context.Background()

	var super bool
	if err := f.st.DB().QueryRowContext(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	if super {
		t.Fatal("the pool connects as a superuser")
	}

	// What the tenant defined runs as the tenant's role.
	f.plant(t, `ALTER TABLE {t} ADD COLUMN who text DEFAULT current_user`)
	f.plant(t, `ALTER TABLE {t} ADD CONSTRAINT only_tenant CHECK (current_user <> '`+"gqlbase"+`')`)
	tbl, err := f.st.GetTable(ctx, f.tbl.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.st.InsertRows(ctx, tbl, []map[string]any{{"note": "a"}}, "test")
	if err != nil {
		t.Fatalf("insert with a tenant's CHECK: %v", err)
	}
	var who string
	if err := f.admin.QueryRow(`SELECT who FROM `+f.table+` WHERE id = $1`, rows[0].ID).Scan(&who); err != nil {
		t.Fatal(err)
	}
	if who != f.role {
		t.Errorf("the DEFAULT ran as %q, want the database's role %q", who, f.role)
	}
	if _, err := f.st.UpdateRows(ctx, tbl, []gqlbase.RowPatch{{ID: rows[0].ID, Values: map[string]any{"note": "b"}}}, "test"); err != nil {
		t.Errorf("update with a tenant's CHECK: %v", err)
	}
	if _, err := f.st.DeleteRows(ctx, tbl, []int64{rows[0].ID}, nil, "test"); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, err := f.st.RestoreRow(ctx, tbl, rows[0].ID, "test"); err != nil {
		t.Errorf("restore: %v", err)
	}
	// A type change rewrites the table and checks its constraints again: as the tenant too.
	if _, err := f.st.ChangeColumnType(ctx, tbl.Column("n").ID, storage.TypeChange{Type: gqlbase.TypeNumber}, "test"); err != nil {
		t.Errorf("type change with a tenant's CHECK: %v", err)
	}
	f.plant(t, `ALTER TABLE {t} DROP CONSTRAINT only_tenant`)

	// A DEFAULT that resets the outbox's sequence is refused by Postgres and changes nothing.
	// (Adding the column evaluates the DEFAULT for the rows there, as the superuser; the
	// sequence is read after that.)
	f.plant(t, `ALTER TABLE {t} ADD COLUMN h bigint DEFAULT setval('public.events_id_seq', 9223372036854775000)`)
	f.plant(t, `SELECT setval('public.events_id_seq', 1000)`)
	var before int64
	if err := f.admin.QueryRow(`SELECT last_value FROM events_id_seq`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.InsertRows(ctx, tbl, []map[string]any{{"note": "x"}}, "test"); err == nil {
		t.Error("an insert ran a DEFAULT that moves the outbox's sequence")
	}
	var after int64
	if err := f.admin.QueryRow(`SELECT last_value FROM events_id_seq`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("events_id_seq moved from %d to %d", before, after)
	}
}

// Reads of a tenant's rows run as its role too, and cost no extra round trip while one
// connection keeps serving the same database.
func TestTenantReadsRunAsTheDatabaseRole(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	f := newTenantFixture(t, storage.Options{MaxOpenConns: 1, OnStatement: func(_ context.Context, q string) {
		mu.Lock()
		seen = append(seen, q)
		mu.Unlock()
	}})
	ctx := context.Background()
	if _, err := f.st.InsertRows(ctx, f.tbl, []map[string]any{{"note": "a"}}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DB().ExecContext(ctx, `SELECT 1`); err != nil { // gqlbase's own statement
		t.Fatal(err)
	}
	mu.Lock()
	seen = nil
	mu.Unlock()
	for range 3 {
		if _, err := f.st.ListRows(ctx, f.tbl, storage.RowQuery{Limit: 10}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	switches := 0
	for _, q := range seen {
		if strings.HasPrefix(q, "SET ROLE") {
			switches++
			if q != `SET ROLE "`+f.role+`"` {
				t.Errorf("switched to %s, want the database's role %s", q, f.role)
			}
		}
		if strings.HasPrefix(q, "RESET ROLE") {
			t.Errorf("a row read ran as gqlbase's own role: %v", seen)
		}
	}
	if switches != 1 {
		t.Errorf("%d role switches for three reads on one connection, want 1: %v", switches, seen)
	}
}

// Finding: the aggregate alias was written into the SQL as a literal, which a connection with
// standard_conforming_strings off reads differently: an alias could run SQL. Every connection
// has the setting on, whatever the DSN says, and aliases are parameters.
func TestAggregateAliasRunsNoSQL(t *testing.T) {
	dsn := pgtest.NewDatabase(t) + " standard_conforming_strings=off"
	st, err := storage.Open(context.Background(), dsn, storage.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var setting string
	if err := st.DB().QueryRowContext(ctx, `SHOW standard_conforming_strings`).Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != "on" {
		t.Errorf("standard_conforming_strings is %s on the store's connection", setting)
	}
	_, tbl := pgtest.NewTable(t, st, &gqlbase.Table{Name: "t", Columns: []*gqlbase.Column{{Name: "n", Type: gqlbase.TypeInteger, Nullable: true}}})
	alias := `a\', (SELECT 1/0)::text, \'b`
	groups, err := st.Aggregate(ctx, tbl, storage.RowQuery{}, nil, []gqlbase.Aggregate{{Fn: gqlbase.AggregateFnCount, Alias: alias}})
	if err != nil {
		t.Fatalf("aggregate with alias %q: %v", alias, err)
	}
	var vals map[string]any
	if len(groups) != 1 {
		t.Fatalf("%d groups", len(groups))
	}
	if err := json.Unmarshal(groups[0].Values, &vals); err != nil {
		t.Fatal(err)
	}
	if _, ok := vals[alias]; !ok || len(vals) != 1 {
		t.Errorf("aggregate values %v, want one keyed by the alias %q", vals, alias)
	}
}

// Finding: API statements had no statement_timeout. Every connection of the pool has one
// (30 s unless set), so no request can keep a connection busy for long.
func TestAPIStatementsHaveATimeout(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := storage.Open(context.Background(), pgtest.NewDatabase(t), storage.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var setting string
	if err := st.DB().QueryRow(`SHOW statement_timeout`).Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != "30s" {
		t.Errorf("statement_timeout is %q by default, want 30s", setting)
	}
	short, err := storage.Open(context.Background(), pgtest.NewDatabase(t), storage.Options{Logger: quiet, StatementTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer short.Close()
	_, err = short.DB().Exec(`SELECT pg_sleep(5)`)
	if pqe := (*pq.Error)(nil); !errors.As(err, &pqe) || pqe.Code != "57014" {
		t.Errorf("a statement past the timeout: %v, want query_canceled (57014)", err)
	}
}
