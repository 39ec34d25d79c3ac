package airsequel_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type env struct {
	srv   *testserver.Server
	token string
	team  string // the admin's workspace name, once state has asked for it
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

// client sends requests to the server with token ("" for none).
func (e *env) client(token string) *apitest.Client { return apitest.New(e.srv.URL, token) }

// runner runs scenarios as the admin, each checked to leave the admin's workspace as it was
// (see state) unless it says it Changes it.
func (e *env) runner() apitest.Runner {
	return apitest.Runner{Client: e.client(e.token), State: e.state}
}

// state fingerprints what the API shows of the admin's workspace: each database (all but its
// size on disk, which a refused write may grow) with its settings and variables, its tables
// and its SQL dump (schema and rows), then the team's variables and tokens.
func (e *env) state(t testing.TB) string {
	t.Helper()
	c := e.client(e.token)
	if e.team == "" {
		e.team = testserver.Str(e.srv.Platform(t, e.token, `{ me { workspace { name } } }`, nil).OK(t), "me", "workspace", "name")
	}
	var b strings.Builder
	dbs, _ := c.Do(t, "GET", "/api/dbs", nil).Expect(t, http.StatusOK).Get("databases").([]any)
	for _, d := range dbs {
		db, _ := d.(map[string]any)
		delete(db, "size")
		b.Write(mustJSON(t, db))
		id := testserver.Str(db, "id")
		b.Write(c.Do(t, "GET", "/api/dbs/"+id+"/settings", nil).Expect(t, http.StatusOK).Raw)
		tables, _ := db["tables"].([]any)
		for _, tb := range tables {
			b.Write(c.Do(t, "GET", "/api/dbs/"+id+"/tables/"+testserver.Str(tb, "name"), nil).Expect(t, http.StatusOK).Raw)
		}
		b.WriteString(dumpState(c.Do(t, "GET", "/dbs/"+id+"/download", nil).Expect(t, http.StatusOK).Raw))
	}
	b.Write(c.Do(t, "GET", "/api/settings", nil).Expect(t, http.StatusOK).Raw)
	b.Write(c.Do(t, "GET", "/api/teams/"+e.team+"/tokens", nil).Expect(t, http.StatusOK).Raw)
	return b.String()
}

// dumpState is a dump without pg_dump's \restrict lines, whose key is new in every dump.
func dumpState(dump []byte) string {
	lines := strings.Split(string(dump), "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, `\restrict `) && !strings.HasPrefix(l, `\unrestrict `) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// fail is a scenario's expectation of an Airsequel error: the status, and one error in the
// envelope {"errors": [{message, code}]} with that code and a message that holds message.
func fail(sc apitest.Scenario, status int, code, message string) apitest.Scenario {
	if sc.Name == "" {
		sc.Name = sc.Method + " " + sc.Path + ": " + message
	}
	sc.Status = status
	sc.JSON = map[string]any{"errors.0.code": code}
	sc.Check = func(t testing.TB, r *apitest.Reply) {
		t.Helper()
		errs, _ := r.Get("errors").([]any)
		if len(errs) != 1 || !strings.Contains(r.Str("errors", 0, "message"), message) {
			t.Errorf("%s %s: want one error saying %q: %s", r.Method, r.Path, message, r.Raw)
		}
	}
	return sc
}

// bad is a request that must fail as fail says.
func bad(method, path string, body any, status int, code, message string) apitest.Scenario {
	return fail(apitest.Scenario{Method: method, Path: path, Body: body}, status, code, message)
}
