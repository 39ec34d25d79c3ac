package sqlguard_test

import (
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/sqlguard"
)

// testSchema is the schema of the database the guard checks statements for.
const testSchema = "db_1"

func TestCheckClassifies(t *testing.T) {
	cases := []struct {
		sql   string
		kinds []sqlguard.Kind
	}{
		{"SELECT 1", []sqlguard.Kind{sqlguard.Read}},
		{"select * from users; select 2;", []sqlguard.Kind{sqlguard.Read, sqlguard.Read}},
		{"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", []sqlguard.Kind{sqlguard.Write}},
		{"INSERT INTO users (name) VALUES ('a;b'), ($$c;d$$)", []sqlguard.Kind{sqlguard.Write}},
		{"UPDATE users SET name = E'it\\'s; fine' WHERE id = 1", []sqlguard.Kind{sqlguard.Write}},
		{"CREATE TABLE users (name TEXT, role TEXT, temp REAL)", []sqlguard.Kind{sqlguard.SchemaChange}},
		{"create unique index on users (name)", []sqlguard.Kind{sqlguard.SchemaChange}},
		{"CREATE OR REPLACE VIEW v AS SELECT 1", []sqlguard.Kind{sqlguard.SchemaChange}},
		{"ALTER TABLE users RENAME TO people", []sqlguard.Kind{sqlguard.SchemaChange}},
		{"DROP MATERIALIZED VIEW mv", []sqlguard.Kind{sqlguard.SchemaChange}},
		{"SELECT * INTO copy FROM users", []sqlguard.Kind{sqlguard.SchemaChange}},
		{"/* a; /* nested; */ comment */ SELECT 1 -- trailing; comment", []sqlguard.Kind{sqlguard.Read}},
		{"SELECT \"set_config\" FROM t", nil}, // a quoted identifier with a blocked name is refused too
	}
	for _, c := range cases {
		stmts, err := sqlguard.Check(c.sql, testSchema)
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

func TestCheckRefusesEscapes(t *testing.T) {
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
		_, err := sqlguard.Check(q, testSchema)
		if err == nil {
			t.Errorf("%q: accepted", q)
			continue
		}
		if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: code %s", q, gqlbase.ErrorCode(err))
		}
	}
}

func TestCheckSplitsOnlyOutsideQuotes(t *testing.T) {
	stmts, err := sqlguard.Check(`INSERT INTO t VALUES ('a;b', "c;d", $tag$ ; $tag$); SELECT ';'`, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 || !strings.HasPrefix(stmts[1].Text, "SELECT") {
		t.Fatalf("statements: %+v", stmts)
	}
}

// catalogLeaks are statements that would show a database's role what other databases hold:
// schema, table and column names, row counts, roles and sessions.
var catalogLeaks = []string{
	// the catalog tables and views, as written in every way that reaches them
	"SELECT nspname FROM pg_namespace",
	"SELECT * FROM pg_catalog.pg_namespace",
	"SELECT relname, reltuples FROM pg_class",
	"SELECT * FROM PG_CATALOG.PG_CLASS",
	`SELECT * FROM "pg_catalog"."pg_class"`,
	`SELECT * FROM pg_catalog . pg_class`,
	"SELECT attname FROM pg_attribute WHERE attname = 'card_number'",
	"SELECT * FROM pg_stat_user_tables",
	"SELECT n_live_tup FROM pg_stat_all_tables",
	"SELECT * FROM pg_statio_user_tables",
	"SELECT * FROM pg_stat_xact_user_tables",
	"SELECT * FROM pg_stats",
	"SELECT rolname FROM pg_roles",
	"SELECT * FROM pg_user",
	"SELECT * FROM pg_shadow",
	"SELECT * FROM pg_authid",
	"SELECT query, usename FROM pg_stat_activity",
	"SELECT * FROM pg_locks",
	"SELECT * FROM pg_settings",
	"SELECT * FROM pg_proc",
	"SELECT datname FROM pg_database",
	"SELECT * FROM pg_tables",
	"SELECT * FROM pg_views",
	"SELECT * FROM pg_indexes",
	"SELECT * FROM pg_sequences",
	"SELECT typname FROM pg_type", // every table has a row type named after it
	"SELECT * FROM pg_description",
	"SELECT * FROM pg_constraint",
	"TABLE pg_class",
	"SELECT * FROM ONLY pg_class",
	// other schemas and databases
	"SELECT * FROM db_2.cards",
	"SELECT * FROM public.api_tokens",
	"SELECT * FROM gqlbase.db_1.users",
	"SELECT * FROM pg_toast.pg_toast_2619",
	"SELECT * FROM information_schema._pg_foreign_tables",
	"SELECT udt_schema, udt_name FROM information_schema.udt_privileges", // types are PUBLIC: every table's row type
	// hidden in subqueries, CTEs, joins, DML and DDL
	"SELECT (SELECT count(*) FROM pg_class)",
	"SELECT * FROM users WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname LIKE 'db_%')",
	"SELECT * FROM users u JOIN LATERAL (SELECT relname FROM pg_class LIMIT 1) c ON true",
	"WITH c AS (SELECT relname FROM pg_class) SELECT * FROM c",
	"WITH pg_class AS (SELECT * FROM pg_class) SELECT * FROM pg_class", // the CTE body reads the catalog
	"WITH a AS (SELECT * FROM pg_class), pg_class AS (SELECT 1) SELECT * FROM a",
	"SELECT * FROM (WITH pg_class AS (SELECT 1) SELECT * FROM pg_class) x, pg_class", // out of the CTE's scope
	"SELECT relname FROM users UNION SELECT relname FROM pg_class",
	"INSERT INTO users (name) SELECT relname FROM pg_class",
	"UPDATE users SET name = (SELECT max(nspname) FROM pg_namespace)",
	"DELETE FROM users WHERE name IN (SELECT rolname FROM pg_roles)",
	"CREATE VIEW v AS SELECT * FROM pg_class",
	"CREATE MATERIALIZED VIEW v AS SELECT * FROM pg_stat_user_tables",
	"CREATE TABLE t AS SELECT * FROM pg_namespace",
	"SELECT * INTO t FROM pg_attribute",
	"CREATE TABLE t (LIKE pg_class)",
	"CREATE TABLE t (LIKE information_schema.tables)",
	"CREATE TABLE t (LIKE db_2.cards INCLUDING ALL)",
	"CREATE TABLE t (a text CHECK (a <> (SELECT max(relname) FROM pg_class)))",
	"EXPLAIN SELECT * FROM pg_class",
	// OID alias types print the name of any object
	"SELECT 16384::regclass",
	"SELECT '16384'::regclass",
	"SELECT CAST(16384 AS regclass)",
	"SELECT regclass '16384'",
	"SELECT 'pg_class'::regclass",
	"SELECT 'db_2.cards'::regclass",
	"SELECT 'pg_catalog.pg_class'::pg_catalog.regclass",
	"SELECT tableoid::regclass FROM users",
	"SELECT 2200::regnamespace",
	"SELECT 10::regrole",
	"SELECT 16390::regtype",
	"SELECT 1255::regproc",
	"SELECT '{16384}'::regclass[]",
	"SELECT '{16384}'::_regclass",
	"CREATE TABLE t (c regclass)",
	"ALTER TABLE users ADD COLUMN c regnamespace",
	"SELECT * FROM json_to_record('{}') AS x(c regclass)",
	"SELECT json_populate_record(NULL::pg_class, '{}')",
	"SELECT NULL::pg_catalog.pg_namespace",
	// functions that read the catalog, statistics, settings or other sessions
	"SELECT pg_relation_size('db_2.cards')",
	"SELECT pg_total_relation_size(16384)",
	"SELECT to_regclass('db_2.cards')",
	"SELECT has_table_privilege('db_2.cards', 'select')",
	"SELECT has_schema_privilege('db_2', 'usage')",
	"SELECT pg_get_viewdef(16384)",
	"SELECT pg_get_tabledef('x')",
	"SELECT pg_stat_get_live_tuples(16384)",
	"SELECT pg_catalog.pg_stat_get_numscans(16384)",
	"SELECT obj_description(16384)",
	"SELECT format_type(16390, NULL)",
	"SELECT pg_table_is_visible(16384)",
	"SELECT current_setting('search_path')",
	"SELECT set_config('search_path', 'public', true)",
	"SELECT version()",
	"SELECT inet_server_addr()",
	"SELECT txid_current()",
	"SELECT pg_sleep(1)",
	"SELECT pg_read_file('/etc/passwd')",
	"SELECT lo_import('/etc/passwd')",
	"SELECT dblink('dbname=x', 'select 1')",
	"SELECT pg_terminate_backend(1)",
	"SELECT pg_cancel_backend(1)",
	"SELECT pg_advisory_lock(1)",
	"SELECT query_to_xml('select * from pg_class', true, true, '')",
	"SELECT xpath('/a', '<a/>')",
	"SELECT * FROM ts_stat('select 1')",
	"SELECT db_2.f()",
	"SELECT public.lower('A')",
	`SELECT "LOWER"('A')`,
	// sequences of other schemas, or named by an expression
	"SELECT nextval('db_2.s')",
	"SELECT nextval('pg_catalog.s')",
	"SELECT currval('public.s')",
	"SELECT setval(16384, 1)",
	"SELECT nextval(16384::oid)",
	"SELECT nextval('s' || '')",
	"CREATE TABLE t (a int DEFAULT nextval('db_2.s'))",
	// other ways to name objects of other schemas
	"SELECT 1 OPERATOR(db_2.+) 1",
	"SELECT 1 OPERATOR(db_2.=) ANY (SELECT 1)",
	"CREATE TABLE t (k int, EXCLUDE USING gist (k WITH db_2.=))",
	"SELECT name COLLATE db_2.c FROM users",
	"SELECT NULL::db_2.cards",
	"CREATE TABLE t (c db_2.cards)",
	"CREATE TABLE t (a int REFERENCES db_2.cards (id))",
	"CREATE INDEX ON users (name db_2.ops)",
	"SELECT * FROM users TABLESAMPLE system_rows(10)",
	"CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME db_2.s))",
	"CREATE SEQUENCE s OWNED BY db_2.cards.id",
	"SELECT * FROM xmltable('/a' PASSING '<a/>' COLUMNS b text)",
}

// TestRawSQLSeesOtherTenantsCatalog: the statements that would read other databases' names,
// counts, roles and sessions are refused with BAD_USER_INPUT naming the object, and
// ordinary queries and DDL are still accepted.
func TestRawSQLSeesOtherTenantsCatalog(t *testing.T) {
	for _, q := range catalogLeaks {
		_, err := sqlguard.Check(q, testSchema)
		if err == nil {
			t.Errorf("%q: accepted", q)
			continue
		}
		if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: code %s (%v)", q, gqlbase.ErrorCode(err), err)
		}
	}
	named := map[string]string{
		"SELECT * FROM pg_catalog.pg_namespace":       `relation "pg_catalog.pg_namespace" is not allowed: raw SQL may use the tables of this database and information_schema`,
		"SELECT relname, reltuples FROM pg_class":     `relation "pg_class" is not allowed`,
		"SELECT * FROM db_2.cards":                    `relation "db_2.cards" is not allowed`,
		"SELECT set_config('search_path', 'x', true)": `function "set_config" is not allowed in raw SQL`,
		"SELECT pg_catalog.pg_stat_get_numscans(1)":   `function "pg_catalog.pg_stat_get_numscans" is not allowed in raw SQL`,
		"SELECT 16384::regclass":                      `casts to regclass are not allowed`,
		"SELECT nextval('db_2.s')":                    `sequence "db_2.s" is not allowed: nextval may name only the sequences of this database`,
		"SELECT * FROM users WHERE":                   `syntax error at end of input (at position 26)`,
	}
	for q, want := range named {
		if _, err := sqlguard.Check(q, testSchema); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to say %s", q, err, want)
		}
	}

	allowed := []struct {
		sql  string
		kind sqlguard.Kind
	}{
		{"SELECT u.name, o.total FROM users u JOIN orders o ON o.user_id = u.id LEFT JOIN db_1.notes n USING (id)", sqlguard.Read},
		{"WITH recent AS (SELECT * FROM orders WHERE placed > now() - interval '7 days') SELECT count(*) FROM recent", sqlguard.Read},
		{"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n", sqlguard.Read},
		{"WITH pg_stats AS (SELECT 1 AS x) SELECT * FROM pg_stats", sqlguard.Read}, // the CTE, not the catalog view
		{"WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b, (SELECT * FROM a) s", sqlguard.Read},
		{"SELECT name, row_number() OVER (PARTITION BY team ORDER BY score DESC), lag(score) OVER w, rank() OVER w FROM players WINDOW w AS (ORDER BY score)", sqlguard.Read},
		{"SELECT jsonb_build_object('n', name), json_agg(t), jsonb_agg(data -> 'a') FROM t GROUP BY name", sqlguard.Read},
		{"SELECT data ->> 'a', jsonb_set(data, '{a}', '1'), jsonb_path_query_first(data, '$.b') FROM t WHERE data ? 'a'", sqlguard.Read},
		{"SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()", sqlguard.Read},
		{"SELECT * FROM information_schema.tables t JOIN information_schema.table_constraints c USING (table_name)", sqlguard.Read},
		{"SELECT pg_catalog.lower(name), upper(name), length(name), substr(name, 2), replace(name, 'a', 'b') FROM users", sqlguard.Read},
		{"SELECT extract(year FROM now()), substring(name FROM 1 FOR 2), trim(both ' ' FROM name), position('a' IN name), now() AT TIME ZONE 'UTC' FROM users", sqlguard.Read},
		{"SELECT format('%s-%s', a, b), concat_ws(',', a, b), coalesce(a, 'x'), greatest(1, 2), least(1, 2), nullif(a, '') FROM t", sqlguard.Read},
		{"SELECT date_trunc('month', placed), age(placed), to_char(placed, 'YYYY'), make_date(2024, 1, 2), placed::date FROM orders", sqlguard.Read},
		{"SELECT count(*), sum(total), avg(total), min(total), max(total), array_agg(id ORDER BY id), string_agg(ref, ','), bool_and(total > 0) FROM orders", sqlguard.Read},
		{"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total), count(*) FILTER (WHERE total > 10) FROM orders", sqlguard.Read},
		{"SELECT current_user, session_user, current_date, current_timestamp, localtime, current_schema", sqlguard.Read},
		{"SELECT gen_random_uuid(), random(), abs(-1), round(2.5), array_length(ARRAY[1, 2], 1), unnest(ARRAY[1, 2])", sqlguard.Read},
		{"SELECT * FROM generate_series(1, 3) g(i), jsonb_each('{}'::jsonb) e", sqlguard.Read},
		{"SELECT to_tsvector('english', body) @@ to_tsquery('english'::regconfig, 'x') FROM notes", sqlguard.Read},
		{"SELECT 'orders'::regclass, 'db_1.orders'::regclass, CAST('information_schema.tables' AS regclass)", sqlguard.Read},
		{"SELECT * FROM pg_timezone_names WHERE name = 'UTC'", sqlguard.Read},
		{"SELECT t.* FROM orders t TABLESAMPLE bernoulli (10) REPEATABLE (1)", sqlguard.Read},
		{"SELECT name COLLATE \"C\", name COLLATE pg_catalog.\"default\" FROM users ORDER BY 1", sqlguard.Read},
		{"SELECT 1 OPERATOR(pg_catalog.+) 1, x::pg_catalog.int4, NULL::db_1.users FROM t", sqlguard.Read},
		{"EXPLAIN SELECT * FROM orders", sqlguard.Read},
		{"SELECT currval('s')", sqlguard.Read},
		{"SELECT nextval('s'), setval('db_1.s', 10)", sqlguard.Write},
		{"UPDATE orders SET total = total * 1.1 FROM users WHERE users.id = orders.user_id", sqlguard.Write},
		{"WITH moved AS (DELETE FROM orders WHERE total = 0 RETURNING *) INSERT INTO archive SELECT * FROM moved", sqlguard.Write},
		{"MERGE INTO stock s USING orders o ON s.id = o.id WHEN MATCHED THEN UPDATE SET n = s.n - 1 WHEN NOT MATCHED THEN INSERT (id, n) VALUES (o.id, 0)", sqlguard.Write},
		{"INSERT INTO users (name) VALUES ('x') ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id", sqlguard.Write},
		{"TRUNCATE orders, db_1.archive RESTART IDENTITY", sqlguard.Write},
		{"ANALYZE orders", sqlguard.Write},
		{"REFRESH MATERIALIZED VIEW mv", sqlguard.Write},
		{`CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
			total NUMERIC(10,2) NOT NULL CHECK (total >= 0), placed TIMESTAMPTZ DEFAULT now(), ref TEXT UNIQUE,
			code TEXT GENERATED ALWAYS AS (upper(ref)) STORED, n SERIAL, tags TEXT[], data JSONB DEFAULT '{}')`, sqlguard.SchemaChange},
		{"CREATE TABLE IF NOT EXISTS db_1.notes (id INT GENERATED BY DEFAULT AS IDENTITY, body TEXT DEFAULT '', at DATE DEFAULT current_date)", sqlguard.SchemaChange},
		{"CREATE UNLOGGED TABLE scratch (a int)", sqlguard.SchemaChange},
		{"CREATE TABLE copy AS SELECT * FROM users WITH NO DATA", sqlguard.SchemaChange},
		{"CREATE TABLE t2 (id INT DEFAULT nextval('s'), k INT, EXCLUDE USING gist (k WITH =))", sqlguard.SchemaChange},
		{"CREATE TABLE t3 (LIKE orders INCLUDING ALL, extra TEXT)", sqlguard.SchemaChange},
		{"CREATE INDEX orders_lower ON orders USING btree (lower(ref) text_pattern_ops) WHERE total > 0", sqlguard.SchemaChange},
		{"CREATE UNIQUE INDEX IF NOT EXISTS u ON db_1.users (name) INCLUDE (id)", sqlguard.SchemaChange},
		{"CREATE VIEW big AS SELECT id, total FROM orders WHERE total > 100 WITH CHECK OPTION", sqlguard.SchemaChange},
		{"CREATE OR REPLACE VIEW stats AS WITH c AS (SELECT count(*) AS n FROM orders) SELECT n FROM c", sqlguard.SchemaChange},
		{"CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM orders", sqlguard.SchemaChange},
		{"CREATE SEQUENCE s START 10 OWNED BY orders.id", sqlguard.SchemaChange},
		{"ALTER SEQUENCE s RESTART WITH 1", sqlguard.SchemaChange},
		{"ALTER TABLE orders ADD COLUMN note TEXT DEFAULT '', ALTER COLUMN total TYPE NUMERIC(12,2), DROP COLUMN code", sqlguard.SchemaChange},
		{"ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0), ALTER COLUMN ref SET NOT NULL", sqlguard.SchemaChange},
		{"ALTER TABLE orders RENAME COLUMN ref TO reference", sqlguard.SchemaChange},
		{"ALTER TABLE db_1.orders RENAME TO purchases", sqlguard.SchemaChange},
		{"ALTER INDEX orders_lower RENAME TO orders_ref", sqlguard.SchemaChange},
		{"DROP VIEW IF EXISTS big; DROP INDEX orders_lower; DROP TABLE db_1.orders CASCADE", sqlguard.SchemaChange},
		{"COMMENT ON COLUMN orders.total IS 'x'", sqlguard.SchemaChange},
		{"COMMENT ON TABLE db_1.orders IS 'y'", sqlguard.SchemaChange},
		{"COMMENT ON CONSTRAINT positive ON orders IS 'z'", sqlguard.SchemaChange},
	}
	for _, c := range allowed {
		stmts, err := sqlguard.Check(c.sql, testSchema)
		if err != nil {
			t.Errorf("%q: %v", c.sql, err)
			continue
		}
		if st := stmts[0]; st.Kind != c.kind {
			t.Errorf("%q (%s): kind %s, want %s", c.sql, st.Command, st.Kind, c.kind)
		}
	}
}

// TestRawSQLStatementAllowlist: statements other than data statements and the DDL of
// tables, indexes, views and sequences are refused.
func TestRawSQLStatementAllowlist(t *testing.T) {
	for _, q := range []string{
		"CREATE POLICY p ON users USING (true)",
		"ALTER TABLE users ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE users FORCE ROW LEVEL SECURITY",
		"ALTER TABLE users DISABLE ROW LEVEL SECURITY",
		"CREATE TRIGGER tr BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()",
		"ALTER TABLE users DISABLE TRIGGER ALL",
		"CREATE RULE r AS ON INSERT TO users DO INSTEAD NOTHING",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1'",
		"CREATE PROCEDURE p() LANGUAGE sql AS 'select 1'",
		"CREATE TYPE mood AS ENUM ('a')",
		"CREATE DOMAIN d AS int",
		"CREATE EXTENSION pgcrypto",
		"CREATE SCHEMA s",
		"DROP SCHEMA db_1 CASCADE",
		"DROP FUNCTION f",
		"DROP TYPE mood",
		"CREATE STATISTICS st ON name, id FROM users",
		"COPY users FROM STDIN",
		"COPY (SELECT 1) TO '/tmp/x'",
		"SET search_path = public",
		"SET LOCAL statement_timeout = 0",
		"RESET ALL",
		"SHOW search_path",
		"DISCARD ALL",
		"BEGIN",
		"COMMIT",
		"SAVEPOINT a",
		"LISTEN gqlbase_events",
		"NOTIFY gqlbase_events",
		"DO $$ BEGIN END $$",
		"CALL p()",
		"GRANT SELECT ON users TO PUBLIC",
		"REVOKE ALL ON users FROM PUBLIC",
		"ALTER TABLE users OWNER TO postgres",
		"ALTER VIEW v OWNER TO postgres",
		"ALTER SEQUENCE s OWNER TO postgres",
		"ALTER TABLE users SET SCHEMA public",
		"ALTER TABLE users SET TABLESPACE pg_default",
		"ALTER TABLE users SET ACCESS METHOD heap2",
		"CREATE TABLE t (a int) TABLESPACE pg_default",
		"CREATE TABLE t (a int PRIMARY KEY USING INDEX TABLESPACE pg_default)",
		"CREATE TABLE t (a int) USING myam",
		"CREATE INDEX ON users (name) TABLESPACE pg_default",
		"CREATE INDEX ON users USING bloom (name)",
		"CREATE TABLE c (b int) INHERITS (users)",
		"ALTER TABLE users INHERIT other",
		"CREATE TABLE t OF some_type",
		"LOCK TABLE users",
		"CREATE TEMP TABLE x (a int)",
		"CREATE TEMPORARY VIEW v AS SELECT 1",
		"CREATE TEMP SEQUENCE s",
		"CREATE TABLE x AS SELECT 1; CREATE TEMP TABLE y AS SELECT 2",
		"CREATE TABLE pg_temp.x (a int)",
		"CREATE TABLE pg_users (a int)",
		"VACUUM users",
		"ANALYZE",
		"REINDEX TABLE users",
		"CLUSTER users",
		"CHECKPOINT",
		"SECURITY LABEL ON TABLE users IS 'x'",
		"COMMENT ON SCHEMA db_1 IS 'x'",
		"COMMENT ON TABLE db_2.cards IS 'x'",
		"DROP TABLE db_2.cards",
		"TRUNCATE db_2.cards",
		"INSERT INTO db_2.cards VALUES (1)",
		"INSERT INTO information_schema.tables VALUES (1)",
		"UPDATE pg_catalog.pg_timezone_names SET name = 'x'",
		"WITH x AS (DELETE FROM db_2.cards RETURNING *) SELECT * FROM x",
		"ALTER TABLE db_2.cards ADD COLUMN x int",
		"ALTER TABLE users RENAME TO pg_x; SELECT 1",
		"CREATE INDEX ON db_2.cards (id)",
		"CREATE INDEX pg_x ON users (id)",
		"CREATE VIEW db_2.v AS SELECT 1",
		"IMPORT FOREIGN SCHEMA x FROM SERVER s INTO db_1",
		"CREATE SERVER s FOREIGN DATA WRAPPER w",
		"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC",
		"PREPARE p AS SELECT 1",
		"EXECUTE p",
		"EXPLAIN EXECUTE p",
		"CREATE TABLE t AS EXECUTE p",
		"DECLARE c CURSOR FOR SELECT 1",
		"SELECT 1\x00; SELECT * FROM pg_class",
		"SELECT '\xff'",
		"SELECT 0x1F",
		"SELECT 1_000",
		"SELECT 0o17 FROM users",
	} {
		_, err := sqlguard.Check(q, testSchema)
		if err == nil {
			t.Errorf("%q: accepted", q)
			continue
		}
		if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%q: code %s (%v)", q, gqlbase.ErrorCode(err), err)
		}
	}
}

// TestPartitionedTableIsBadUserInput: partitioned tables are refused with a clear
// BAD_USER_INPUT rather than failing when their metadata is reconciled.
func TestPartitionedTableIsBadUserInput(t *testing.T) {
	for _, q := range []string{
		"CREATE TABLE m (a int, d date) PARTITION BY RANGE (d)",
		"CREATE TABLE m (a int) PARTITION BY LIST (a)",
		"CREATE TABLE m (a int) PARTITION BY HASH (a)",
		"CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')",
		"CREATE TABLE m2 PARTITION OF m DEFAULT",
		"ALTER TABLE m ATTACH PARTITION x FOR VALUES IN (1)",
		"ALTER TABLE m DETACH PARTITION x",
		"ALTER TABLE m DETACH PARTITION x CONCURRENTLY",
		"ALTER INDEX m_idx ATTACH PARTITION x_idx",
		"CREATE TABLE ok (a int); CREATE TABLE m (a int) PARTITION BY LIST (a)",
	} {
		_, err := sqlguard.Check(q, testSchema)
		if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput || !strings.Contains(err.Error(), "partitioned tables are not supported") {
			t.Errorf("%q: %v, want BAD_USER_INPUT about partitioned tables", q, err)
		}
	}
}

// TestCheckRefusesDeepNesting: chains the parser would turn into a tree too deep for the
// stack of its thread are refused before parsing (the process used to die on them), and big
// flat statements are still accepted.
func TestCheckRefusesDeepNesting(t *testing.T) {
	const n = 30_000
	for name, q := range map[string]string{
		"operators": "SELECT 1" + strings.Repeat(" + 1", n),
		"unions":    "SELECT 1, 2" + strings.Repeat(" UNION SELECT 1, 2", n),
		"joins":     "SELECT * FROM users u" + strings.Repeat(" JOIN users ON true AND u.id = 1", n),
		"casts":     "SELECT 1" + strings.Repeat("::int", n),
		"nested":    strings.Repeat("SELECT (", 3000) + "1" + strings.Repeat(")", 3000),
		"in levels": "SELECT " + strings.Repeat("(1 + 1 + 1 + 1 + ", 1000) + "1" + strings.Repeat(")", 1000),
		"cases":     "SELECT 1" + strings.Repeat(" + CASE WHEN true THEN 1 ELSE 2 END", n),
		"groups":    "SELECT 1" + strings.Repeat(" + (1, 2)", n),
	} {
		_, err := sqlguard.Check(q, testSchema)
		if gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%s: %.100v, want BAD_USER_INPUT", name, err)
		}
	}
	rows := make([]string, 20_000)
	for i := range rows {
		rows[i] = "(1, 'a', -2.5, now(), '{}'::jsonb)"
	}
	ors := make([]string, 5_000)
	for i := range ors {
		ors[i] = "id = 1 + 1"
	}
	cols := make([]string, 1_000)
	for i := range cols {
		cols[i] = "c" + strings.Repeat("x", i%7) + " INTEGER NOT NULL DEFAULT 0 CHECK (c > 0)"
	}
	for name, q := range map[string]string{
		"insert":   "INSERT INTO t VALUES " + strings.Join(rows, ", "),
		"in list":  "SELECT * FROM t WHERE id IN (" + strings.Repeat("1, ", 100_000) + "1)",
		"ors":      "SELECT * FROM t WHERE " + strings.Join(ors, " OR "),
		"columns":  "CREATE TABLE wide (" + strings.Join(cols, ", ") + ")",
		"chain":    "SELECT 1" + strings.Repeat(" + 1", 1000),
		"unions":   "SELECT 1" + strings.Repeat(" UNION ALL SELECT 1", 500),
		"escapes":  `SELECT E'it\'s', 'it''s', '\d+', $$\'$$`,
		"case":     "SELECT CASE" + strings.Repeat(" WHEN id = 1 + 1 THEN 'a' || 'b'", 3000) + " END FROM t",
		"subquery": strings.Repeat("SELECT * FROM (", 200) + "SELECT 1" + strings.Repeat(") s", 200),
	} {
		if _, err := sqlguard.Check(q, testSchema); err != nil {
			t.Errorf("%s: %.200v", name, err)
		}
	}
	if _, err := sqlguard.Check(`SELECT 'a\' || ' FROM pg_class --'`, testSchema); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput ||
		!strings.Contains(err.Error(), "standard_conforming_strings") {
		t.Errorf("backslash before a quote: %v", err)
	}
}
