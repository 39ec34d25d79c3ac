package rest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

const tokenRestrictionFields = `id permissions allowedIps rateLimit scopes`

// permEnv is a bot (Botpress's x-bot-id: a database) with two tables, "allowed" and
// "secret", each holding a row.
type permEnv struct {
	srv                   *testserver.Server
	db, allowed, secret   string
	allowedRow, secretRow string
	bot                   *apitest.Client // the admin, as the bot
	tableIDs              map[string]string
}

func newPermEnv(t *testing.T) *permEnv {
	t.Helper()
	srv := testserver.Start(t)
	e := &permEnv{srv: srv, bot: apitest.New(srv.URL, srv.AdminToken).WithHeader("x-bot-id", "bot"), tableIDs: map[string]string{}}
	for _, name := range []string{"allowedTable", "secretTable"} {
		e.bot.Do(t, "POST", "/v1/tables", map[string]any{"name": name, "schema": map[string]any{"name": map[string]any{"type": "string"}}}).OK(t)
		e.bot.Do(t, "POST", "/v1/tables/"+name+"/rows", map[string]any{"rows": []any{map[string]any{"name": "row of " + name}}}).OK(t)
	}
	data := srv.Platform(t, srv.AdminToken, `{ databases { id name tables { id name } } }`, nil).OK(t)
	for _, d := range testserver.Get(data, "databases").([]any) {
		if testserver.Str(d, "name") != "bot" {
			continue
		}
		e.db = testserver.Str(d, "id")
		for _, tb := range testserver.Get(d, "tables").([]any) {
			e.tableIDs[testserver.Str(tb, "name")] = testserver.Str(tb, "id")
		}
	}
	e.allowed, e.secret = e.tableIDs["allowedTable"], e.tableIDs["secretTable"]
	if e.db == "" || e.allowed == "" || e.secret == "" {
		t.Fatalf("bot tables not found: %v", data)
	}
	rowOf := func(table string) string {
		d := srv.Platform(t, srv.AdminToken, `query($t: ID!) { rows(table: $t) { edges { node { id } } } }`, map[string]any{"t": table}).OK(t)
		return testserver.Str(d, "rows", "edges", 0, "node", "id")
	}
	e.allowedRow, e.secretRow = rowOf(e.allowed), rowOf(e.secret)
	return e
}

// rowsState is every row of both tables (values and versions), as SQL sees them.
func (e *permEnv) rowsState(t *testing.T) string {
	t.Helper()
	var b []byte
	for _, name := range []string{"allowedTable", "secretTable"} {
		var s string
		if err := e.srv.Store.DB().QueryRow(`SELECT coalesce(json_agg(r ORDER BY id)::text, '[]') FROM db_` + e.db + `."` + name + `" r`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		b = append(b, s...)
	}
	return string(b)
}

func num(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

// A token allowed to create and read rows of one table only: everything else it asks is
// refused with FORBIDDEN, on the platform API, the typed API, a Botpress route and a
// subscription, and changes nothing; the token's record shows its permissions.
func TestTokenPermissionsEnforcedOnEveryAPI(t *testing.T) {
	e := newPermEnv(t)
	grant := []any{[]any{"table", num(e.allowed)}}
	data := e.srv.Platform(t, e.srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret token { `+tokenRestrictionFields+` } } }`,
		map[string]any{"in": map[string]any{"name": "one table", "scopes": []string{"READ", "WRITE"},
			"permissions": map[string]any{"create": grant, "read": grant, "update": false}}}).OK(t)
	secret := testserver.Str(data, "createToken", "secret")
	shown, _ := json.Marshal(testserver.Get(data, "createToken", "token", "permissions"))
	if want := `{"create":[["table",` + e.allowed + `]],"delete":false,"read":[["table",` + e.allowed + `]],"update":false}`; string(shown) != want {
		t.Errorf("the token shows permissions %s, want %s", shown, want)
	}
	again := e.srv.Platform(t, e.srv.AdminToken, `{ tokens { name permissions } }`, nil).OK(t)
	if !json.Valid(shown) || testserver.Get(again, "tokens", 1, "permissions") == nil {
		t.Errorf("the token list does not show the permissions: %v", again)
	}

	allowedVars := map[string]any{"t": e.allowed, "id": e.allowedRow}
	secretVars := map[string]any{"t": e.secret, "id": e.secretRow}
	// What it may do.
	e.srv.Platform(t, secret, `query($t: ID!) { rows(table: $t) { edges { node { id } } } }`, allowedVars).OK(t)
	e.srv.Platform(t, secret, `mutation($t: ID!) { insertRow(table: $t, values: {name: "new"}) { id } }`, allowedVars).OK(t)
	typed := "/dbs/" + e.db + "/graphql"
	if r := e.srv.GraphQL(t, typed, secret, `{ allowedTable { name } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("typed read of the granted table: %s", r.Raw)
	}
	tok := apitest.New(e.srv.URL, secret).WithHeader("x-bot-id", "bot")
	tok.Do(t, "POST", "/v1/tables/allowedTable/rows/find", map[string]any{}).Expect(t, http.StatusOK)

	before := e.rowsState(t)
	platform := []struct {
		name, query string
		vars        map[string]any
	}{
		{"read another table", `query($t: ID!) { rows(table: $t) { edges { node { id } } } }`, secretVars},
		{"get a row of another table", `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { id } }`, secretVars},
		{"aggregate another table", `query($t: ID!) { aggregateRows(table: $t, aggregates: [{fn: COUNT}]) { values } }`, secretVars},
		{"insert into another table", `mutation($t: ID!) { insertRow(table: $t, values: {name: "x"}) { id } }`, secretVars},
		{"update a granted table", `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {name: "x"}) { id } }`, allowedVars},
		{"update many", `mutation($t: ID!) { updateRows(table: $t, where: {}, values: {name: "x"}) { id } }`, allowedVars},
		{"upsert", `mutation($t: ID!) { upsertRows(table: $t, rows: [{name: "x"}], keyColumn: "name") { inserted { id } } }`, allowedVars},
		{"delete from a granted table", `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, allowedVars},
	}
	for _, op := range platform {
		t.Run("platform/"+op.name, func(t *testing.T) {
			r := e.srv.Platform(t, secret, op.query, op.vars)
			if codeOf(r) != "FORBIDDEN" && codeOf(r) != "BAD_USER_INPUT" {
				t.Fatalf("got %s", r.Raw)
			}
			if codeOf(r) == "BAD_USER_INPUT" {
				t.Fatalf("the query itself is wrong: %s", r.Raw)
			}
		})
	}
	for name, q := range map[string]string{
		"read another table":       `{ secretTable { name } }`,
		"relationship-free nested": `{ allowedTable { name } secretTable_aggregate { aggregate { count } } }`,
		"insert into another":      `mutation { insert_secretTable(objects: [{name: "x"}]) { affected_rows } }`,
		"update granted":           `mutation { update_allowedTable(where: {}, _set: {name: "x"}) { affected_rows } }`,
		"delete granted":           `mutation { delete_allowedTable(where: {}) { affected_rows } }`,
	} {
		t.Run("typed/"+name, func(t *testing.T) {
			if r := e.srv.GraphQL(t, typed, secret, q, nil); codeOf(r) != "FORBIDDEN" {
				t.Fatalf("got %s", r.Raw)
			}
		})
	}
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/tables/secretTable/rows/find", map[string]any{}},
		{"POST", "/v1/tables/secretTable/rows", map[string]any{"rows": []any{map[string]any{"name": "x"}}}},
		{"PUT", "/v1/tables/allowedTable/rows", map[string]any{"rows": []any{map[string]any{"id": num(e.allowedRow), "name": "x"}}}},
		{"POST", "/v1/tables/allowedTable/rows/delete", map[string]any{"ids": []any{num(e.allowedRow)}}},
	} {
		t.Run("botpress/"+req.method+" "+req.path, func(t *testing.T) {
			tok.Do(t, req.method, req.path, req.body).Expect(t, http.StatusForbidden)
		})
	}
	t.Run("subscription", func(t *testing.T) {
		c := subscribe(t, e.srv, secret, "s1", rowEventsSub, map[string]any{"t": e.secret})
		if code := c.subscriptionEnded("s1", nil); code != "FORBIDDEN" {
			t.Errorf("a subscription to another table ended with %s, want FORBIDDEN", code)
		}
	})
	if after := e.rowsState(t); after != before {
		t.Errorf("refused operations changed rows:\nbefore %s\nafter  %s", before, after)
	}
}

// Bad permissions, networks and limits are refused precisely and create no token.
func TestTokenRestrictionsBadInput(t *testing.T) {
	e := newPermEnv(t)
	other := signUp(t, e.srv, "other@example.com")
	db := testserver.Str(e.srv.Platform(t, other.session, `mutation { createDatabase(input: {name: "theirs"}) { id } }`, nil).OK(t), "createDatabase", "id")
	cases := []struct {
		name  string
		extra map[string]any
		code  string
	}{
		{"operation not a grant", map[string]any{"permissions": map[string]any{"read": "yes"}}, "BAD_USER_INPUT"},
		{"unknown operation", map[string]any{"permissions": map[string]any{"drop": true}}, "BAD_USER_INPUT"},
		{"bad grant kind", map[string]any{"permissions": map[string]any{"read": []any{[]any{"row", 1}}}}, "BAD_USER_INPUT"},
		{"bad grant id", map[string]any{"permissions": map[string]any{"read": []any{[]any{"table", -3}}}}, "BAD_USER_INPUT"},
		{"database of another workspace", map[string]any{"permissions": map[string]any{"read": []any{[]any{"database", num(db)}}}}, "NOT_FOUND"},
		{"missing table", map[string]any{"permissions": map[string]any{"read": []any{[]any{"table", 999999}}}}, "NOT_FOUND"},
		{"not a network", map[string]any{"allowedIps": []string{"10.0.0.0/99"}}, "BAD_USER_INPUT"},
		{"zero rate", map[string]any{"rateLimit": 0}, "BAD_USER_INPUT"},
		{"huge rate", map[string]any{"rateLimit": 2000000}, "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := map[string]any{"name": "bad", "scopes": []string{"READ"}}
			for k, v := range c.extra {
				in[k] = v
			}
			refused(t, e.srv, e.srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`, map[string]any{"in": in}, c.code)
		})
	}
	// A token with permissions may not make a token without them (nor broader ones).
	narrow, _ := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "narrow", "scopes": []string{"READ", "ADMIN"},
		"permissions": map[string]any{"read": []any{[]any{"table", num(e.allowed)}}}})
	refused(t, e.srv, narrow, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "wide", "scopes": []string{"READ"}}}, "FORBIDDEN")
	refused(t, e.srv, narrow, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "other table", "scopes": []string{"READ"},
			"permissions": map[string]any{"read": []any{[]any{"table", num(e.secret)}}}}}, "FORBIDDEN")
	// updateToken replaces and removes them.
	_, id := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "u", "scopes": []string{"READ"}, "rateLimit": 10, "allowedIps": []string{"10.1.2.3"}})
	data := e.srv.Platform(t, e.srv.AdminToken, `mutation($id: ID!) { updateToken(id: $id, input: {rateLimit: 0, allowedIps: [], permissions: {read: true}}) { `+tokenRestrictionFields+` } }`,
		map[string]any{"id": id}).OK(t)
	if testserver.Get(data, "updateToken", "rateLimit") != nil || testserver.Get(data, "updateToken", "allowedIps") != nil ||
		testserver.Get(data, "updateToken", "permissions", "read") != true || testserver.Get(data, "updateToken", "permissions", "create") != false {
		t.Errorf("updateToken answered %v", data)
	}
}

// A token with an IP allowlist works only from its networks, on every API.
func TestTokenIPAllowlist(t *testing.T) {
	e := newPermEnv(t)
	elsewhere, _ := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "office", "scopes": []string{"READ"}, "allowedIps": []string{"10.0.0.0/8", "2001:db8::/32"}})
	local, id := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "local", "scopes": []string{"READ"}, "allowedIps": []string{"127.0.0.1"}})
	data := e.srv.Platform(t, e.srv.AdminToken, `query($id: ID!) { token(id: $id) { allowedIps } }`, map[string]any{"id": id}).OK(t)
	if got, _ := json.Marshal(testserver.Get(data, "token", "allowedIps")); string(got) != `["127.0.0.1/32"]` {
		t.Errorf("allowedIps shown as %s", got)
	}
	// The test client connects from 127.0.0.1.
	r := e.srv.Platform(t, elsewhere, `{ me { kind } }`, nil)
	if codeOf(r) != "FORBIDDEN" {
		t.Errorf("platform API from outside the allowlist: %s", r.Raw)
	}
	if r := e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", elsewhere, `{ allowedTable { name } }`, nil); codeOf(r) != "FORBIDDEN" {
		t.Errorf("typed API from outside the allowlist: %s", r.Raw)
	}
	apitest.New(e.srv.URL, elsewhere).WithHeader("x-bot-id", "bot").Do(t, "POST", "/v1/tables/allowedTable/rows/find", map[string]any{}).Expect(t, http.StatusForbidden)
	c := dialWS(t, e.srv, transportWS, nil)
	c.send(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"Authorization": "Bearer ` + elsewhere + `"}`)})
	if ce, _ := c.closed(10e9); ce == nil || ce.Code != 4403 {
		t.Errorf("a WebSocket from outside the allowlist was not refused with 4403: %v", ce)
	}

	e.srv.Platform(t, local, `{ me { kind } }`, nil).OK(t)
	ws := dialWS(t, e.srv, transportWS, nil)
	ws.init(transportWS, map[string]any{"Authorization": "Bearer " + local})
	if r := ws.query(transportWS, "q1", `{ me { kind } }`); testserver.Str(r.Data, "me", "kind") != "TOKEN" {
		t.Errorf("a WebSocket from inside the allowlist: %s", r.Raw)
	}
	if r := e.srv.GraphQL(t, "/dbs/"+e.db+"/graphql", local, `{ allowedTable { name } }`, nil); len(r.Errors) > 0 {
		t.Errorf("typed API from inside the allowlist: %s", r.Raw)
	}
}

// A token over its rate limit gets 429 with Retry-After on every HTTP API; other tokens do not.
func TestTokenRateLimit(t *testing.T) {
	e := newPermEnv(t)
	limited, _ := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "slow", "scopes": []string{"READ"}, "rateLimit": 3})
	free, _ := newToken(t, e.srv, e.srv.AdminToken, map[string]any{"name": "free", "scopes": []string{"READ"}})
	for i := 0; i < 3; i++ {
		e.srv.Platform(t, limited, `{ me { kind } }`, nil).OK(t)
	}
	for _, req := range []struct {
		path string
		body any
	}{
		{"/graphql", map[string]any{"query": `{ me { kind } }`}},
		{"/dbs/" + e.db + "/graphql", map[string]any{"query": `{ allowedTable { name } }`}},
		{"/v1/tables/allowedTable/rows/find", map[string]any{}},
	} {
		r := apitest.New(e.srv.URL, limited).WithHeader("x-bot-id", "bot").Do(t, "POST", req.path, req.body)
		if r.Status != http.StatusTooManyRequests {
			t.Errorf("%s over the limit: %d %s", req.path, r.Status, r.Raw)
			continue
		}
		if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
			t.Errorf("%s: Retry-After %q", req.path, r.Header.Get("Retry-After"))
		}
		if code := replyCode(r); code != "RATE_LIMITED" {
			t.Errorf("%s: code %q in %s", req.path, code, r.Raw)
		}
	}
	for i := 0; i < 10; i++ {
		e.srv.Platform(t, free, `{ me { kind } }`, nil).OK(t)
	}
}
