package storage_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

func TestExecSQLCreatesAndReconcilesTables(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	res := pgtest.RunSQL(t, st, db, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email VARCHAR(200) UNIQUE,
		score REAL DEFAULT 1.5, born DATE, data JSONB, tags TEXT[], serial_no SERIAL);
		INSERT INTO users (id, name, email) VALUES (7, 'Ann', 'ann@example.com'), (9, 'Bob', NULL);
		SELECT id, name, score FROM users ORDER BY id`, false)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if got := strings.Join(res.AffectedTables, ","); got != "users" {
		t.Errorf("affected tables %q", got)
	}
	if res.NumChanges != 2 {
		t.Errorf("numChanges %d, want 2", res.NumChanges)
	}
	if len(res.Rows) != 2 || string(res.Rows[0]) != `{"id":7,"name":"Ann","score":1.5}` {
		t.Errorf("rows %s", res.Rows)
	}
	tb, err := st.TableByName(ctx, db.ID, "users")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range tb.Columns {
		cols = append(cols, c.Name+":"+string(c.Type))
	}
	// tags (an array) and serial_no (filled by nextval) stay out of the metadata.
	if got := strings.Join(cols, " "); got != "name:TEXT email:TEXT score:NUMBER born:DATE data:JSON" {
		t.Errorf("columns %q", got)
	}
	if c := tb.Column("name"); c.Nullable {
		t.Error("name should be required")
	}
	if c := tb.Column("email"); !c.Unique {
		t.Error("email should be unique")
	}
	if c := tb.Column("score"); c.Default == nil {
		t.Error("score default not read")
	}
	// The API writes the adopted table: new ids continue after the ones SQL inserted.
	rows, err := st.InsertRows(ctx, tb, []map[string]any{{"name": "Cy", "email": nil, "score": 2.0, "born": nil, "data": nil}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].ID != 10 || rows[0].Version != 1 {
		t.Errorf("inserted row id %d version %d", rows[0].ID, rows[0].Version)
	}

	// Rename a column and the table, drop a column, add one, change a type.
	res = pgtest.RunSQL(t, st, db, `ALTER TABLE users RENAME COLUMN email TO mail;
		ALTER TABLE users DROP COLUMN born; ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT true;
		ALTER TABLE users ALTER COLUMN score TYPE NUMERIC(10,2); ALTER TABLE users RENAME TO people`, false)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	tb2, err := st.GetTable(ctx, tb.ID)
	if err != nil {
		t.Fatal(err)
	}
	cols = nil
	for _, c := range tb2.Columns {
		cols = append(cols, c.Name+":"+string(c.Type))
	}
	if tb2.Name != "people" || strings.Join(cols, " ") != "name:TEXT mail:TEXT score:DECIMAL data:JSON active:BOOLEAN" {
		t.Errorf("after DDL: %s %v", tb2.Name, cols)
	}

	res = pgtest.RunSQL(t, st, db, `DROP TABLE people`, false)
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	if _, err := st.GetTable(ctx, tb.ID); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("dropped table still known: %v", err)
	}
}

func TestExecSQLErrorsRollBack(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	res := pgtest.RunSQL(t, st, db, `CREATE TABLE a (x int); INSERT INTO a VALUES (1); SELECT * FROM nope`, false)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "statement 3") || !strings.Contains(res.Errors[0], "nope") {
		t.Fatalf("errors %v", res.Errors)
	}
	if _, err := st.TableByName(context.Background(), db.ID, "a"); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("table of a failed request exists: %v", err)
	}
	// A table name the APIs cannot serve fails the request with a message.
	res = pgtest.RunSQL(t, st, db, `CREATE TABLE "has space" (x int)`, false)
	if len(res.Errors) != 1 {
		t.Fatalf("errors %v", res.Errors)
	}
	// An id column that cannot be the key.
	res = pgtest.RunSQL(t, st, db, `CREATE TABLE b (id TEXT)`, false)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "id") {
		t.Fatalf("errors %v", res.Errors)
	}
}

func TestExecSQLIsConfinedToItsSchema(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	ws2, _ := st.CreateWorkspace(ctx, "other", nil)
	other, err := st.CreateDatabase(ctx, ws2.ID, "other", "test")
	if err != nil {
		t.Fatal(err)
	}
	pgtest.RunSQL(t, st, other, `CREATE TABLE secrets (s text); INSERT INTO secrets VALUES ('x')`, false)
	for _, q := range []string{
		`SELECT * FROM public.api_tokens`,
		`SELECT * FROM public.databases`,
		`SELECT * FROM ` + other.Schema + `.secrets`,
		`CREATE TABLE public.evil (x int)`,
		`CREATE TABLE x (a int); ALTER TABLE x OWNER TO postgres`,
		`SELECT pg_catalog.current_setting('is_superuser') = 'on' AND false`,
	} {
		if _, err := sqlguard.Check(q, db.Schema); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: the guard gave %v, want BAD_USER_INPUT", q, err)
		}
		// Settings are the guard's alone to refuse (current_setting is not an allowed
		// function); the rest the role refuses as well, when run past the guard.
		if strings.HasPrefix(q, "SELECT pg_catalog.current_setting") {
			continue
		}
		var stmts []sqlguard.Statement
		for _, part := range strings.Split(q, "; ") {
			stmts = append(stmts, sqlguard.Statement{Text: part, Kind: sqlguard.SchemaChange, Command: "TEST"})
		}
		res, err := st.ExecSQL(ctx, db, stmts, storage.SQLOptions{Actor: "test"})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(res.Errors) == 0 {
			t.Errorf("%q: ran (%s)", q, res.Rows)
		}
	}
	// A read-only request cannot write, whatever it says.
	pgtest.RunSQL(t, st, db, `CREATE TABLE n (x int)`, false)
	stmts, _ := sqlguard.Check(`SELECT 1`, db.Schema)
	stmts[0].Text = `INSERT INTO n VALUES (1)`
	res, err := st.ExecSQL(ctx, db, stmts, storage.SQLOptions{ReadOnly: true})
	if err != nil || len(res.Errors) != 1 {
		t.Fatalf("read-only write: %v %v", res, err)
	}
}

func TestExecSQLTimesOut(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	stmts, err := sqlguard.Check(`SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 1000) b`, db.Schema)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.ExecSQL(context.Background(), db, stmts, storage.SQLOptions{Timeout: 50_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "timeout") {
		t.Fatalf("errors %v", res.Errors)
	}
}

func TestDumpDatabase(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	pgtest.RunSQL(t, st, db, `CREATE TABLE notes (body TEXT); INSERT INTO notes (body) VALUES ('hello dump')`, false)
	var buf bytes.Buffer
	n, err := st.DumpDatabase(context.Background(), db, &buf)
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n == 0 || !strings.Contains(out, "CREATE TABLE "+db.Schema+".notes") || !strings.Contains(out, "hello dump") {
		t.Fatalf("dump:\n%s", out)
	}
	if strings.Contains(out, "api_tokens") || strings.Contains(out, "OWNER TO") {
		t.Fatalf("dump leaks outside its schema or carries owners:\n%s", out)
	}
}

func TestDialectSettingsAndEnvVars(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	locked := true
	got, err := st.MergeDatabaseSettings(ctx, db.ID, "airsequel", map[string]any{"description": "d", "auditing": true}, &locked, "test")
	if err != nil {
		t.Fatal(err)
	}
	got, err = st.MergeDatabaseSettings(ctx, db.ID, "airsequel", map[string]any{"description": nil, "environment": "prod"}, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if string(b) != `{"auditing":true,"environment":"prod"}` {
		t.Errorf("settings %s", b)
	}
	// The lock is the database's own property, changed in the same transaction.
	if d, err := st.GetDatabase(ctx, db.ID); err != nil || !d.SchemaLocked {
		t.Fatalf("schema lock: %+v %v", d, err)
	}
	// A settings change that fails changes the lock neither.
	unlocked := false
	if _, err := st.MergeDatabaseSettings(ctx, db.ID+1000, "airsequel", map[string]any{"a": 1}, &unlocked, "test"); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Fatalf("unknown database: %v", err)
	}
	if _, err := st.CreateEnvVar(ctx, db.WorkspaceID, &db.ID, "A", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvVar(ctx, db.WorkspaceID, &db.ID, "A", "2"); gqlbase.ErrorCode(err) != gqlbase.CodeConflict {
		t.Errorf("duplicate env var: %v", err)
	}
	if _, err := st.CreateEnvVar(ctx, db.WorkspaceID, nil, "A", "ws"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetEnvVars(ctx, db.WorkspaceID, &db.ID, map[string]string{"A": "3", "B": "4"}); err != nil {
		t.Fatal(err)
	}
	vars, err := st.ListEnvVars(ctx, db.WorkspaceID, &db.ID)
	if err != nil || len(vars) != 2 || vars[0].Value != "3" || vars[1].Name != "B" {
		t.Fatalf("vars %+v %v", vars, err)
	}
	wsVars, _ := st.ListEnvVars(ctx, db.WorkspaceID, nil)
	if len(wsVars) != 1 || wsVars[0].Value != "ws" {
		t.Fatalf("workspace vars %+v", wsVars)
	}
	if err := st.DeleteEnvVar(ctx, db.WorkspaceID, &db.ID, "nope"); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("delete missing: %v", err)
	}
}

// TestExecSQLWithoutSuperuser runs raw SQL on a store whose Postgres user is not a superuser
// (only LOGIN and CREATEROLE, owner of its database), as with a DATABASE_URL of a managed server.
func TestExecSQLWithoutSuperuser(t *testing.T) {
	admin, err := sql.Open("postgres", pgtest.Cluster().DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("app_%d", time.Now().UnixNano())
	for _, stmt := range []string{
		`CREATE ROLE ` + name + ` LOGIN CREATEROLE`,
		`CREATE DATABASE ` + name + ` OWNER ` + name,
	} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	dsn := strings.Replace(pgtest.Cluster().DSN(name), "user=postgres", "user="+name, 1)
	st, err := storage.Open(context.Background(), dsn, storage.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "w", nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := st.CreateDatabase(ctx, ws.ID, "app", "test")
	if err != nil {
		t.Fatal(err)
	}
	// A table made through the API, then SQL that reads, writes and changes both.
	made, err := st.CreateTable(ctx, db, &gqlbase.Table{Name: "made", Label: "made",
		Columns: []*gqlbase.Column{{Name: "a", Label: "a", Type: gqlbase.TypeText, Nullable: true}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	res := pgtest.RunSQL(t, st, db, `INSERT INTO made (a) VALUES ('x'); ALTER TABLE made ADD COLUMN b INTEGER;
		CREATE TABLE raw (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO raw (v) VALUES ('y'); SELECT count(*) AS n FROM made`, false)
	if len(res.Errors) > 0 || string(res.Rows[0]) != `{"n":1}` {
		t.Fatalf("result: %v %s", res.Errors, res.Rows)
	}
	if tb, err := st.GetTable(ctx, made.ID); err != nil || tb.UserColumn("b") == nil {
		t.Fatalf("reconciled column: %v %v", tb, err)
	}
	if _, err := st.TableByName(ctx, db.ID, "raw"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := st.DumpDatabase(ctx, db, &buf); err != nil || !strings.Contains(buf.String(), "CREATE TABLE "+db.Schema+".raw") {
		t.Fatalf("dump: %v\n%s", err, buf.String())
	}
	role, err := st.SQLRole(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteDatabase(ctx, db.ID, true, "test"); err != nil {
		t.Fatal(err)
	}
	// The role went with the database, in the same transaction.
	var roles int
	if err := st.DB().GetContext(ctx, &roles, `SELECT (SELECT count(*) FROM pg_roles WHERE rolname = $1) +
		(SELECT count(*) FROM database_roles WHERE database_id = $2)`, role, db.ID); err != nil || roles != 0 {
		t.Fatalf("role %s left behind (%d): %v", role, roles, err)
	}
}

// TestRawSQLCannotChangeSessionSettings: pg_settings is refused (an UPDATE of it would set
// session settings such as search_path), and raw SQL's connection never returns to the pool,
// so no session state it could change reaches another request.
func TestRawSQLCannotChangeSessionSettings(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	for _, q := range []string{
		`UPDATE pg_settings SET setting = '0' WHERE name = 'statement_timeout'`,
		`UPDATE pg_catalog."pg_settings" SET setting = 'db_1' WHERE name = 'search_path'`,
		`SELECT * FROM PG_SETTINGS`,
	} {
		if _, err := sqlguard.Check(q, db.Schema); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: got %v, want BAD_USER_INPUT", q, err)
		}
	}
	res := pgtest.RunSQL(t, st, db, `SELECT pg_backend_pid() AS pid`, true)
	var row struct{ Pid int }
	if len(res.Rows) != 1 || json.Unmarshal(res.Rows[0], &row) != nil || row.Pid == 0 {
		t.Fatalf("pid: %v %s", res.Errors, res.Rows)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var alive bool
		if err := st.DB().Get(&alive, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)`, row.Pid); err != nil {
			t.Fatal(err)
		}
		if !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the connection raw SQL ran on (backend %d) is still open: it went back to the pool", row.Pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// holdTable locks a table of the database in another transaction until the test ends, as a
// tenant's own long transaction would.
func holdTable(t *testing.T, st *storage.Store, table string) {
	t.Helper()
	conn, err := sql.Open("postgres", st.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(`LOCK TABLE ` + table + ` IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
}

// Finding 9 (shared pool exhaustion), the deadline: statement_timeout applies per statement,
// so a request of several statements held its connection for several timeouts. A request has
// one deadline; when it passes, its transaction is cancelled and rolled back and the caller
// gets an error saying so.
func TestExecSQLRequestDeadline(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	pgtest.RunSQL(t, st, db, `CREATE TABLE notes (body text); CREATE TABLE held (x int)`, false)
	holdTable(t, st, db.Schema+".held")
	stmts, err := sqlguard.Check(`INSERT INTO notes VALUES ('written before the wait'); SELECT * FROM held`, db.Schema)
	if err != nil {
		t.Fatal(err)
	}
	// The statement timeout alone would let the second statement wait for its lock.
	res, err := st.ExecSQL(ctx, db, stmts, storage.SQLOptions{Timeout: time.Minute, Deadline: 300 * time.Millisecond})
	if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput || !strings.Contains(err.Error(), "did not finish within 300ms") ||
		!strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("want the deadline's error, got %v (result %+v)", err, res)
	}
	// Nothing committed, and the statement no longer waits for the lock.
	var n int
	if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM `+db.Schema+`.notes`); err != nil || n != 0 {
		t.Fatalf("rows of the cancelled request: %d %v", n, err)
	}
	for guard := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = $1::regclass`,
			db.Schema+".held"); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("the cancelled statement still waits for the lock")
		}
	}
	// The same request within its deadline runs (the statement timeout still applies alone).
	res = pgtest.RunSQL(t, st, db, `INSERT INTO notes VALUES ('a'); SELECT count(*) AS n FROM notes`, false)
	if len(res.Errors) != 0 || string(res.Rows[0]) != `{"n":1}` {
		t.Fatalf("after the deadline: %v %s", res.Errors, res.Rows)
	}
}

// Finding 11 (memory amplification), raw SQL: results were capped by rows only. A result over
// the byte cap fails with an error naming the cap, commits nothing, and Postgres stops
// producing rows soon after the cap is passed instead of sending them all.
func TestExecSQLResultByteCap(t *testing.T) {
	st, db := pgtest.NewTenant(t)
	ctx := context.Background()
	pgtest.RunSQL(t, st, db, `CREATE TABLE t (x int); CREATE SEQUENCE produced`, false)
	// nextval is not rolled back: it counts the rows Postgres produced.
	stmts, err := sqlguard.Check(`INSERT INTO t VALUES (1);
		SELECT nextval('produced') AS n, repeat('x', 65536) AS pad FROM generate_series(1, 2000)`, db.Schema)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.ExecSQL(ctx, db, stmts, storage.SQLOptions{MaxBytes: 1 << 20})
	if gqlbase.ErrorCode(err) != gqlbase.CodePayloadTooLarge || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("want the byte cap's error, got %v (result %+v)", err, res)
	}
	var n, produced int
	if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM `+db.Schema+`.t`); err != nil || n != 0 {
		t.Fatalf("rows of the failed request: %d %v", n, err)
	}
	if err := st.DB().GetContext(ctx, &produced, `SELECT last_value FROM `+db.Schema+`.produced`); err != nil {
		t.Fatal(err)
	}
	// 16 rows fill the cap; what the socket buffers held comes on top, not the 2000 asked for.
	if produced < 16 || produced > 500 {
		t.Errorf("Postgres produced %d rows of 64 KiB for a cap of 1 MiB", produced)
	}
	// Under the cap, the rows come back.
	if stmts, err = sqlguard.Check(`SELECT repeat('x', 65536) AS pad FROM generate_series(1, 15)`, db.Schema); err != nil {
		t.Fatal(err)
	}
	res, err = st.ExecSQL(ctx, db, stmts, storage.SQLOptions{ReadOnly: true, MaxBytes: 1 << 20})
	if err != nil || len(res.Errors) != 0 || len(res.Rows) != 15 {
		t.Fatalf("under the cap: %v %+v", err, res)
	}
}
