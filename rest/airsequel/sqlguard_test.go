package airsequel_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPartitionedTableIsBadUserInput: a database created from SQL with a partitioned table is
// refused with 400 BAD_USER_INPUT naming the cause, and the SQL endpoint answers the refusal
// in its errors.
func TestPartitionedTableIsBadUserInput(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "POST", "/api/dbs", e.token, map[string]any{"name": "parts",
		"query": "CREATE TABLE events (id INTEGER, at DATE) PARTITION BY RANGE (at)"})
	if r.status != http.StatusBadRequest || r.errorCode() != "BAD_USER_INPUT" || !strings.Contains(string(r.raw), "partitioned tables are not supported") {
		t.Fatalf("create from a partitioned table: %d %s", r.status, r.raw)
	}
	db := e.createDB(t, "shop", "CREATE TABLE notes (body TEXT)")
	res := e.sql(t, db, "CREATE TABLE notes_all PARTITION OF notes DEFAULT")
	if errs, _ := res.get("errors").([]any); len(errs) != 1 || !strings.Contains(errs[0].(string), "partitioned tables are not supported") {
		t.Fatalf("partition through /sql: %s", res.raw)
	}
}

// TestRawSQLSeesOtherTenantsCatalog through the route: the SQL of one database cannot list
// the tables and columns of another, and still sees its own in information_schema.
func TestRawSQLSeesOtherTenantsCatalog(t *testing.T) {
	e := newEnv(t)
	e.createDB(t, "victim", "CREATE TABLE payment_cards (card_number TEXT); INSERT INTO payment_cards VALUES ('4111')")
	db := e.createDB(t, "mine", "CREATE TABLE notes (body TEXT)")
	for _, q := range []string{
		"SELECT relname FROM pg_class",
		"SELECT c.relname, a.attname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid",
		"SELECT relname, n_live_tup FROM pg_stat_user_tables",
		"SELECT nspname FROM pg_namespace",
		"SELECT table_schema, table_name FROM information_schema.tables",
		"SELECT table_name, column_name FROM information_schema.columns",
	} {
		res := e.sql(t, db, q)
		if strings.Contains(string(res.raw), "payment_cards") || strings.Contains(string(res.raw), "card_number") {
			t.Errorf("%q shows the other database: %s", q, res.raw)
		}
	}
	res := e.sql(t, db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'body'")
	if len(res.get("rows").([]any)) != 1 {
		t.Errorf("own table not in information_schema: %s", res.raw)
	}
	res = e.sql(t, db, "SELECT relname FROM pg_class")
	if errs, _ := res.get("errors").([]any); len(errs) != 1 || !strings.Contains(errs[0].(string), `relation "pg_class" is not allowed`) {
		t.Errorf("catalog read: %s", res.raw)
	}
}
