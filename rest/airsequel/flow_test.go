package airsequel_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestAirsequelFlow: create a database from SQL, insert rows through the typed GraphQL API,
// query them through /sql, change them through /sql, export the table as CSV.
func TestAirsequelFlow(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER);
		CREATE INDEX users_age ON users (age)`)

	typed := e.srv.GraphQL(t, "/dbs/"+db+"/graphql", e.token, `mutation {
		insert_users(objects: [{name: "Ann", email: "ann@example.com", age: 31}, {name: "Bob, Jr.", email: "bob@example.com", age: 45}]) {
			affected_rows returning { id name }
		}
	}`, nil).OK(t)
	if n := testserver.Str(typed, "insert_users", "affected_rows"); n != "2" {
		t.Fatalf("typed insert: %v", typed)
	}

	res := e.sql(t, db, `SELECT name, age FROM users ORDER BY id`)
	if got := string(mustJSON(t, res.get("rows"))); got != `[{"age":31,"name":"Ann"},{"age":45,"name":"Bob, Jr."}]` {
		t.Fatalf("rows %s (%s)", got, res.raw)
	}
	if errs := res.get("errors").([]any); len(errs) != 0 || res.get("runtimeSeconds") == nil {
		t.Fatalf("answer %s", res.raw)
	}

	res = e.sql(t, db, `INSERT INTO users (name, email, age) VALUES ('Cy', 'cy@example.com', 27); UPDATE users SET age = age + 1 WHERE age > 40`)
	if res.str("numChanges") != "2" || res.str("affectedTables", 0) != "users" {
		t.Fatalf("changes: %s", res.raw)
	}

	// The row SQL inserted is visible to the typed API (caches were dropped).
	typed = e.srv.GraphQL(t, "/dbs/"+db+"/graphql", e.token, `{ users(order_by: [{id: ASC}]) { name age } }`, nil).OK(t)
	if testserver.Str(typed, "users", 2, "name") != "Cy" || testserver.Str(typed, "users", 1, "age") != "46" {
		t.Fatalf("typed read after SQL: %v", typed)
	}

	exp := e.ok(t, http.StatusOK, "GET", "/api/dbs/"+db+"/tables/users/export", nil)
	if ct := exp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	records, err := csv.NewReader(strings.NewReader(string(exp.raw))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, exp.raw)
	}
	if len(records) != 4 || strings.Join(records[0], ",") != "id,name,email,age,created_at,updated_at" {
		t.Fatalf("CSV:\n%s", exp.raw)
	}
	if records[2][1] != "Bob, Jr." || records[2][3] != "46" || records[3][2] != "cy@example.com" {
		t.Fatalf("CSV rows:\n%s", exp.raw)
	}
}
