package airsequel_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest/airsequel"
)

// TestSeedRoutes holds every route of the seed document (testdata/routes.txt) against the
// server: each is mounted (not the router's own 404 or 405); one of the dialect's route table
// answers errors in the Airsequel envelope, no 5xx but 501, and answers 501 exactly when
// /docs/openapi.json marks it not implemented, with a message naming what is missing. The
// table serves nothing the list does not have, so the list stays whole.
func TestSeedRoutes(t *testing.T) {
	seed := apitest.ReadSeedRoutes(t, "testdata/routes.txt")
	inTable := apitest.MatchRouteTable(t, "testdata/routes.txt", seed, airsequel.New(airsequel.Deps{}).Routes)

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
		di, dj := order[i].Method == "DELETE", order[j].Method == "DELETE"
		if di != dj {
			return dj
		}
		return di && strings.Count(order[i].Path, "/") > strings.Count(order[j].Path, "/")
	})

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, s := range order {
		key := s.Method + " " + s.Path
		rt := inTable(s)
		switch {
		case s.Typed && rt != nil:
			t.Errorf("%s: marked typed in testdata/routes.txt but served by the dialect's route table", key)
		case !s.Typed && rt == nil:
			t.Errorf("%s: documented by the seed but not in the dialect's route table: mount it, as 501 naming what is missing when gqlbase lacks it", key)
		}

		var body any
		if s.Method != "GET" && s.Method != "DELETE" {
			body = "{}"
		}
		reply := (&apitest.Client{BaseURL: e.srv.URL, Token: e.token, HTTP: noRedirect}).Do(t, s.Method, concrete(s.Path), body)
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
