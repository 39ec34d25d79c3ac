package rest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const (
	createFunctionQuery = `mutation($in: CreateFunctionInput!) { createFunction(input: $in) { id name currentVersion latestVersion scopes } }`
	runFunctionQuery    = `mutation($id: ID!, $in: JSON) { runFunction(id: $id, input: $in) { invocationId output logs error durationMs } }`
)

func createFunction(t testing.TB, srv *testserver.Server, token string, in map[string]any) string {
	t.Helper()
	data := srv.Platform(t, token, createFunctionQuery, map[string]any{"in": in}).OK(t)
	return testserver.Str(data, "createFunction", "id")
}

func runFunction(t *testing.T, srv *testserver.Server, token, id string, input any) map[string]any {
	t.Helper()
	data := srv.Platform(t, token, runFunctionQuery, map[string]any{"id": id, "in": input}).OK(t)
	return testserver.Get(data, "runFunction").(map[string]any)
}

// A function runs with a JSON input, versions are kept and republished, a runaway loop ends
// with a timeout and the next call works, and every call is in the invocation log.
func TestFunctionLifecycle(t *testing.T) {
	e := newDataEnv(t)
	id := createFunction(t, e.srv, e.token, map[string]any{"databaseId": e.db, "name": "sum",
		"code": "export default (input) => ({ sum: input.a + input.b })"})
	run := runFunction(t, e.srv, e.token, id, map[string]any{"a": 1, "b": 2})
	if got := asJSON(run["output"]); got != `{"sum":3}` || run["error"] != nil {
		t.Fatalf("run: %v", run)
	}

	data := e.ok(t, `mutation($id: ID!) { updateFunction(id: $id, input: {code: "export default () => { while (true) {} }", timeoutMs: 100}) { currentVersion latestVersion } }`, map[string]any{"id": id})
	if asJSON(testserver.Get(data, "updateFunction")) != `{"currentVersion":2,"latestVersion":2}` {
		t.Fatalf("update: %v", data)
	}
	run = runFunction(t, e.srv, e.token, id, nil)
	if msg, _ := run["error"].(string); !strings.Contains(msg, "timeout") || run["output"] != nil {
		t.Fatalf("loop: %v", run)
	}
	e.ok(t, `mutation($id: ID!) { republishFunction(id: $id, version: 1) { currentVersion } }`, map[string]any{"id": id})
	run = runFunction(t, e.srv, e.token, id, map[string]any{"a": 40, "b": 2})
	if got := asJSON(run["output"]); got != `{"sum":42}` {
		t.Fatalf("after republish: %v", run)
	}

	data = e.ok(t, `query($id: ID!) { function(id: $id) { versions { version } } functionInvocations(functionId: $id, first: 2) { invocations { version trigger error input } hasNextPage endCursor } }`, map[string]any{"id": id})
	if got := asJSON(testserver.Get(data, "function", "versions")); got != `[{"version":2},{"version":1}]` {
		t.Errorf("versions: %s", got)
	}
	invs := testserver.Get(data, "functionInvocations", "invocations").([]any)
	if len(invs) != 2 || asJSON(testserver.Get(invs[0], "version")) != "1" || asJSON(testserver.Get(invs[1], "version")) != "2" ||
		testserver.Str(invs[0], "trigger") != "api" || !strings.Contains(testserver.Str(invs[1], "error"), "timeout") {
		t.Errorf("invocations: %s", asJSON(invs))
	}
	if testserver.Get(data, "functionInvocations", "hasNextPage") != true {
		t.Errorf("three calls, a page of two: %s", asJSON(data))
	}
	cursor := testserver.Str(data, "functionInvocations", "endCursor")
	data = e.ok(t, `query($id: ID!, $after: String) { functionInvocations(functionId: $id, first: 2, after: $after) { invocations { version } hasNextPage } }`, map[string]any{"id": id, "after": cursor})
	if got := asJSON(testserver.Get(data, "functionInvocations")); got != `{"hasNextPage":false,"invocations":[{"version":1}]}` {
		t.Errorf("second page: %s", got)
	}

	// Bad input changes nothing.
	for _, tc := range []struct {
		in   map[string]any
		code string
	}{
		{map[string]any{"databaseId": e.db, "name": "bad", "code": "export default ("}, "BAD_USER_INPUT"},
		{map[string]any{"databaseId": e.db, "name": "sum", "code": "export default () => 1"}, "CONFLICT"},
		{map[string]any{"databaseId": e.db, "name": " padded", "code": "export default () => 1"}, "BAD_USER_INPUT"},
		{map[string]any{"databaseId": e.db, "name": "t", "code": "export default () => 1", "timeoutMs": 60000}, "BAD_USER_INPUT"},
		{map[string]any{"databaseId": e.db, "name": "adm", "code": "export default () => 1", "scopes": []string{"ADMIN"}}, "BAD_USER_INPUT"},
	} {
		e.refuseAdmin(t, createFunctionQuery, map[string]any{"in": tc.in}, tc.code)
	}
	e.refuseAdmin(t, `mutation($id: ID!) { republishFunction(id: $id, version: 9) { id } }`, map[string]any{"id": id}, "NOT_FOUND")

	e.ok(t, `mutation($id: ID!) { deleteFunction(id: $id) }`, map[string]any{"id": id})
	e.refuseAdmin(t, runFunctionQuery, map[string]any{"id": id}, "NOT_FOUND")
}

// ctx.db reads and writes rows with the function's own rights: a read-only function cannot
// insert, a token cannot give a function more than it holds, and a function's writes are
// recorded as its own.
func TestFunctionsActWithTheirOwnRights(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "tasks", colDef{"name": "title", "type": "TEXT"})
	e.insert(t, table, map[string]any{"title": "first"})
	code := `export default async (input, ctx) => {
		if (input.write) await ctx.db.insert("tasks", {title: input.write});
		const rows = ctx.db.list("tasks", {orderBy: [{column: "title", direction: "ASC"}]});
		ctx.log("rows", rows.length);
		return rows.map(r => r.title);
	}`
	writer := createFunction(t, e.srv, e.token, map[string]any{"databaseId": e.db, "name": "writer", "code": code})
	run := runFunction(t, e.srv, e.token, writer, map[string]any{"write": "second"})
	if got := asJSON(run["output"]); got != `["first","second"]` || asJSON(run["logs"]) != `["rows 2"]` {
		t.Fatalf("writer: %v", run)
	}
	if got := e.sqlText(t, `SELECT actor FROM row_history ORDER BY id DESC LIMIT 1`); got != "function:"+writer {
		t.Errorf("the insert was recorded as %q", got)
	}

	reader := createFunction(t, e.srv, e.token, map[string]any{"databaseId": e.db, "name": "reader", "code": code, "scopes": []string{"READ"}})
	run = runFunction(t, e.srv, e.token, reader, map[string]any{"write": "third"})
	if msg, _ := run["error"].(string); !strings.Contains(msg, "write") {
		t.Fatalf("a read-only function inserted: %v", run)
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM function_invocations`); n != 2 {
		t.Errorf("%d invocations recorded", n)
	}

	// A token with read and schema scopes cannot make a function that writes.
	tok, _ := newToken(t, e.srv, e.token, map[string]any{"name": "rs", "scopes": []string{"READ", "SCHEMA"}})
	e.refuse(t, tok, createFunctionQuery, map[string]any{"in": map[string]any{"databaseId": e.db, "name": "sneaky", "code": code}}, "FORBIDDEN")
	// Nor run one (running needs write on the database).
	e.refuse(t, tok, runFunctionQuery, map[string]any{"id": writer}, "FORBIDDEN")

	// Another database's tables are out of reach.
	other := e.createDatabase(t, "other")
	otherFn := createFunction(t, e.srv, e.token, map[string]any{"databaseId": other, "name": "peek", "code": `export default (i, ctx) => ctx.db.list("tasks")`})
	run = runFunction(t, e.srv, e.token, otherFn, nil)
	if msg, _ := run["error"].(string); !strings.Contains(msg, "not found") {
		t.Fatalf("a function read another database's table: %v", run)
	}
}

// A function's rights follow its creator's role: an editor's function loses write when the
// editor becomes a viewer, and stops running when the editor leaves the workspace.
func TestFunctionRightsFollowTheCreatorsRole(t *testing.T) {
	srv := testserver.Start(t)
	owner := signUp(t, srv, "owner@example.com")
	editor := signUp(t, srv, "editor@example.com")
	inv := srv.Platform(t, owner.session, `mutation($ws: ID!) { inviteMember(workspaceId: $ws, email: "editor@example.com", role: EDITOR) { secret member { id } } }`,
		map[string]any{"ws": owner.workspaceID}).OK(t)
	memberID := testserver.Str(inv, "inviteMember", "member", "id")
	srv.Platform(t, editor.session, `mutation($s: String!) { acceptInvitation(secret: $s) { id } }`,
		map[string]any{"s": testserver.Str(inv, "inviteMember", "secret")}).OK(t)
	db := testserver.Str(srv.Platform(t, owner.session, `mutation($ws: ID!) { createDatabase(input: {name: "d", workspaceId: $ws}) { id } }`,
		map[string]any{"ws": owner.workspaceID}).OK(t), "createDatabase", "id")
	srv.Platform(t, owner.session, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"databaseId": db, "name": "t", "columns": []any{map[string]any{"name": "x", "type": "TEXT"}}}}).OK(t)
	id := createFunction(t, srv, editor.session, map[string]any{"databaseId": db, "name": "w", "code": `export default (i, ctx) => ctx.db.insert("t", {x: "y"}).x`})
	if run := runFunction(t, srv, owner.session, id, nil); asJSON(run["output"]) != `"y"` {
		t.Fatalf("the editor's function: %v", run)
	}
	srv.Platform(t, owner.session, `mutation($m: ID!) { updateMemberRole(memberId: $m, role: VIEWER) { role } }`, map[string]any{"m": memberID}).OK(t)
	if run := runFunction(t, srv, owner.session, id, nil); run["output"] != nil || !strings.Contains(asJSON(run["error"]), "write") {
		t.Fatalf("a viewer's function still writes: %v", run)
	}
	srv.Platform(t, owner.session, `mutation($m: ID!) { removeMember(memberId: $m) }`, map[string]any{"m": memberID}).OK(t)
	resp := srv.Platform(t, owner.session, runFunctionQuery, map[string]any{"id": id})
	if resp.ErrorCode(t) != "FORBIDDEN" || !strings.Contains(string(resp.Raw), "no longer a member") {
		t.Fatalf("a function of a former member ran: %s", resp.Raw)
	}
}

// fetch reaches only the workspace's allowed hosts, and only public addresses unless the
// server allows private targets.
func TestFunctionFetchAllowlist(t *testing.T) {
	srv := testserver.StartWith(t, testserver.Options{AllowPrivateTargets: true})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+string(body))
		w.WriteHeader(201)
		_, _ = w.Write([]byte("pong"))
	}))
	defer receiver.Close()
	db := testserver.Str(srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "d"}) { id } }`, nil).OK(t), "createDatabase", "id")
	id := createFunction(t, srv, srv.AdminToken, map[string]any{"databaseId": db, "name": "f",
		"code": `export default (url, ctx) => { const r = ctx.fetch(url, {method: "POST", body: "ping"}); return [r.status, r.headers["x-seen"], r.body] }`})
	url := strings.Replace(receiver.URL, "127.0.0.1", "localhost", 1)
	run := runFunction(t, srv, srv.AdminToken, id, url)
	if msg, _ := run["error"].(string); !strings.Contains(msg, "not on the workspace's fetch allowlist") {
		t.Fatalf("fetch before any host was allowed: %v", run)
	}
	srv.Platform(t, srv.AdminToken, `mutation { setFunctionFetchHosts(hosts: ["localhost"]) }`, nil).OK(t)
	run = runFunction(t, srv, srv.AdminToken, id, url)
	if got := asJSON(run["output"]); got != `[201,"POST ping","pong"]` {
		t.Fatalf("fetch to an allowed host: %v", run)
	}
	run = runFunction(t, srv, srv.AdminToken, id, "file:///etc/passwd")
	if run["error"] == nil {
		t.Fatalf("fetch of a file URL: %v", run)
	}
	resp := srv.Platform(t, srv.AdminToken, `mutation { setFunctionFetchHosts(hosts: ["not a host"]) }`, nil)
	if resp.ErrorCode(t) != "BAD_USER_INPUT" {
		t.Fatalf("bad host: %s", resp.Raw)
	}
}

// Without --allow-private-targets an allowed host that resolves to loopback is refused.
func TestFunctionFetchRefusesPrivateAddresses(t *testing.T) {
	srv := testserver.Start(t)
	db := testserver.Str(srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "d"}) { id } }`, nil).OK(t), "createDatabase", "id")
	id := createFunction(t, srv, srv.AdminToken, map[string]any{"databaseId": db, "name": "f", "code": `export default (url, ctx) => ctx.fetch(url).status`})
	srv.Platform(t, srv.AdminToken, `mutation { setFunctionFetchHosts(hosts: ["localhost"]) }`, nil).OK(t)
	run := runFunction(t, srv, srv.AdminToken, id, "http://localhost:9/")
	if msg, _ := run["error"].(string); !strings.Contains(msg, "not allowed") {
		t.Fatalf("fetch to loopback: %v", run)
	}
}
