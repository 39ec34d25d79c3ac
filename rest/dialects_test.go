package rest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest/airsequel"
	"github.com/gqlbase/gqlbase/rest/botpress"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// dialectFixture is a server with a Botpress bot ("bot") holding ordersTable, an Airsequel
// database with a users table, an env var, an extra token, and a read-only token.
type dialectFixture struct {
	srv      *testserver.Server
	readOnly string
	dbID     string
	tokenID  string
	values   map[string]string // path wildcard → value
}

type dialectReply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func dialectDo(t testing.TB, srv *testserver.Server, method, path, token string, headers map[string]string, body any) *dialectReply {
	t.Helper()
	r := apitest.New(srv.URL, token).Send(t, method, path, headers, body)
	return &dialectReply{status: r.Status, header: r.Header, raw: r.Raw, body: r.Object()}
}

func newDialectFixture(t *testing.T) *dialectFixture {
	t.Helper()
	srv := testserver.Start(t)
	f := &dialectFixture{srv: srv}
	data := srv.Platform(t, srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "reader", "scopes": []string{"READ"}}}).OK(t)
	f.readOnly = testserver.Str(data, "createToken", "secret")
	bot := map[string]string{"x-bot-id": "bot"}
	must := func(r *dialectReply, want int) *dialectReply {
		t.Helper()
		if r.status != want {
			t.Fatalf("fixture: status %d: %s", r.status, r.raw)
		}
		return r
	}
	must(dialectDo(t, srv, "POST", "/v1/tables", srv.AdminToken, bot, map[string]any{
		"name": "ordersTable", "schema": map[string]any{"item": map[string]any{"type": "string"}, "qty": map[string]any{"type": "number"}},
	}), 200)
	must(dialectDo(t, srv, "POST", "/v1/tables/ordersTable/rows", srv.AdminToken, bot, map[string]any{
		"rows": []any{map[string]any{"item": "tea", "qty": 2}}}), 200)
	r := must(dialectDo(t, srv, "POST", "/api/dbs", srv.AdminToken, nil, map[string]any{
		"name": "app", "query": "CREATE TABLE users (name TEXT, age INTEGER); INSERT INTO users (name, age) VALUES ('Ann', 30)"}), 200)
	f.dbID, _ = r.body["id"].(string)
	must(dialectDo(t, srv, "POST", "/api/dbs/"+f.dbID+"/env", srv.AdminToken, nil, map[string]any{"name": "KEY", "value": "v"}), 200)
	must(dialectDo(t, srv, "POST", "/api/settings/env", srv.AdminToken, nil, map[string]any{"name": "KEY", "value": "v"}), 200)
	tok := must(dialectDo(t, srv, "POST", "/api/tokens", srv.AdminToken, nil, map[string]any{
		"name": "other", "permissions": []any{map[string]any{"db_id": f.dbID, "name": "read"}}}), 200)
	f.tokenID = string(mustNumber(tok.body["id"]))
	fn := srv.Platform(t, srv.AdminToken, `mutation($db: ID!) { createFunction(input: {databaseId: $db, name: "fx", code: "export default () => 1"}) { id } }`,
		map[string]any{"db": f.dbID}).OK(t)
	ws := srv.Platform(t, srv.AdminToken, `{ me { workspace { name } } }`, nil).OK(t)
	f.values = map[string]string{
		"table": "ordersTable", "sourceTableId": "ordersTable", "dbId": f.dbID, "tableId": "users", "column": "age",
		"varName": "KEY", "tokenId": f.tokenID, "teamName": testserver.Str(ws, "me", "workspace", "name"),
		"searchTerm": "Ann", "funcId": testserver.Str(fn, "createFunction", "id"), "versionId": "1",
	}
	return f
}

func mustNumber(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func (f *dialectFixture) path(rt *restkit.Route) string {
	p := rt.Path
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			return p
		}
		j := strings.IndexByte(p[i:], '}') + i
		v, ok := f.values[p[i+1:j]]
		if !ok {
			v = "x"
		}
		p = p[:i] + v + p[j+1:]
	}
}

// sampleBodies are valid bodies of the write routes, so a refusal comes from the scope.
var sampleBodies = map[string]any{
	"POST /v1/tables":                                         map[string]any{"name": "newTable", "schema": map[string]any{"a": map[string]any{"type": "string"}}},
	"POST /v1/tables/{table}":                                 map[string]any{"schema": map[string]any{"a": map[string]any{"type": "string"}}},
	"PUT /v1/tables/{table}":                                  map[string]any{"tags": map[string]any{"k": "v"}},
	"POST /v1/tables/{sourceTableId}/duplicate":               map[string]any{"tableName": "copyTable"},
	"PUT /v1/tables/{table}/column":                           map[string]any{"name": "qty", "newName": "quantity"},
	"POST /v1/tables/{table}/rows":                            map[string]any{"rows": []any{map[string]any{"item": "x"}}},
	"PUT /v1/tables/{table}/rows":                             map[string]any{"rows": []any{map[string]any{"id": 1, "item": "x"}}},
	"POST /v1/tables/{table}/rows/upsert":                     map[string]any{"rows": []any{map[string]any{"item": "x"}}},
	"POST /v1/tables/{table}/rows/delete":                     map[string]any{"ids": []any{1}},
	"POST /v1/tables/{table}/rows/find":                       map[string]any{},
	"POST /api/dbs":                                           map[string]any{"name": "other"},
	"PATCH /api/dbs/{dbId}":                                   map[string]any{"name": "renamed"},
	"PATCH /api/dbs/{dbId}/settings":                          map[string]any{"auditing": true},
	"PUT /api/dbs/{dbId}/tables/{tableId}":                    map[string]any{},
	"PATCH /api/dbs/{dbId}/tables/{tableId}":                  map[string]any{"description": "d"},
	"PUT /api/dbs/{dbId}/tables/{tableId}/columns/{column}":   map[string]any{"sqliteDataType": "TEXT"},
	"PATCH /api/dbs/{dbId}/tables/{tableId}/columns/{column}": map[string]any{"isNonNull": false},
	"POST /api/dbs/{dbId}/env":                                map[string]any{"name": "NEW", "value": "v"},
	"PATCH /api/dbs/{dbId}/env/{varName}":                     map[string]any{"value": "w"},
	"PATCH /api/settings":                                     map[string]any{"envVars": []any{map[string]any{"name": "A", "value": "b"}}},
	"POST /api/settings/env":                                  map[string]any{"name": "NEW", "value": "v"},
	"PATCH /api/settings/env/{varName}":                       map[string]any{"value": "w"},
	"POST /api/tokens":                                        map[string]any{"name": "x", "permissions": []any{map[string]any{"db_id": "1", "name": "read"}}},
	"PATCH /api/tokens/{tokenId}":                             map[string]any{"name": "renamed"},
	"POST /dbs/{dbId}/sql":                                    map[string]any{"query": "INSERT INTO users (name) VALUES ('x')"},
	"POST /api/dbs/{dbId}/functions":                          map[string]any{"name": "other", "content": "export default () => 2"},
	"PATCH /api/dbs/{dbId}/functions/{funcId}":                map[string]any{"description": "d"},
	"POST /api/dbs/{dbId}/functions/{funcId}/republish":       map[string]any{"version": "1"},
}

// readsNeedingMore are GET routes a read-only token may not use (admin or schema scope).
var readsNeedingMore = map[string]bool{
	"GET /api/dbs/{dbId}/env": true, "GET /api/settings/env": true, "GET /api/settings": true,
	"GET /api/teams/{teamName}/tokens": true, "GET /api/tokens/{tokenId}": true, "GET /dbs/{dbId}/regenerate-readonly-id": true,
	"GET /api/dbs/{dbId}/functions/{funcId}/invocations": true, "GET /fns/{funcId}": true,
}

// readPosts are POST routes that only read (getOrCreateTable of a table that exists).
var readPosts = map[string]bool{"POST /v1/tables/{table}/rows/find": true, "POST /v1/tables/{table}": true}

// TestDialectRouteMatrix sends every route of every dialect without a token, with an invalid
// token and with a read-only token, and checks the status and the dialect's error envelope.
func TestDialectRouteMatrix(t *testing.T) {
	f := newDialectFixture(t)
	dialects := []*restkit.Dialect{botpress.New(botpress.Deps{}), airsequel.New(airsequel.Deps{})}
	checked := 0
	for _, d := range dialects {
		for i := range d.Routes {
			rt := &d.Routes[i]
			key := rt.Method + " " + rt.Path
			path := f.path(rt)
			headers := map[string]string{"x-bot-id": "bot"}
			body := sampleBodies[key]
			if body == nil && rt.Method != "GET" && rt.Method != "DELETE" {
				body = map[string]any{}
			}
			envelope := func(r *dialectReply, token string) {
				t.Helper()
				switch d.Name {
				case "botpress":
					if r.body["type"] == nil || r.body["id"] == nil || r.body["message"] == nil || r.body["code"] == nil {
						t.Errorf("%s (%s): not a Botpress error: %s", key, token, r.raw)
					}
				case "airsequel":
					errs, _ := r.body["errors"].([]any)
					if len(errs) != 1 {
						t.Errorf("%s (%s): not an Airsequel error: %s", key, token, r.raw)
					}
				}
			}
			if rt.NotImplemented {
				r := dialectDo(t, f.srv, rt.Method, path, f.srv.AdminToken, headers, body)
				if r.status != http.StatusNotImplemented {
					t.Errorf("%s: status %d, want 501: %s", key, r.status, r.raw)
				}
				envelope(r, "admin")
				checked++
				continue
			}
			if rt.Public {
				continue
			}
			for _, token := range []string{"", "gqb_invalid_token_0123456789abcdef"} {
				r := dialectDo(t, f.srv, rt.Method, path, token, headers, body)
				if r.status != http.StatusUnauthorized {
					t.Errorf("%s with token %q: status %d, want 401: %s", key, token, r.status, r.raw)
				}
				envelope(r, token)
			}
			if readPosts[key] {
				if r := dialectDo(t, f.srv, rt.Method, path, f.readOnly, headers, body); r.status != http.StatusOK {
					t.Errorf("%s with a read-only token: status %d, want 200: %s", key, r.status, r.raw)
				}
			} else if rt.Method != "GET" || readsNeedingMore[key] {
				if rt.Method == "DELETE" && strings.Contains(rt.Path, "{tokenId}") {
					continue // a token may revoke itself; another one needs the admin scope (tested apart)
				}
				r := dialectDo(t, f.srv, rt.Method, path, f.readOnly, headers, body)
				if r.status != http.StatusForbidden {
					t.Errorf("%s with a read-only token: status %d, want 403: %s", key, r.status, r.raw)
				}
				envelope(r, "read-only")
			}
			checked++
		}
	}
	if checked < 80 {
		t.Errorf("checked %d routes", checked)
	}
}

// TestDocs checks the OpenAPI document (every route of every dialect, with its parameters) and
// the page that renders it.
func TestDocs(t *testing.T) {
	srv := testserver.Start(t)
	r := dialectDo(t, srv, "GET", "/docs/openapi.json", "", nil, nil)
	if r.status != 200 || r.body["openapi"] != "3.1.0" {
		t.Fatalf("document: %d %.200s", r.status, r.raw)
	}
	paths, _ := r.body["paths"].(map[string]any)
	for _, d := range []*restkit.Dialect{botpress.New(botpress.Deps{}), airsequel.New(airsequel.Deps{})} {
		for _, rt := range d.Routes {
			item, _ := paths[rt.Path].(map[string]any)
			op, _ := item[strings.ToLower(rt.Method)].(map[string]any)
			if op == nil {
				t.Errorf("%s %s is not in the document", rt.Method, rt.Path)
				continue
			}
			if strings.Contains(rt.Path, "{") && op["parameters"] == nil {
				t.Errorf("%s %s: no path parameters", rt.Method, rt.Path)
			}
			if rt.Body != nil && op["requestBody"] == nil {
				t.Errorf("%s %s: no request body", rt.Method, rt.Path)
			}
		}
	}
	ids := map[string]bool{}
	for _, item := range paths {
		for _, op := range item.(map[string]any) {
			id, _ := op.(map[string]any)["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("operationId %q missing or repeated", id)
			}
			ids[id] = true
		}
	}
	page := dialectDo(t, srv, "GET", "/docs", "", nil, nil)
	if page.status != 200 || !strings.Contains(string(page.raw), "/docs/assets/docs.js") ||
		!strings.Contains(page.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("page: %d %s %s", page.status, page.header, page.raw)
	}
	for _, asset := range []string{"/docs/assets/docs.js", "/docs/assets/docs.css"} {
		a := dialectDo(t, srv, "GET", asset, "", nil, nil)
		if a.status != 200 || len(a.raw) < 100 || strings.Contains(string(a.raw), "http://") || strings.Contains(string(a.raw), "https://") {
			t.Errorf("%s: %d (%d bytes; must load nothing from elsewhere)", asset, a.status, len(a.raw))
		}
	}
}
