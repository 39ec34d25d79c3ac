// Package archtest holds the test that keeps the shape of the module: every import between
// gqlbase's own packages points down the layers of ARCHITECTURE.md
//
//	cmd → internal/server → rest → {graph, dataapi, resolvers} → {dataloaders, realtime} → storage/* → gqlbase
//
// and the REST dialects import neither graph, storage nor resolvers (they call the use cases
// through an interface of their own, with domain types); a few packages may import only some
// of the layers below them (onlyImports). Edges that break these rules today are listed in
// knownViolations; the list
// may only shrink.
package archtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/gqlbase/gqlbase"

// direction is the rule as ARCHITECTURE.md writes it, for the failure messages.
const direction = "cmd → internal/server → rest → {graph, dataapi, resolvers} → {dataloaders, realtime} → storage/* → gqlbase"

// A layer may import its own layer and the layers below it (a lower rank), never one above.
type layer struct {
	rank int
	name string
}

var (
	layerRoot     = layer{0, "gqlbase (the domain)"}
	layerBase     = layer{1, "base helpers (logging, internal/cache)"}
	layerStorage  = layer{2, "storage/*"}
	layerEvents   = layer{3, "{dataloaders, realtime}"}
	layerGraphQL  = layer{4, "{graph, dataapi, resolvers}"}
	layerREST     = layer{5, "rest/*"}
	layerWiring   = layer{6, "the composition (internal/server)"}
	layerHarness  = layer{7, "test harnesses"}
	layerCommands = layer{8, "cmd/*"}
)

// places maps a package (its path inside the module; "x/..." covers x and everything under
// it) to its layer. The most specific entry wins. A package that matches nothing fails the
// test, so a new package gets its place decided when it is added.
var places = map[string]layer{
	"": layerRoot,

	// logging adds the request id to slog lines and knows only the root's context keys; the
	// cache is a generic building block the loaders, the typed API and the edge share.
	"logging":            layerBase,
	"internal/cache/...": layerBase,
	// netguard decides which addresses tenant-chosen outbound requests may reach (webhooks,
	// uploads from a URL, functions' fetch); it knows only the root's Error.
	"internal/netguard/...": layerBase,
	// functions is the JavaScript sandbox: it reaches rows and the network only through the
	// Host its caller (the resolvers) hands it, so it imports none of ours.
	"functions/...": layerBase,

	// The store, its SQL guard and plans (which import only the root: see onlyImports) and
	// outbox, the embedded cluster and the test harness of databases: one
	// layer, since the store starts the cluster and the harness opens stores.
	"storage/...": layerStorage,

	// files is the files capability (uploads, signed URLs, sweeps) over the blob stores of
	// files/blob; it declares the metadata store it needs, so it sits beside the loaders.
	"files/...": layerEvents,

	"dataloaders/...": layerEvents,
	"realtime/...":    layerEvents,
	// Background work over the store: the job engine and what runs on it.
	"jobs/...":     layerEvents,
	"webhooks/...": layerEvents,
	"mail/...":     layerEvents,

	// graph/ is generated and binds the scalars of gqlscalar; the typed data API lives in
	// graph/typed until it moves to dataapi/, and both names are the same layer so the move
	// changes nothing here. resolvers implement graph's interfaces, so they import it.
	"graph/...":     layerGraphQL,
	"dataapi/...":   layerGraphQL,
	"resolvers/...": layerGraphQL,
	"gqlscalar/...": layerGraphQL,

	"rest/...": layerREST,

	// The composition builds the store's consumers and the edge and runs them; the command
	// and the test harness both serve through it.
	"internal/server/...": layerWiring,

	// Harnesses start the whole API (testserver), send it requests (apitest), run the npm
	// clients (e2e) or check the module itself (gencheck, archtest, maketest, readmetest):
	// above the edge, imported by tests only.
	"internal/testserver/...": layerHarness,
	"internal/apitest/...":    layerHarness,
	"internal/gencheck/...":   layerHarness,
	"internal/archtest/...":   layerHarness,
	"internal/maketest/...":   layerHarness,
	"internal/readmetest/...": layerHarness,
	"e2e/...":                 layerHarness,

	"cmd/...": layerCommands,
}

// testOnly are packages that only test files (and other harnesses) may import: they start
// throwaway clusters and servers, which no production path should reach.
var testOnly = []string{"storage/pgtest/...", "internal/testserver/...", "internal/apitest/...", "internal/gencheck/...", "internal/archtest/...", "e2e/..."}

// restHelpers are the packages under rest/ that are not dialects; every other rest/<name> is
// a dialect, including the ones not written yet.
var restHelpers = []string{"rest/restkit", "rest/docs", "rest/playground"}

// onlyImports narrows what some packages may import of the module, whatever their layer:
// the raw SQL guard decides on parse trees alone, so it stays a leaf that storage and the
// resolvers use, and its rules can be read (and fuzzed) without a store.
var onlyImports = map[string][]string{
	"storage/sqlguard/...": {""},
	// storage/plan is pure functions from the domain's types to SQL, usable without a database.
	"storage/plan/...": {""},
	// The outbox is what storage builds its events on; it cannot reach back into the store.
	"storage/outbox/...": {""},
	// The sandbox holds no rights of its own: everything a function reaches comes through Host.
	"functions/...": {},
}

// dialectForbidden are what a dialect must not import: the generated GraphQL package (its
// resolvers are the GraphQL API's adapters, not the use cases), storage, and the resolvers
// package itself: a dialect declares the narrow interface of use cases it calls (its Core),
// which *resolvers.Resolver implements, so it sees nothing else of the core.
var dialectForbidden = []string{"graph", "storage/...", "resolvers/...", "dataloaders/...", "dataapi/..."}

type edge struct{ from, to string }

// knownViolations are today's imports against the rules, each to be removed: when one is
// gone the test fails until it is deleted here, so the list only shrinks. Never add to it.
var knownViolations = map[edge]string{}

// pkg is what `go list -json` tells about one package.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Error        *struct{ Err string }
}

// TestImportDirection checks every import edge between the module's packages.
func TestImportDirection(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 15 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	problems, seen := check(pkgs)
	for _, p := range problems {
		t.Error(p)
	}
	for _, e := range sortedEdges(knownViolations) {
		if !seen[e] {
			t.Errorf("package %s no longer imports %s against the rules: delete the edge from knownViolations in %s",
				e.from, e.to, thisFile())
		}
	}
}

// TestRulesCatchWrongImports feeds the checker a made-up module, so a rule that silently stopped
// matching (a typo in places, a renamed package) shows here rather than letting edges through.
func TestRulesCatchWrongImports(t *testing.T) {
	m := func(rel string) string { return strings.TrimSuffix(module+"/"+rel, "/") }
	pkgs := []pkg{
		{ImportPath: m(""), Imports: []string{m("storage")}},
		{ImportPath: m("storage/sqlguard"), Imports: []string{m("graph/typed"), m("storage"), m("")}},
		{ImportPath: m("dataloaders"), Imports: []string{m("resolvers")}},
		{ImportPath: m("dataapi"), Imports: []string{m("rest/restkit"), m("storage"), m("realtime")}},
		{ImportPath: m("rest/baserow"), Imports: []string{m("storage/sqlguard"), m("graph"), m("resolvers"), m("dataapi")},
			XTestImports: []string{m("storage/pgtest"), m("internal/testserver")}},
		{ImportPath: m("resolvers"), Imports: []string{m("storage/pgtest"), m("graph")}},
		{ImportPath: m("rest"), Imports: []string{m("cmd/gqlbase")}},
		{ImportPath: m("newthing"), Imports: []string{m("storage")}},
		{ImportPath: m("internal/cache"), Imports: []string{"github.com/dgraph-io/ristretto/v2"}},
		{ImportPath: m("storage/plan"), Imports: []string{m(""), m("storage"), "github.com/lib/pq"}},
		{ImportPath: m("storage/outbox"), Imports: []string{m(""), m("storage"), "github.com/lib/pq"},
			XTestImports: []string{m("storage/pgtest")}},
	}
	problems, _ := check(pkgs)
	want := []string{
		"package gqlbase imports storage, against",
		"package storage/sqlguard imports graph/typed, against",
		"package storage/sqlguard imports storage, but of gqlbase's packages it may import only gqlbase",
		"package dataloaders imports resolvers, against",
		"package dataapi imports rest/restkit, against",
		"package rest/baserow imports storage/sqlguard, against",
		"package rest/baserow imports graph, against",
		"package rest/baserow imports resolvers, against",
		"package rest/baserow imports dataapi, against",
		"package resolvers imports storage/pgtest, which only tests may import",
		"package rest imports cmd/gqlbase, but nothing imports cmd",
		"package newthing has no place in the layers",
		"package storage/plan imports storage, but of gqlbase's packages it may import only gqlbase",
		"package storage/outbox imports storage, but of gqlbase's packages it may import only gqlbase",
	}
	for _, w := range want {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, w) }) {
			t.Errorf("no problem %q in:\n%s", w, strings.Join(problems, "\n"))
		}
	}
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
}

// check returns a message per import against the rules that knownViolations does not list,
// and the listed edges it met.
func check(pkgs []pkg) (problems []string, seen map[edge]bool) {
	seen = map[edge]bool{}
	for _, p := range pkgs {
		from, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		if p.Error != nil {
			problems = append(problems, fmt.Sprintf("package %s does not load: %s", name(from), p.Error.Err))
			continue
		}
		fromLayer, ok := placeOf(from)
		if !ok {
			problems = append(problems, fmt.Sprintf("package %s has no place in the layers: add it to places in %s", name(from), thisFile()))
			continue
		}
		for _, imp := range p.Imports {
			to, ok := rel(imp)
			if !ok {
				continue
			}
			msg := judge(from, fromLayer, to)
			if msg == "" {
				continue
			}
			if _, listed := knownViolations[edge{from, to}]; listed {
				seen[edge{from, to}] = true
				continue
			}
			problems = append(problems, msg)
		}
		// Test files may reach any package: external tests start the whole server through
		// internal/testserver whatever layer they test. Only the commands stay out of reach.
		for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
			if to, ok := rel(imp); ok && matches(to, "cmd/...") {
				problems = append(problems, fmt.Sprintf("package %s imports %s in its tests, but nothing imports cmd", name(from), name(to)))
			}
		}
	}
	return problems, seen
}

// judge says what is wrong with the non-test import from → to ("" when nothing is).
func judge(from string, fromLayer layer, to string) string {
	if matches(to, "cmd/...") {
		return fmt.Sprintf("package %s imports %s, but nothing imports cmd", name(from), name(to))
	}
	toLayer, ok := placeOf(to)
	if !ok {
		return fmt.Sprintf("package %s imports %s, which has no place in the layers: add it to places in %s", name(from), name(to), thisFile())
	}
	if anyMatch(to, testOnly) && !anyMatch(from, testOnly) {
		return fmt.Sprintf("package %s imports %s, which only tests may import", name(from), name(to))
	}
	if toLayer.rank > fromLayer.rank {
		return fmt.Sprintf("package %s imports %s, against the direction %s (%s is in %s, %s in %s, which is above)",
			name(from), name(to), direction, name(from), fromLayer.name, name(to), toLayer.name)
	}
	for pattern, allowed := range onlyImports {
		if matches(from, pattern) && !anyMatch(to, allowed) {
			names := make([]string, len(allowed))
			for i, a := range allowed {
				names[i] = name(a)
			}
			return fmt.Sprintf("package %s imports %s, but of gqlbase's packages it may import only %s (onlyImports in %s)",
				name(from), name(to), strings.Join(names, ", "), thisFile())
		}
	}
	if isDialect(from) && anyMatch(to, dialectForbidden) {
		return fmt.Sprintf("package %s imports %s, against the direction %s: a REST dialect imports neither graph, storage nor resolvers; "+
			"it calls resolver methods with domain types through interfaces it declares", name(from), name(to), direction)
	}
	return ""
}

// rel is the path of a module package inside the module ("" for the root).
func rel(importPath string) (string, bool) {
	if importPath == module {
		return "", true
	}
	r, ok := strings.CutPrefix(importPath, module+"/")
	return r, ok
}

func name(rel string) string {
	if rel == "" {
		return "gqlbase"
	}
	return rel
}

// matches reports whether rel is pattern, or under it when pattern ends in "/...".
func matches(rel, pattern string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

func anyMatch(rel string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return matches(rel, p) })
}

// placeOf finds the layer of the most specific entry of places matching rel.
func placeOf(rel string) (layer, bool) {
	best, found, bestLen := layer{}, false, -1
	for pattern, l := range places {
		if matches(rel, pattern) && len(pattern) > bestLen {
			best, found, bestLen = l, true, len(pattern)
		}
	}
	return best, found
}

func isDialect(rel string) bool {
	parts := strings.Split(rel, "/")
	return len(parts) >= 2 && parts[0] == "rest" && !slices.Contains(restHelpers, parts[0]+"/"+parts[1])
}

func sortedEdges(m map[edge]string) []edge {
	out := make([]edge, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].from != out[j].from {
			return out[i].from < out[j].from
		}
		return out[i].to < out[j].to
	})
	return out
}

// thisFile names this file in messages, so the fix is one click away.
func thisFile() string { return "internal/archtest/archtest_test.go" }

// listPackages runs `go list` over the whole module (test imports included), from its root.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
