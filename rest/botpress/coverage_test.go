package botpress_test

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest/botpress"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// seedRoute is one line of testdata/routes.txt.
type seedRoute struct{ method, path string }

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
		if len(fields) != 2 || !strings.HasPrefix(fields[1], "/") {
			t.Fatalf("testdata/routes.txt:%d: want METHOD PATH, got %q", n, line)
		}
		if seen[line] {
			t.Fatalf("testdata/routes.txt:%d: %s listed twice", n, line)
		}
		seen[line] = true
		out = append(out, seedRoute{method: fields[0], path: fields[1]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// samePath reports whether a path of the document and a route pattern have the same literal
// segments, whatever their {name} parameters are called.
func samePath(seed, pattern string) bool {
	a, b := strings.Split(seed, "/"), strings.Split(pattern, "/")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		pa, pb := strings.HasPrefix(a[i], "{") || strings.HasPrefix(a[i], ":"), strings.HasPrefix(b[i], "{")
		if pa != pb || (!pa && a[i] != b[i]) {
			return false
		}
	}
	return true
}

// TestSeedRoutes holds every Tables route of the seed document (testdata/routes.txt) against
// the server: each is in the dialect's route table and mounted (not the router's own 404 or
// 405), answers errors in the Botpress envelope {id, code, type, message}, no 5xx but 501,
// and answers 501 exactly when /docs/openapi.json marks it not implemented, with a message
// naming what is missing. The table serves nothing the list does not have, so the list stays
// whole.
func TestSeedRoutes(t *testing.T) {
	seed := readSeedRoutes(t)
	table := botpress.New(botpress.Deps{}).Routes

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

	srv := setup(t) // bot "bot" with the table itemsTable
	doc := apitest.New(srv.URL, "").Do(t, "GET", "/docs/openapi.json", nil).OK(t)

	// Every path parameter of the Tables routes names a table (by name or id).
	concrete := func(path string) string {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				segs[i] = "itemsTable"
			}
		}
		path = strings.Join(segs, "/")
		if strings.HasSuffix(path, "/row") {
			path += "?id=1"
		}
		return path
	}

	// The delete goes last, so the other routes meet the table.
	order := slices.Clone(seed)
	sort.SliceStable(order, func(i, j int) bool { return order[i].method != "DELETE" && order[j].method == "DELETE" })

	for _, s := range order {
		key := s.method + " " + s.path
		rt := inTable(s)
		if rt == nil {
			t.Errorf("%s: documented by the seed but not in the dialect's route table: mount it, as 501 naming what is missing when gqlbase lacks it", key)
		}

		var body any
		if s.method != "GET" && s.method != "DELETE" {
			body = "{}"
		}
		reply := client(srv, srv.AdminToken, "bot").Do(t, s.method, concrete(s.path), body)
		raw, decoded, status := reply.Raw, reply.Object(), reply.Status

		if status == http.StatusMethodNotAllowed || (status == http.StatusNotFound && strings.HasPrefix(testserver.Str(decoded, "error", "message"), "no route for ")) {
			t.Errorf("%s: not mounted (%d %s)", key, status, raw)
			continue
		}
		if rt == nil {
			continue
		}

		op, _ := testserver.Get(doc, "paths", rt.Path, strings.ToLower(rt.Method)).(map[string]any)
		if op == nil {
			t.Errorf("%s: %s %s is not in /docs/openapi.json", key, rt.Method, rt.Path)
			continue
		}
		responses, _ := op["responses"].(map[string]any)
		marked := responses["501"] != nil

		msg := testserver.Str(decoded, "message")
		if status >= 400 {
			if id := testserver.Str(decoded, "id"); !strings.HasPrefix(id, "err_") || testserver.Str(decoded, "type") == "" || msg == "" ||
				testserver.Str(decoded, "code") != fmt.Sprint(status) {
				t.Errorf("%s: status %d not in the Botpress envelope {id, code, type, message}: %s", key, status, raw)
				continue
			}
		}
		switch {
		case status == http.StatusNotImplemented:
			if !marked {
				t.Errorf("%s: answers 501 but /docs/openapi.json does not mark it not implemented", key)
			}
			// The document's summary names what is missing ("<what> (not available)"); the
			// answer must name the same thing, so a client learns why from either.
			what := strings.TrimSuffix(testserver.Str(op, "summary"), " (not available)")
			if what == "" || !strings.Contains(msg, what) {
				t.Errorf("%s: 501 message %q does not name what is missing (%q)", key, msg, what)
			}
		case marked:
			t.Errorf("%s: /docs/openapi.json marks it not implemented, but it answers %d: %s", key, status, raw)
		case status >= 500:
			t.Errorf("%s: answers %d: %s", key, status, raw)
		}
	}
}
