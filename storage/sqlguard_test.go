package storage_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// testSchema is the schema of the database the guard checks statements for.
const testSchema = "db_1"

func TestParseSQLClassifies(t *testing.T) {
	cases := []struct {
		sql   string
		kinds []storage.SQLKind
	}{
		{"SELECT 1", []storage.SQLKind{storage.SQLRead}},
		{"select * from users; select 2;", []storage.SQLKind{storage.SQLRead, storage.SQLRead}},
		{"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", []storage.SQLKind{storage.SQLWrite}},
		{"INSERT INTO users (name) VALUES ('a;b'), ($$c;d$$)", []storage.SQLKind{storage.SQLWrite}},
		{"UPDATE users SET name = E'it\\'s; fine' WHERE id = 1", []storage.SQLKind{storage.SQLWrite}},
		{"CREATE TABLE users (name TEXT, role TEXT, temp REAL)", []storage.SQLKind{storage.SQLSchema}},
		{"create unique index on users (name)", []storage.SQLKind{storage.SQLSchema}},
		{"CREATE OR REPLACE VIEW v AS SELECT 1", []storage.SQLKind{storage.SQLSchema}},
		{"ALTER TABLE users RENAME TO people", []storage.SQLKind{storage.SQLSchema}},
		{"DROP MATERIALIZED VIEW mv", []storage.SQLKind{storage.SQLSchema}},
		{"SELECT * INTO copy FROM users", []storage.SQLKind{storage.SQLSchema}},
		{"/* a; /* nested; */ comment */ SELECT 1 -- trailing; comment", []storage.SQLKind{storage.SQLRead}},
		{"SELECT \"set_config\" FROM t", nil}, // a quoted identifier with a blocked name is refused too
	}
	for _, c := range cases {
		stmts, err := storage.ParseSQL(c.sql, testSchema)
		if c.kinds == nil {
			if err == nil {
				t.Errorf("%q: accepted", c.sql)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.sql, err)
			continue
		}
		if len(stmts) != len(c.kinds) {
			t.Errorf("%q: %d statements, want %d", c.sql, len(stmts), len(c.kinds))
			continue
		}
		for i, st := range stmts {
			if st.Kind != c.kinds[i] {
				t.Errorf("%q statement %d (%s): kind %s, want %s", c.sql, i, st.Command, st.Kind, c.kinds[i])
			}
		}
	}
}

func TestParseSQLRefusesEscapes(t *testing.T) {
	refused := []string{
		"RESET ROLE",
		"SET ROLE postgres",
		"set session authorization postgres",
		"SELECT set_config('role', 'postgres', false)",
		"SELECT pg_catalog.set_config('ro' || 'le', 'postgres', false)",
		"select 1; commit; select * from public.api_tokens",
		"BEGIN",
		"DO $$ BEGIN PERFORM 1; END $$",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'",
		"CREATE TEMP TABLE x (a int)",
		"CREATE TABLE pg_temp.api_tokens (a int)",
		"SELECT * INTO TEMP t FROM users",
		"SELECT query_to_xml('select 1', true, true, '')",
		"SELECT * FROM ts_stat('select 1')",
		"CREATE TABLE t (a text DEFAULT pg_read_file('/etc/passwd'))",
		"SELECT lo_import('/etc/passwd')",
		"SELECT pg_sleep(100)",
		"SELECT pg_advisory_lock(1)",
		"SELECT U&\"\\0073et_config\"('role','postgres',false)",
		"COPY users TO STDOUT",
		"GRANT ALL ON users TO PUBLIC",
		"CREATE ROLE x",
		"ALTER ROLE x SUPERUSER",
		"LISTEN gqlbase_events",
		"SELECT pg_notify('gqlbase_events', '1-2')",
		"PREPARE p AS SELECT 1",
		"DECLARE c CURSOR WITH HOLD FOR SELECT 1",
		"VACUUM users",
		"CREATE EXTENSION dblink",
		"SELECT 'unterminated",
		"",
		"  ;  ; ",
	}
	for _, q := range refused {
		_, err := storage.ParseSQL(q, testSchema)
		if err == nil {
			t.Errorf("%q: accepted", q)
			continue
		}
		if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: code %s", q, gqlbase.ErrorCode(err))
		}
	}
}

func TestParseSQLSplitsOnlyOutsideQuotes(t *testing.T) {
	stmts, err := storage.ParseSQL(`INSERT INTO t VALUES ('a;b', "c;d", $tag$ ; $tag$); SELECT ';'`, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 || !strings.HasPrefix(stmts[1].Text, "SELECT") {
		t.Fatalf("statements: %+v", stmts)
	}
}
