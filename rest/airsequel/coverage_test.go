package airsequel_test

import (
	"bufio"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest/airsequel"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// seedRoute is one line of testdata/routes.txt.
type seedRoute struct {
	method, path string
	// typed routes are served by the typed GraphQL API, not by the dialect's route table.
	typed bool
}

func readSeedRoutes(t *testing.T) []seedRoute {
	t.Helper()
	f, err := os.Open("testdata/routes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []seedRoute
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || len(fields) > 3 || (len(fields) == 3 && fields[2] != "typed") || !strings.HasPrefix(fields[1], "/") {
			t.Fatalf("testdata/routes.txt:%d: want METHOD PATH [typed], got %q", n, line)
		}
		if seen[fields[0]+" "+fields[1]] {
			t.Fatalf("testdata/routes.txt:%d: %s listed twice", n, line)
		}
		seen[fields[0]+" "+fields[1]] = true
		out = append(out, seedRoute{method: fields[0], path: fields[1], typed: len(fields) == 3})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// samePath reports whether a path of the document (:name parameters) and a route pattern
// ({name} wildcards) have the same literal segments, whatever the parameters are called.
func samePath(seed, pattern string) bool {
	a, b := strings.Split(seed, "/"), strings.Split(pattern, "/")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		pa := strings.HasPrefix(a[i], ":") || strings.HasPrefix(a[i], "{")
		pb := strings.HasPrefix(b[i], "{")
		if pa != pb || (!pa && a[i] != b[i]) {
			return false
		}
	}
	return true
}

// TestSeedRoutes holds every route of the seed document (testdata/routes.txt) against the
// server: each is mounted (not the router's own 404 or 405); one of the dialect's route table
// answers errors in the Airsequel envelope, no 5xx but 501, and answers 501 exactly when
// /docs/openapi.json marks it not implemented, with a message naming what is missing. The
// table serves nothing the list does not have, so the list stays whole.
func TestSeedRoutes(t *testing.T) {
	seed := readSeedRoutes(t)
	table := airsequel.New(airsequel.Deps{}).Routes

	inTable := func(s seedRoute) *restkit.Route {
		for i := range table {
			if table[i].Method == s.method && samePath(s.path, table[i].Path) {
				return &table[i]
			}
		}
		return nil
	}
	for _, rt := range table {
		if !slices.ContainsFunc(seed, func(s seedRoute) bool { return s.method == rt.Method && samePath(s.path, rt.Path) }) {
			t.Errorf("%s %s is served but not in testdata/routes.txt: add it if the seed document has it", rt.Method, rt.Path)
		}
	}

	e := newEnv(t)
	db := e.createDB(t, "shop", usersDDL)
	doc := e.ok(t, http.StatusOK, "GET", "/docs/openapi.json", nil)

	// A path parameter gets a value that names something of the fixture, chosen by the
	// segment before it (the document calls several of them :id).
	value := func(prev string) string {
		switch prev {
		case "dbs":
			return db
		case "tables":
			return "users"
		case "columns":
			return "name"
		case "files":
			return "id"
		case "search":
			return "Ann"
		case "readonly":
			return e.ok(t, http.StatusOK, "GET", "/api/dbs/"+db, nil).str("readonlyId")
		case "env":
			return "API_KEY"
		case "teams":
			return "1"
		case "users":
			return "someone"
		}
		return "1"
	}
	concrete := func(path string) string {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = value(segs[i-1])
			}
		}
		return strings.Join(segs, "/")
	}

	// Deletes go last, the deepest first, so the other routes meet the fixture whole.
	order := slices.Clone(seed)
	sort.SliceStable(order, func(i, j int) bool {
		di, dj := order[i].method == "DELETE", order[j].method == "DELETE"
		if di != dj {
			return dj
		}
		return di && strings.Count(order[i].path, "/") > strings.Count(order[j].path, "/")
	})

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, s := range order {
		key := s.method + " " + s.path
		rt := inTable(s)
		switch {
		case s.typed && rt != nil:
			t.Errorf("%s: marked typed in testdata/routes.txt but served by the dialect's route table", key)
		case !s.typed && rt == nil:
			t.Errorf("%s: documented by the seed but not in the dialect's route table: mount it, as 501 naming what is missing when gqlbase lacks it", key)
		}

		var body any
		if s.method != "GET" && s.method != "DELETE" {
			body = "{}"
		}
		reply := (&apitest.Client{BaseURL: e.srv.URL, Token: e.token, HTTP: noRedirect}).Do(t, s.method, concrete(s.path), body)
		raw, decoded, status := reply.Raw, reply.Object(), reply.Status

		if status == http.StatusMethodNotAllowed || (status == http.StatusNotFound && strings.HasPrefix(testserver.Str(decoded, "error", "message"), "no route for ")) {
			t.Errorf("%s: not mounted (%d %s)", key, status, raw)
			continue
		}
		if rt == nil {
			continue // served elsewhere (the typed API): its own envelope
		}

		op, _ := testserver.Get(doc.body, "paths", rt.Path, strings.ToLower(rt.Method)).(map[string]any)
		if op == nil {
			t.Errorf("%s: %s %s is not in /docs/openapi.json", key, rt.Method, rt.Path)
			continue
		}
		responses, _ := op["responses"].(map[string]any)
		marked := responses["501"] != nil

		if status >= 400 {
			errs, _ := decoded["errors"].([]any)
			if len(errs) != 1 || testserver.Str(decoded, "errors", 0, "message") == "" || testserver.Str(decoded, "errors", 0, "code") == "" {
				t.Errorf("%s: status %d not in the Airsequel envelope {\"errors\": [{message, code}]}: %s", key, status, raw)
				continue
			}
		}
		switch {
		case status == http.StatusNotImplemented:
			if !marked {
				t.Errorf("%s: answers 501 but /docs/openapi.json does not mark it not implemented", key)
			}
			// The document's summary names what is missing ("charts (not available)"); the
			// answer must name the same thing, so a client learns why from either.
			what := strings.TrimSuffix(testserver.Str(op, "summary"), " (not available)")
			if msg := testserver.Str(decoded, "errors", 0, "message"); what == "" || !strings.Contains(msg, what) || testserver.Str(decoded, "errors", 0, "code") != "NOT_IMPLEMENTED" {
				t.Errorf("%s: 501 message %q (code %s) does not name what is missing (%q)", key, msg, testserver.Str(decoded, "errors", 0, "code"), what)
			}
		case marked:
			t.Errorf("%s: /docs/openapi.json marks it not implemented, but it answers %d: %s", key, status, raw)
		case status >= 500:
			t.Errorf("%s: answers %d: %s", key, status, raw)
		}
	}
}

// TestUnavailableWithoutCredentials: a route of a product gqlbase does not have answers 501
// naming what is missing whether or not the caller sent credentials, while the other routes
// (but status and docs) want an authenticated caller first.
func TestUnavailableWithoutCredentials(t *testing.T) {
	e := newEnv(t)
	anonymous := e.client("")
	checked := 0
	for _, rt := range airsequel.New(airsequel.Deps{}).Routes {
		path := strings.NewReplacer("{dbId}", "1", "{tableId}", "t", "{column}", "c").Replace(rt.Path)
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "x" + path[j+1:]
		}
		var body any
		if rt.Method != "GET" && rt.Method != "DELETE" {
			body = "{}"
		}
		r := anonymous.Do(t, rt.Method, path, body)
		code := r.Str("errors", 0, "code")
		switch {
		case rt.NotImplemented:
			if r.Status != http.StatusNotImplemented || code != "NOT_IMPLEMENTED" {
				t.Errorf("%s %s without credentials: %d %s, want 501", rt.Method, rt.Path, r.Status, r.Raw)
			}
			checked++
		case !rt.Public:
			if r.Status != http.StatusUnauthorized || code != "UNAUTHENTICATED" {
				t.Errorf("%s %s without credentials: %d %s, want 401", rt.Method, rt.Path, r.Status, r.Raw)
			}
		}
	}
	if checked < 40 {
		t.Errorf("checked %d routes that are not available", checked)
	}
}
