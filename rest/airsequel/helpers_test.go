package airsequel_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type env struct {
	srv   *testserver.Server
	token string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := testserver.Start(t)
	return &env{srv: srv, token: srv.AdminToken}
}

type reply struct {
	status int
	header http.Header
	raw    []byte
	body   any
}

func (r *reply) get(path ...any) any { return testserver.Get(r.body, path...) }
func (r *reply) str(path ...any) string {
	return testserver.Str(r.body, path...)
}

// errorCode is the code of an Airsequel error body.
func (r *reply) errorCode() string { return r.str("errors", 0, "code") }

// do sends a request with a token ("" for none) and a body (nil, a string sent as is, or a value
// encoded as JSON).
func (e *env) do(t testing.TB, method, path, token string, body any) *reply {
	t.Helper()
	r := apitest.New(e.srv.URL, token).Do(t, method, path, body)
	if r.JSONError != nil {
		t.Fatalf("%v: %s", r.JSONError, r.Raw)
	}
	return &reply{status: r.Status, header: r.Header, raw: r.Raw, body: r.Body}
}

// ok sends a request as the admin and fails unless the status is want.
func (e *env) ok(t testing.TB, want int, method, path string, body any) *reply {
	t.Helper()
	r := e.do(t, method, path, e.token, body)
	if r.status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.raw)
	}
	return r
}

// createDB creates a database through POST /api/dbs (with optional SQL) and returns its id.
func (e *env) createDB(t testing.TB, name, query string) string {
	t.Helper()
	body := map[string]any{"name": name}
	if query != "" {
		body["query"] = query
	}
	return e.ok(t, http.StatusOK, "POST", "/api/dbs", body).str("id")
}

// platformToken makes a token through the platform GraphQL API.
func (e *env) platformToken(t testing.TB, scopes ...string) string {
	t.Helper()
	data := e.srv.Platform(t, e.token, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "t", "scopes": scopes}}).OK(t)
	return testserver.Str(data, "createToken", "secret")
}

func (e *env) sql(t testing.TB, db, query string) *reply {
	t.Helper()
	return e.ok(t, http.StatusOK, "POST", "/dbs/"+db+"/sql", map[string]any{"query": query})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
