package airsequel_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

const usersDDL = `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, age INTEGER);
	INSERT INTO users (name, email, age) VALUES ('Ann', 'ann@example.com', 31), ('Bob', 'bob@example.com', 45)`

func TestStatusAndDocs(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/api/status", "", nil)
	if r.status != 200 || r.str("status") != "ok" {
		t.Fatalf("status: %d %s", r.status, r.raw)
	}
	r = e.do(t, "GET", "/api/docs", "", nil)
	if r.status != 200 || !strings.Contains(string(r.raw), "/docs/assets/docs.js") {
		t.Fatalf("docs: %d %.200s", r.status, r.raw)
	}
}

func TestDatabases(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	e.createDB(t, "empty", "")

	list := e.ok(t, 200, "GET", "/api/dbs", nil)
	if list.str("numberOfDatabases") != "2" || list.str("databases", 0, "name") != "shop" || list.str("databases", 0, "tables", 0, "name") != "users" {
		t.Fatalf("list: %s", list.raw)
	}
	got := e.ok(t, 200, "GET", "/api/dbs/"+db, nil)
	if got.str("id") != db || got.str("fileFormat") != "postgresql" || got.str("visibility") != "private" || got.str("readonlyId") == "" ||
		got.str("owner") == "" || got.get("size") == nil {
		t.Fatalf("get: %s", got.raw)
	}
	// By name as well.
	if e.ok(t, 200, "GET", "/api/dbs/shop", nil).str("id") != db {
		t.Fatal("get by name")
	}

	e.ok(t, 200, "PATCH", "/api/dbs/"+db, map[string]any{"name": "store", "description": map[string]any{"tag": "TextValue", "contents": "the shop"}})
	got = e.ok(t, 200, "GET", "/api/dbs/"+db, nil)
	if got.str("name") != "store" || got.str("description") != "the shop" {
		t.Fatalf("after patch: %s", got.raw)
	}
	e.ok(t, 200, "PATCH", "/api/dbs/"+db, map[string]any{"description": map[string]any{"tag": "TextNull"}})
	if got = e.ok(t, 200, "GET", "/api/dbs/"+db, nil); got.get("description") != nil {
		t.Fatalf("description not cleared: %s", got.raw)
	}

	// Refused requests say why and change nothing: a database whose query failed is not left
	// behind.
	e.runner().Run(t,
		bad("PATCH", "/api/dbs/"+db, map[string]any{"owner": map[string]any{"tag": "TextValue", "contents": "another team"}},
			501, "NOT_IMPLEMENTED", "moving a database to another team is not available"),
		bad("POST", "/api/dbs", `{"name": `, 400, "BAD_USER_INPUT", "the request body is cut short"),
		bad("POST", "/api/dbs", map[string]any{"name": "x", "colour": "red"}, 400, "BAD_USER_INPUT", `unknown field "colour"`),
		bad("POST", "/api/dbs", map[string]any{"name": ""}, 400, "BAD_USER_INPUT", `field "name" is required`),
		bad("POST", "/api/dbs", map[string]any{"name": "bad", "query": "CREATE TABLE t (id TEXT)"}, 400, "BAD_USER_INPUT",
			`the query failed, so the database was not created: table "t": gqlbase tables use id as their bigint key`),
		bad("POST", "/api/dbs", map[string]any{"name": "bad2", "query": "SET ROLE postgres"}, 400, "BAD_USER_INPUT",
			"the query failed, so the database was not created: SET statements are not available"),
		bad("PATCH", "/api/dbs/"+db, map[string]any{"description": map[string]any{"tag": "Other"}}, 400, "BAD_USER_INPUT",
			`tag must be TextValue or TextNull, not "Other"`),
		bad("PATCH", "/api/dbs/"+db, map[string]any{"name": 3}, 400, "BAD_USER_INPUT", `field "name" must be a string, not number`),
		// Names are unique in a team.
		bad("POST", "/api/dbs", map[string]any{"name": "empty"}, 409, "CONFLICT", `a database named "empty" already exists in this workspace`),
		bad("GET", "/api/dbs/424242", nil, 404, "NOT_FOUND", "database 424242 not found"),
		bad("GET", "/api/dbs/nope", nil, 404, "NOT_FOUND", `database "nope" not found`),
	)
	if e.ok(t, 200, "GET", "/api/dbs", nil).str("numberOfDatabases") != "2" {
		t.Fatal("failed creation left a database")
	}

	e.ok(t, 200, "DELETE", "/api/dbs/"+db, nil)
	if r := e.do(t, "GET", "/api/dbs/"+db, e.token, nil); r.status != 404 {
		t.Fatalf("deleted database: %d", r.status)
	}
}

func TestSettingsAndSchemaLock(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	s := e.ok(t, 200, "GET", "/api/dbs/"+db+"/settings", nil)
	if s.get("schemaLocked") != false || s.str("visibility") != "private" {
		t.Fatalf("settings: %s", s.raw)
	}
	e.ok(t, 200, "PATCH", "/api/dbs/"+db+"/settings", map[string]any{
		"auditing": true, "environment": map[string]any{"tag": "TextValue", "contents": "production"}, "viewsTab": true,
		"visibility": "public", "envVars": []any{map[string]any{"name": "HELLO", "value": "world"}}, "schemaLocked": true,
	})
	s = e.ok(t, 200, "GET", "/api/dbs/"+db+"/settings", nil)
	if s.get("auditing") != true || s.str("environment") != "production" || s.str("visibility") != "public" ||
		s.str("envVars", 0, "name") != "HELLO" || s.get("schemaLocked") != true {
		t.Fatalf("settings after patch: %s", s.raw)
	}
	// A locked schema refuses DDL and structure changes, and still takes data.
	e.runner().Run(t,
		bad("POST", "/dbs/"+db+"/sql", map[string]any{"query": "CREATE TABLE t (a int)"}, 403, "FORBIDDEN", `the schema of database "shop" is locked: unlock it first`),
		bad("PUT", "/api/dbs/"+db+"/tables/users/columns/x", map[string]any{}, 403, "FORBIDDEN", `the schema of database "shop" is locked: unlock it first`),
	)
	if res := e.sql(t, db, "UPDATE users SET age = 1"); res.str("numChanges") != "2" {
		t.Fatalf("data on a locked schema: %s", res.raw)
	}
	e.ok(t, 200, "PATCH", "/api/dbs/"+db+"/settings", map[string]any{"schemaLocked": false})
	if res := e.sql(t, db, "CREATE TABLE t (a int)"); len(res.get("errors").([]any)) != 0 {
		t.Fatalf("DDL after unlocking: %s", res.raw)
	}
	settings := "/api/dbs/" + db + "/settings"
	e.runner().Run(t,
		bad("PATCH", settings, map[string]any{"visibility": "everyone"}, 400, "BAD_USER_INPUT", "visibility must be private, team or public"),
		bad("PATCH", settings, map[string]any{"unknown": 1}, 400, "BAD_USER_INPUT", `unknown field "unknown"`),
		bad("PATCH", settings, map[string]any{"envVars": []any{map[string]any{"name": "1x", "value": "v"}}}, 400, "BAD_USER_INPUT",
			`variable name "1x" must start with a letter or underscore`),
	)
}

func TestSchemaVacuumDownload(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	r := e.ok(t, 200, "GET", "/api/dbs/"+db+"/schema", nil)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || !strings.Contains(string(r.raw), `CREATE TABLE "db_`) ||
		!strings.Contains(string(r.raw), `"email" text`) {
		t.Fatalf("schema: %s", r.raw)
	}
	e.ok(t, 200, "POST", "/api/dbs/"+db+"/vacuum", nil)
	d := e.ok(t, 200, "GET", "/dbs/"+db+"/download", nil)
	if !strings.HasPrefix(d.header.Get("Content-Type"), "application/sql") || !strings.Contains(d.header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(string(d.raw), "CREATE TABLE") || !strings.Contains(string(d.raw), "ann@example.com") {
		t.Fatalf("download: %s", d.raw)
	}
	ro := e.ok(t, 200, "GET", "/dbs/"+db+"/regenerate-readonly-id", nil).str("readonlyId")
	if ro == "" || e.ok(t, 200, "GET", "/api/dbs/"+db, nil).str("readonlyId") != ro {
		t.Fatal("read-only id not regenerated")
	}
}

func TestTablesAndColumns(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	base := "/api/dbs/" + db + "/tables/"
	tb := e.ok(t, 200, "GET", base+"users", nil)
	if tb.str("name") != "users" || tb.str("numberOfRows") != "2" || tb.str("rowidColumnName") != "id" ||
		tb.str("columns", 0, "name") != "id" || tb.get("columns", 0, "isPrimaryKey") != true ||
		tb.str("columns", 1, "name") != "name" || tb.get("columns", 1, "isNonNull") != true || tb.get("columns", 2, "isUnique") != true ||
		tb.str("columns", 3, "sqliteDataType") != "INTEGER" {
		t.Fatalf("table: %s", tb.raw)
	}
	// By id too.
	if e.ok(t, 200, "GET", base+tb.str("id"), nil).str("name") != "users" {
		t.Fatal("table by id")
	}

	created := e.ok(t, 200, "PUT", base+"notes", map[string]any{"description": "notes", "columns": []any{
		map[string]any{"name": "body", "sqliteDataType": "TEXT", "isNonNull": true},
		map[string]any{"name": "kind", "type": "select", "items": []any{"a", "b"}},
		map[string]any{"name": "score", "sqliteDataType": "REAL"},
	}})
	if created.str("description") != "notes" || created.str("columns", 2, "items", 1) != "b" || created.str("columns", 3, "sqliteDataType") != "REAL" {
		t.Fatalf("created: %s", created.raw)
	}
	if r := e.do(t, "PUT", base+"notes", e.token, map[string]any{}); r.status != 409 {
		t.Fatalf("second create: %d %s", r.status, r.raw)
	}
	e.ok(t, 200, "PATCH", base+"notes", map[string]any{"name": "memos", "description": "memos", "after": "users"})
	if e.ok(t, 200, "GET", base+"memos", nil).str("description") != "memos" {
		t.Fatal("table patch")
	}

	col := e.ok(t, 200, "PUT", base+"memos/columns/due", map[string]any{"sqliteDataType": "DATE"})
	if col.str("name") != "due" || col.str("gqlbaseType") != "DATE" {
		t.Fatalf("column: %s", col.raw)
	}
	e.ok(t, 200, "PATCH", base+"memos/columns/due", map[string]any{"name": "deadline", "sqliteDataType": "DATETIME", "isNonNull": false})
	tb = e.ok(t, 200, "GET", base+"memos", nil)
	if tb.str("columns", 4, "name") != "deadline" || tb.str("columns", 4, "sqliteDataType") != "DATETIME" {
		t.Fatalf("after column patch: %s", tb.raw)
	}
	e.ok(t, 200, "DELETE", base+"memos/columns/deadline", nil)
	if strings.Contains(string(e.ok(t, 200, "GET", base+"memos", nil).raw), "deadline") {
		t.Fatal("column not deleted")
	}

	// Bad bodies and unknown things.
	const input, missing = "BAD_USER_INPUT", "NOT_FOUND"
	e.runner().Run(t,
		bad("PUT", base+"memos/columns/blob", map[string]any{"sqliteDataType": "BLOB"}, 400, input, "BLOB columns are not available"),
		bad("PUT", base+"memos/columns/x", map[string]any{"sqliteDataType": "TEXT", "type": "TEXT"}, 400, input, "give type or sqliteDataType, not both"),
		bad("PUT", base+"memos/columns/x", map[string]any{"name": "y"}, 400, input, `the column is named by the path; name "y" differs`),
		bad("PUT", base+"memos/columns/x", map[string]any{"color": "red"}, 400, input, `unknown field "color"`),
		bad("PUT", base+"memos/columns/body", map[string]any{}, 400, input, `table "memos" already has a column "body"`),
		bad("PATCH", base+"memos/columns/id", map[string]any{"isNonNull": true}, 400, input, `column "id" is maintained by the system`),
		bad("PATCH", base+"memos", `{"name": [}`, 400, input, "the request body is not valid JSON"),
		bad("PUT", base+"bad table", map[string]any{}, 400, input, `table name "bad table" must start with a letter or underscore`),
		bad("PUT", base+"x", map[string]any{"columns": []any{map[string]any{"sqliteDataType": "TEXT"}}}, 400, input, "columns[0] needs a name"),
		bad("GET", base+"nope", nil, 404, missing, `table "nope" not found`),
		bad("PATCH", base+"nope", map[string]any{"name": "x"}, 404, missing, `table "nope" not found`),
		bad("DELETE", base+"nope", nil, 404, missing, `table "nope" not found`),
		bad("GET", base+"nope/export", nil, 404, missing, `table "nope" not found`),
		bad("GET", base+"nope/search/x", nil, 404, missing, `table "nope" not found`),
		bad("PUT", base+"nope/columns/x", map[string]any{}, 404, missing, `table "nope" not found`),
		bad("PATCH", base+"memos/columns/nope", map[string]any{"isNonNull": true}, 404, missing, `table "memos" has no column "nope"`),
		bad("DELETE", base+"memos/columns/nope", nil, 404, missing, `table "memos" has no column "nope"`),
		bad("GET", "/api/dbs/424242/tables/users", nil, 404, missing, "database 424242 not found"),
	)

	e.ok(t, 200, "DELETE", base+"memos", nil)
	if r := e.do(t, "GET", base+"memos", e.token, nil); r.status != 404 {
		t.Fatalf("deleted table: %d", r.status)
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	r := e.ok(t, 200, "GET", "/api/dbs/"+db+"/tables/users/search/bob", nil)
	if r.str("name") != "users" || len(r.get("rows").([]any)) != 1 || r.str("rows", 0, "email") != "bob@example.com" || r.get("rows", 0, "id") == nil {
		t.Fatalf("search: %s", r.raw)
	}
	if r := e.ok(t, 200, "GET", "/api/dbs/"+db+"/tables/users/search/example?limit=1", nil); len(r.get("rows").([]any)) != 1 {
		t.Fatalf("search limit: %s", r.raw)
	}
	search := "/api/dbs/" + db + "/tables/users/search/x"
	e.runner().Run(t,
		bad("GET", search+"?limit=abc", nil, 400, "BAD_USER_INPUT", "query parameter limit must be an integer"),
		bad("GET", search+"?limit=5000", nil, 400, "BAD_USER_INPUT", "query parameter limit must be an integer from 0 to 1000"),
		bad("GET", search+"?offset=-1", nil, 400, "BAD_USER_INPUT", "query parameter offset must be an integer from 0 to 1000000"),
	)
}

func TestEnvVars(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", "")
	for _, base := range []string{"/api/dbs/" + db + "/env", "/api/settings/env"} {
		v := e.ok(t, 200, "POST", base, map[string]any{"name": "TOKEN", "value": "abc"})
		if v.str("name") != "TOKEN" || v.str("value") != "abc" || v.str("created_utc") == "" {
			t.Fatalf("%s create: %s", base, v.raw)
		}
		e.runner().Run(t, bad("POST", base, map[string]any{"name": "TOKEN", "value": "x"}, 409, "CONFLICT",
			`an environment variable named "TOKEN" already exists`))
		e.ok(t, 200, "PATCH", base+"/TOKEN", map[string]any{"name": "SECRET", "value": "def"})
		list := e.ok(t, 200, "GET", base, nil)
		if list.str("envVars", 0, "name") != "SECRET" || list.str("envVars", 0, "value") != "def" || len(list.get("envVars").([]any)) != 1 {
			t.Fatalf("%s list: %s", base, list.raw)
		}
		e.runner().Run(t,
			bad("POST", base, map[string]any{"name": "has space", "value": "x"}, 400, "BAD_USER_INPUT",
				`variable name "has space" must start with a letter or underscore`),
			// A variable without a value is empty.
			apitest.Scenario{Method: "POST", Path: base, Body: map[string]any{"name": "A"}, Status: 200,
				JSON: map[string]any{"name": "A", "value": ""}, Changes: true},
			bad("POST", base, `not json`, 400, "BAD_USER_INPUT", "the request body is not valid JSON"),
			bad("PATCH", base+"/NOPE", map[string]any{"value": "x"}, 404, "NOT_FOUND", `environment variable "NOPE" not found`),
			bad("DELETE", base+"/NOPE", nil, 404, "NOT_FOUND", `environment variable "NOPE" not found`),
		)
		e.ok(t, 200, "DELETE", base+"/SECRET", nil)
	}
	// Team settings show the team's variables; allowedHosts is server configuration.
	e.ok(t, 200, "PATCH", "/api/settings", map[string]any{"envVars": []any{map[string]any{"name": "B", "value": "2"}}})
	if s := e.ok(t, 200, "GET", "/api/settings", nil); len(s.get("envVars").([]any)) != 2 {
		t.Fatalf("team settings: %s", s.raw)
	}
	e.runner().Run(t, bad("PATCH", "/api/settings", map[string]any{"allowedHosts": []any{"x"}}, 501, "NOT_IMPLEMENTED",
		"allowedHosts is server configuration in gqlbase (--allowed-origins)"))
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	shop := e.createDB(t, "shop", usersDDL)
	other := e.createDB(t, "other", "CREATE TABLE t (a int)")

	created := e.ok(t, 200, "POST", "/api/tokens", map[string]any{
		"name": "app", "description": "for the app", "expiration_utc": nil,
		"permissions": []any{map[string]any{"db_id": shop, "name": "read"}, map[string]any{"db_id": "other", "name": "write"}},
	})
	secret := created.str("body")
	id := created.str("id")
	if !strings.HasPrefix(secret, "gqb_") || created.str("description") != "for the app" || created.get("expiration_utc") != nil ||
		created.str("permissions", 0, "db_name") != "shop" || created.str("permissions", 1, "name") != "write" {
		t.Fatalf("created: %s", created.raw)
	}
	got := e.ok(t, 200, "GET", "/api/tokens/"+id, nil)
	if strings.Contains(got.str("body"), secret[8:]) || !strings.HasSuffix(got.str("body"), "…") {
		t.Fatalf("secret shown again: %s", got.raw)
	}
	// Read permission: reads shop, cannot write it; write permission on other; nothing else.
	e.srv.GraphQL(t, "/dbs/"+shop+"/graphql", secret, `{ users { name } }`, nil).OK(t)
	if r := e.do(t, "POST", "/dbs/"+shop+"/sql", secret, map[string]any{"query": "SELECT count(*) AS n FROM users"}); r.status != 200 || r.str("rows", 0, "n") != "2" {
		t.Fatalf("read with read permission: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "POST", "/dbs/"+shop+"/sql", secret, map[string]any{"query": "DELETE FROM users"}); r.status != 403 {
		t.Fatalf("write with read permission: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "POST", "/dbs/"+other+"/sql", secret, map[string]any{"query": "INSERT INTO t (a) VALUES (1)"}); r.status != 200 || r.str("numChanges") != "1" {
		t.Fatalf("write with write permission: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "POST", "/dbs/"+other+"/sql", secret, map[string]any{"query": "CREATE TABLE u (a int)"}); r.status != 403 {
		t.Fatalf("DDL without the schema scope: %d %s", r.status, r.raw)
	}
	third := e.createDB(t, "third", "")
	if r := e.do(t, "GET", "/api/dbs/"+third, secret, nil); r.status != 403 {
		t.Fatalf("database outside the permissions: %d %s", r.status, r.raw)
	}

	// Within the ten-year cap on token lifetimes.
	nextYear := time.Now().AddDate(1, 0, 0).UTC().Truncate(time.Second).Format(time.RFC3339)
	patched := e.ok(t, 200, "PATCH", "/api/tokens/"+id, map[string]any{
		"name": "app v2", "description": map[string]any{"tag": "TextNull"}, "expiration_utc": map[string]any{"tag": "TextValue", "contents": nextYear},
		"permissions": []any{map[string]any{"db_id": shop, "name": "write"}},
	})
	if patched.str("name") != "app v2" || patched.get("description") != nil || patched.str("expiration_utc") != nextYear ||
		len(patched.get("permissions").([]any)) != 1 {
		t.Fatalf("patched: %s", patched.raw)
	}
	list := e.ok(t, 200, "GET", "/api/teams/"+testserver.Str(e.srv.Platform(t, e.token, `{ me { workspace { name } } }`, nil).OK(t), "me", "workspace", "name")+"/tokens", nil)
	found := false
	for _, tok := range list.get("tokens").([]any) {
		if testserver.Str(tok, "id") == id {
			found = true
		}
	}
	if !found {
		t.Fatalf("token not listed: %s", list.raw)
	}

	read := []any{map[string]any{"db_id": shop, "name": "read"}}
	e.runner().Run(t,
		bad("POST", "/api/tokens", map[string]any{"name": "x", "permissions": []any{}}, 400, "BAD_USER_INPUT",
			"a token needs at least one permission {db_id, name: read|write}"),
		bad("POST", "/api/tokens", map[string]any{"name": "x"}, 400, "BAD_USER_INPUT", `field "permissions" is required`),
		bad("POST", "/api/tokens", map[string]any{"name": "x", "permissions": []any{map[string]any{"db_id": shop, "name": "admin"}}}, 400,
			"BAD_USER_INPUT", "permissions[0].name must be read or write"),
		bad("POST", "/api/tokens", map[string]any{"name": "x", "permissions": []any{map[string]any{"db_id": "nope", "name": "read"}}}, 404,
			"NOT_FOUND", `database "nope" not found`),
		bad("POST", "/api/tokens", map[string]any{"name": "x", "expiration_utc": "tomorrow", "permissions": read}, 400,
			"BAD_USER_INPUT", "expiration_utc must be an RFC 3339 time"),
		bad("POST", "/api/tokens", map[string]any{"name": "x", "scope": "all"}, 400, "BAD_USER_INPUT", `unknown field "scope"`),
		bad("PATCH", "/api/tokens/"+id, map[string]any{"team_name": "someone else"}, 404, "NOT_FOUND", `workspace "someone else" not found`),
		bad("GET", "/api/tokens/424242", nil, 404, "NOT_FOUND", "token not found"),
		bad("GET", "/api/tokens/abc", nil, 404, "NOT_FOUND", `tokenId "abc" not found`),
		bad("GET", "/api/tokens/0", nil, 404, "NOT_FOUND", `tokenId "0" not found`),
		bad("GET", "/api/teams/nope/tokens", nil, 404, "NOT_FOUND", `workspace "nope" not found`),
		// A token cannot manage others (admin scope).
		fail(apitest.Scenario{Name: "a token creating tokens", Client: e.client(secret), Method: "POST", Path: "/api/tokens",
			Body: map[string]any{"name": "x", "permissions": read}}, 403, "FORBIDDEN", `this operation needs the "admin" scope`),
	)
	// Revoking ends a token.
	e.ok(t, 200, "DELETE", "/api/tokens/"+id, nil)
	if r := e.do(t, "GET", "/api/dbs/"+shop, secret, nil); r.status != 401 {
		t.Fatalf("revoked token: %d %s", r.status, r.raw)
	}
}

func TestSQLEndpoint(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	res := e.sql(t, db, "SELECT name, age, email IS NULL AS missing, 1.5::numeric AS n, now() > '2020-01-01' AS recent FROM users ORDER BY name")
	if string(mustJSON(t, res.get("rows", 0))) != `{"age":31,"missing":false,"n":1.5,"name":"Ann","recent":true}` {
		t.Fatalf("rows: %s", res.raw)
	}
	// SQL errors answer 200 with the message, and nothing changes.
	res = e.sql(t, db, "INSERT INTO users (name) VALUES ('Cy'); SELECT * FROM missing_table")
	errs := res.get("errors").([]any)
	if len(errs) != 1 || !strings.Contains(errs[0].(string), "missing_table") || len(res.get("rows").([]any)) != 0 {
		t.Fatalf("error answer: %s", res.raw)
	}
	if n := e.sql(t, db, "SELECT count(*) AS n FROM users").str("rows", 0, "n"); n != "2" {
		t.Fatalf("a failed request changed rows: %s", n)
	}
	// Refused statements come back the same way.
	res = e.sql(t, db, "RESET ROLE; SELECT * FROM public.api_tokens")
	if len(res.get("errors").([]any)) != 1 {
		t.Fatalf("refused statement: %s", res.raw)
	}
	sql := "/dbs/" + db + "/sql"
	reader := e.platformToken(t, "READ")
	readOnly := func(query, scope string) apitest.Scenario {
		return fail(apitest.Scenario{Name: "read-only " + query, Client: e.client(reader), Method: "POST", Path: sql,
			Body: map[string]any{"query": query}}, http.StatusForbidden, "FORBIDDEN", `this operation needs the "`+scope+`" scope`)
	}
	e.runner().Run(t,
		bad("POST", sql, map[string]any{}, 400, "BAD_USER_INPUT", `field "query" is required`),
		bad("POST", sql, map[string]any{"query": "  "}, 400, "BAD_USER_INPUT", `field "query" is required`),
		bad("POST", sql, map[string]any{"query": 1}, 400, "BAD_USER_INPUT", `field "query" must be a string, not number`),
		bad("POST", sql, map[string]any{"query": "SELECT 1", "x": 1}, 400, "BAD_USER_INPUT", `unknown field "x"`),
		bad("POST", sql, `{`, 400, "BAD_USER_INPUT", "the request body is cut short"),
		bad("POST", "/dbs/424242/sql", map[string]any{"query": "SELECT 1"}, 404, "NOT_FOUND", "database 424242 not found"),
		apitest.Scenario{Name: "read-only read", Client: e.client(reader), Method: "POST", Path: sql,
			Body: map[string]any{"query": "SELECT count(*) AS n FROM users"}, Status: 200, JSON: map[string]any{"rows.0.n": 2}},
		readOnly("UPDATE users SET age = 0", "write"),
		readOnly("DROP TABLE users", "schema"),
		readOnly("SELECT * INTO copy FROM users", "schema"),
	)
	// DDL is reconciled: the new table and its columns are known to the other APIs.
	e.sql(t, db, "CREATE TABLE orders (total NUMERIC(10,2) NOT NULL, placed TIMESTAMPTZ DEFAULT now()); ALTER TABLE users RENAME COLUMN age TO years")
	tb := e.ok(t, 200, "GET", "/api/dbs/"+db+"/tables/orders", nil)
	if tb.str("columns", 1, "name") != "total" || tb.str("columns", 1, "gqlbaseType") != "DECIMAL" || tb.str("columns", 2, "name") != "placed" {
		t.Fatalf("reconciled table: %s", tb.raw)
	}
	if !strings.Contains(string(e.ok(t, 200, "GET", "/api/dbs/"+db+"/tables/users", nil).raw), `"years"`) {
		t.Fatal("renamed column not reconciled")
	}
}
