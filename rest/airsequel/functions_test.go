package airsequel_test

import (
	"net/http"
	"strings"
	"testing"
)

// Airsequel's function routes: create, get, list, update (a new version), republish, get a
// version, call through /fns with the request as input, read the invocations, delete.
func TestAirsequelFunctions(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "fns", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
	base := "/api/dbs/" + db + "/functions"
	created := e.ok(t, http.StatusOK, "POST", base, map[string]any{"name": "Awesome Function", "runtime": "deno",
		"content": `export default async (req, ctx) => { console.info("called", req.method); const n = ctx.db.insert("notes", {body: req.body.text}); return {method: req.method, q: req.query.x, note: n.body, auth: req.headers.authorization ?? null} }`})
	id := created.str("id")
	if created.str("name") != "Awesome Function" || string(mustJSON(t, created.get("versions"))) != `["1"]` {
		t.Fatalf("create: %s", created.raw)
	}

	called := e.ok(t, http.StatusOK, "POST", "/fns/"+id+"?x=7", map[string]any{"text": "hello"})
	if got := string(called.raw); got != `{"method":"POST","q":"7","note":"hello","auth":null}` {
		t.Fatalf("call: %s", got)
	}
	if rows := e.sql(t, db, "SELECT body FROM notes"); string(mustJSON(t, rows.get("rows"))) != `[{"body":"hello"}]` {
		t.Fatalf("the function's insert: %s", rows.raw)
	}

	saved := e.ok(t, http.StatusOK, "PATCH", base+"/"+id, map[string]any{"content": `export default () => { throw new Error("broken") }`})
	if saved.str("id") != id {
		t.Fatalf("patch: %s", saved.raw)
	}
	failed := e.do(t, "GET", "/fns/"+id, e.token, nil)
	if failed.status != http.StatusInternalServerError || !strings.Contains(string(failed.raw), "Error: broken") {
		t.Fatalf("a failing function: %d %s", failed.status, failed.raw)
	}
	v1 := e.ok(t, http.StatusOK, "GET", base+"/"+id+"/versions/1", nil)
	if !strings.Contains(v1.str("content"), "ctx.db.insert") || string(mustJSON(t, v1.get("versions"))) != `["2","1"]` {
		t.Fatalf("version 1: %s", v1.raw)
	}
	e.ok(t, http.StatusOK, "POST", base+"/"+id+"/republish", map[string]any{"version": "1", "runtime": "deno"})
	if got := e.ok(t, http.StatusOK, "GET", base+"/"+id, nil).str("content"); !strings.Contains(got, "ctx.db.insert") {
		t.Fatalf("after republish: %s", got)
	}

	inv := e.ok(t, http.StatusOK, "GET", base+"/"+id+"/invocations", nil)
	list := inv.get("invocations").([]any)
	if len(list) != 2 || !strings.Contains(string(mustJSON(t, list[1])), `"message":"called POST"`) ||
		!strings.Contains(string(mustJSON(t, list[0])), "broken") {
		t.Fatalf("invocations: %s", inv.raw)
	}
	if got := e.ok(t, http.StatusOK, "GET", base, nil); len(got.get("functions").([]any)) != 1 {
		t.Fatalf("list: %s", got.raw)
	}

	// Refusals: bad code, an unknown version, no credentials, a read-only token calling.
	if r := e.do(t, "POST", base, e.token, map[string]any{"name": "bad", "content": "export default ("}); r.status != http.StatusBadRequest {
		t.Fatalf("bad code: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "POST", base+"/"+id+"/republish", e.token, map[string]any{"version": "9"}); r.status != http.StatusNotFound {
		t.Fatalf("unknown version: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "POST", "/fns/"+id, "", map[string]any{}); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous call: %d %s", r.status, r.raw)
	}
	reader := e.platformToken(t, "READ")
	if r := e.do(t, "POST", "/fns/"+id, reader, map[string]any{"text": "x"}); r.status != http.StatusForbidden {
		t.Fatalf("read-only call: %d %s", r.status, r.raw)
	}

	e.ok(t, http.StatusOK, "DELETE", base+"/"+id, nil)
	if r := e.do(t, "GET", "/fns/"+id, e.token, nil); r.status != http.StatusNotFound {
		t.Fatalf("after delete: %d %s", r.status, r.raw)
	}
}
