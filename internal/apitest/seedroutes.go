package apitest

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/rest/restkit"
)

// SeedRoute is one line of a dialect's testdata/routes.txt: a route its seed document has.
type SeedRoute struct {
	Method, Path string
	// Typed routes are served by the typed GraphQL API, not by the dialect's route table
	// (marked "typed" after the path).
	Typed bool
}

// ReadSeedRoutes reads a routes file: "METHOD PATH [typed]" per line, # comments and blank
// lines ignored; a malformed or repeated line fails the test.
func ReadSeedRoutes(t testing.TB, file string) []SeedRoute {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []SeedRoute
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || len(fields) > 3 || (len(fields) == 3 && fields[2] != "typed") || !strings.HasPrefix(fields[1], "/") {
			t.Fatalf("%s:%d: want METHOD PATH [typed], got %q", file, n, line)
		}
		key := fields[0] + " " + fields[1]
		if seen[key] {
			t.Fatalf("%s:%d: %s listed twice", file, n, key)
		}
		seen[key] = true
		out = append(out, SeedRoute{Method: fields[0], Path: fields[1], Typed: len(fields) == 3})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// SamePath reports whether a path of a seed document (:name or {name} parameters) and a route
// pattern ({name} wildcards) have the same literal segments, whatever the parameters are called.
func SamePath(seed, pattern string) bool {
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

// MatchRouteTable fails the test for every route of table that the seed list lacks (so the
// list stays whole) and returns the lookup of a seed route in the table (nil when the table
// does not have it).
func MatchRouteTable(t testing.TB, file string, seed []SeedRoute, table []restkit.Route) func(SeedRoute) *restkit.Route {
	t.Helper()
	for _, rt := range table {
		if !slices.ContainsFunc(seed, func(s SeedRoute) bool { return s.Method == rt.Method && SamePath(s.Path, rt.Path) }) {
			t.Errorf("%s %s is served but not in %s: add it if the seed document has it", rt.Method, rt.Path, file)
		}
	}
	return func(s SeedRoute) *restkit.Route {
		for i := range table {
			if table[i].Method == s.Method && SamePath(s.Path, table[i].Path) {
				return &table[i]
			}
		}
		return nil
	}
}
