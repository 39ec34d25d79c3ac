package botpress_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

type reply struct {
	status int
	raw    []byte
	body   map[string]any
}

func call(t testing.TB, srv *testserver.Server, method, path, token, bot string, body any) *reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if bot != "" {
		req.Header.Set("x-bot-id", bot)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &reply{status: resp.StatusCode, raw: raw}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&r.body)
	return r
}

// wantError checks a Botpress error answer.
func (r *reply) wantError(t testing.TB, status int, typ string) {
	t.Helper()
	if r.status != status || r.body["type"] != typ {
		t.Fatalf("status %d type %v, want %d %s: %s", r.status, r.body["type"], status, typ, r.raw)
	}
	id, _ := r.body["id"].(string)
	if !strings.HasPrefix(id, "err_") || fmt.Sprint(r.body["code"]) != fmt.Sprint(status) || r.body["message"] == "" {
		t.Fatalf("error envelope: %s", r.raw)
	}
}

func (r *reply) ok(t testing.TB) map[string]any {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	return r.body
}

func setup(t *testing.T) *testserver.Server {
	t.Helper()
	srv := testserver.Start(t)
	call(t, srv, "POST", "/v1/tables", srv.AdminToken, "bot", map[string]any{"name": "itemsTable",
		"schema": map[string]any{"name": map[string]any{"type": "string"}, "n": map[string]any{"type": "number"}}}).ok(t)
	return srv
}

func TestBadBodies(t *testing.T) {
	srv := setup(t)
	tok := srv.AdminToken
	cases := []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/tables", `{"name": "x", `},
		{"POST", "/v1/tables", `[1, 2]`},
		{"POST", "/v1/tables", map[string]any{"name": "aTable"}},
		{"POST", "/v1/tables", map[string]any{"name": "aTable", "schema": map[string]any{"a": map[string]any{"type": "date"}}}},
		{"POST", "/v1/tables", map[string]any{"name": "has space", "schema": map[string]any{"a": map[string]any{"type": "string"}}}},
		{"POST", "/v1/tables", map[string]any{"name": "bTable", "keyColumn": "nope", "schema": map[string]any{"a": map[string]any{"type": "string"}}}},
		{"POST", "/v1/tables", map[string]any{"name": "cTable", "factor": 99, "schema": map[string]any{"a": map[string]any{"type": "string"}}}},
		{"PUT", "/v1/tables/itemsTable", map[string]any{"schema": map[string]any{"n": map[string]any{"type": "rainbow"}}}},
		{"PUT", "/v1/tables/itemsTable", map[string]any{"factor": 0}},
		{"PUT", "/v1/tables/itemsTable/column", map[string]any{"name": "n", "newName": "has space"}},
		{"PUT", "/v1/tables/itemsTable/column", map[string]any{"name": "n", "newName": "id"}},
		{"POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{}}},
		{"POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"n": "not a number"}}}},
		{"POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": "nope"}},
		{"PUT", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"name": "no id"}}}},
		{"POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"rows": []any{map[string]any{"name": "x"}}, "keyColumn": "name"}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"limit": 5000}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"offset": -1}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"orderBy": "nope"}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"orderDirection": "sideways"}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"nope": 1}}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"name": map[string]any{"$regex": "(a|b)"}}}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"n": map[string]any{"$regex": "1"}}}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"group": map[string]any{"n": "median"}}},
		{"POST", "/v1/tables/itemsTable/rows/find", map[string]any{"group": map[string]any{"n": 3}}},
		{"POST", "/v1/tables/itemsTable/rows/delete", map[string]any{}},
		{"POST", "/v1/tables/itemsTable/rows/delete", map[string]any{"ids": []any{1}, "deleteAllRows": true}},
		{"GET", "/v1/tables/itemsTable/row?id=abc", nil},
	}
	for _, c := range cases {
		r := call(t, srv, c.method, c.path, tok, "bot", c.body)
		if r.status != 400 || r.body["type"] != "InvalidPayload" {
			t.Errorf("%s %s %v: %d %s", c.method, c.path, c.body, r.status, r.raw)
		}
	}
	// The bulk limit: 1,001 rows.
	rows := make([]any, 1001)
	for i := range rows {
		rows[i] = map[string]any{"name": "x"}
	}
	call(t, srv, "POST", "/v1/tables/itemsTable/rows", tok, "bot", map[string]any{"rows": rows}).wantError(t, 400, "InvalidPayload")
	// A body over the size limit.
	big := `{"rows":[{"name":"` + strings.Repeat("x", 33<<20) + `"}]}`
	call(t, srv, "POST", "/v1/tables/itemsTable/rows", tok, "bot", big).wantError(t, 413, "PayloadTooLarge")
	// No bot id.
	call(t, srv, "GET", "/v1/tables", tok, "", nil).wantError(t, 400, "InvalidPayload")
}

func TestUnknownTables(t *testing.T) {
	srv := setup(t)
	tok := srv.AdminToken
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/tables/nopeTable"}, {"PUT", "/v1/tables/nopeTable"}, {"DELETE", "/v1/tables/nopeTable"},
		{"POST", "/v1/tables/nopeTable/duplicate"}, {"PUT", "/v1/tables/nopeTable/column"},
		{"GET", "/v1/tables/nopeTable/row?id=1"}, {"POST", "/v1/tables/nopeTable/rows/find"},
		{"POST", "/v1/tables/nopeTable/rows"}, {"PUT", "/v1/tables/nopeTable/rows"},
		{"POST", "/v1/tables/nopeTable/rows/upsert"}, {"POST", "/v1/tables/nopeTable/rows/delete"},
		{"GET", "/v1/tables/999999"},
	} {
		body := map[string]any{"rows": []any{map[string]any{"id": 1, "name": "x"}}, "name": "n", "newName": "m"}
		call(t, srv, c.method, c.path, tok, "bot", body).wantError(t, 404, "ResourceNotFound")
	}
	// A bot without a database has no tables, and listing them is no error.
	if got := call(t, srv, "GET", "/v1/tables", tok, "fresh-bot", nil).ok(t)["tables"]; len(got.([]any)) != 0 {
		t.Fatalf("tables of a new bot: %v", got)
	}
	call(t, srv, "GET", "/v1/tables/itemsTable", tok, "fresh-bot", nil).wantError(t, 404, "ResourceNotFound")
	// Another bot's table is not found either.
	call(t, srv, "GET", "/v1/tables/itemsTable", tok, "other-bot", nil).wantError(t, 404, "ResourceNotFound")
	// A missing column in a rename.
	call(t, srv, "PUT", "/v1/tables/itemsTable/column", tok, "bot", map[string]any{"name": "nope", "newName": "x"}).wantError(t, 404, "ResourceNotFound")
	// A missing row in an update.
	call(t, srv, "PUT", "/v1/tables/itemsTable/rows", tok, "bot", map[string]any{"rows": []any{map[string]any{"id": 424242, "n": 1}}}).wantError(t, 404, "ResourceNotFound")
}

func TestTokensAndScopes(t *testing.T) {
	srv := setup(t)
	call(t, srv, "GET", "/v1/tables", "", "bot", nil).wantError(t, 401, "Unauthorized")
	call(t, srv, "GET", "/v1/tables", "gqb_invalid", "bot", nil).wantError(t, 401, "Unauthorized")
	reader := createToken(t, srv, "READ")
	writer := createToken(t, srv, "READ", "WRITE")
	call(t, srv, "POST", "/v1/tables/itemsTable/rows/find", reader, "bot", map[string]any{}).ok(t)
	call(t, srv, "POST", "/v1/tables/itemsTable/rows", reader, "bot", map[string]any{"rows": []any{map[string]any{"n": 1}}}).wantError(t, 403, "Forbidden")
	call(t, srv, "POST", "/v1/tables/itemsTable/rows/delete", reader, "bot", map[string]any{"deleteAllRows": true}).wantError(t, 403, "Forbidden")
	// getOrCreateTable of a new table needs the schema scope, and so does the first table of a new bot.
	call(t, srv, "POST", "/v1/tables/newTable", reader, "bot", map[string]any{"schema": map[string]any{"a": map[string]any{"type": "string"}}}).wantError(t, 403, "Forbidden")
	call(t, srv, "POST", "/v1/tables", writer, "new-bot", map[string]any{"name": "aTable", "schema": map[string]any{"a": map[string]any{"type": "string"}}}).wantError(t, 403, "Forbidden")
	call(t, srv, "POST", "/v1/tables/itemsTable/rows", writer, "bot", map[string]any{"rows": []any{map[string]any{"n": 1}}}).ok(t)
	call(t, srv, "PUT", "/v1/tables/itemsTable", writer, "bot", map[string]any{"name": "renamedTable"}).wantError(t, 403, "Forbidden")

	// A token restricted to another database cannot see this bot's tables.
	other := srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "elsewhere"}) { id } }`, nil).OK(t)
	dbID := testserver.Str(other, "createDatabase", "id")
	data := srv.Platform(t, srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "r", "scopes": []string{"READ", "WRITE"},
			"databases": []any{map[string]any{"databaseId": dbID, "access": "WRITE"}}}}).OK(t)
	restricted := testserver.Str(data, "createToken", "secret")
	call(t, srv, "POST", "/v1/tables/itemsTable/rows/find", restricted, "bot", map[string]any{}).wantError(t, 403, "Forbidden")
	call(t, srv, "GET", "/v1/tables", restricted, "elsewhere", nil).ok(t)
}

func TestUpdateTableSchemaAndKey(t *testing.T) {
	srv := setup(t)
	tok := srv.AdminToken
	upd := call(t, srv, "PUT", "/v1/tables/itemsTable", tok, "bot", map[string]any{
		"keyColumn": "name", "factor": 2,
		"schema": map[string]any{"properties": map[string]any{
			"n":    map[string]any{"type": "string", "description": "now text"},
			"note": map[string]any{"type": "string", "x-zui": map[string]any{"searchable": true}},
		}},
	}).ok(t)
	table := upd["table"].(map[string]any)
	props := table["schema"].(map[string]any)["properties"].(map[string]any)
	if table["keyColumn"] != "name" || fmt.Sprint(table["factor"]) != "2" || props["n"].(map[string]any)["type"] != "string" ||
		props["note"].(map[string]any)["x-zui"].(map[string]any)["searchable"] != true {
		t.Fatalf("updated table: %s", mustMarshal(table))
	}
	// The key column is unique now: upserts match on it.
	call(t, srv, "POST", "/v1/tables/itemsTable/rows/upsert", tok, "bot", map[string]any{"keyColumn": "name",
		"rows": []any{map[string]any{"name": "a", "n": "1"}}}).ok(t)
	res := call(t, srv, "POST", "/v1/tables/itemsTable/rows/upsert", tok, "bot", map[string]any{"keyColumn": "name",
		"rows": []any{map[string]any{"name": "a", "n": "2"}}}).ok(t)
	if len(res["updated"].([]any)) != 1 {
		t.Fatalf("upsert: %s", mustMarshal(res))
	}
	// Removing the key; a factor cannot shrink; more than 20 columns are refused.
	upd = call(t, srv, "PUT", "/v1/tables/itemsTable", tok, "bot", map[string]any{"keyColumn": nil}).ok(t)
	if upd["table"].(map[string]any)["keyColumn"] != nil {
		t.Fatalf("key kept: %s", mustMarshal(upd))
	}
	call(t, srv, "PUT", "/v1/tables/itemsTable", tok, "bot", map[string]any{"factor": 1}).wantError(t, 400, "InvalidPayload")
	many := map[string]any{}
	for i := 0; i < 19; i++ {
		many[fmt.Sprintf("c%d", i)] = map[string]any{"type": "string"}
	}
	call(t, srv, "PUT", "/v1/tables/itemsTable", tok, "bot", map[string]any{"schema": many}).wantError(t, 400, "InvalidPayload")
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
