// Package gencheck holds the test that graph/ is exactly what gqlgen generates from schema/
// and gqlgen.yml: nobody edited it by hand, put a hand-written file in it, or forgot
// `make generate`.
package gencheck_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// skipped are folders that are not part of the source: version control, npm packages, the
// server's data and built binaries.
func skipped(rel string, d fs.DirEntry) bool {
	if !d.IsDir() {
		return false
	}
	switch d.Name() {
	case ".git", "node_modules":
		return true
	}
	return rel == "data" || rel == "bin"
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "gqlgen.yml")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no gqlgen.yml above the test's folder")
		}
		dir = parent
	}
}

// copyTree copies the repository's source files to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if skipped(rel, d) {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
		return nil // symlinks and other specials are not source
	})
	if err != nil {
		t.Fatal(err)
	}
}

// files maps each file under dir (relative path) to its content.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// generatedHeader is the line by which Go tools (go help generate) and gqlgen mark a file
// as generated; every file gqlgen writes into graph/ starts with it.
var generatedHeader = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// drift lists how graph/ under root differs from what gqlgen generates from root's schema/
// and gqlgen.yml, one line per file; nil when graph/ is exactly gqlgen's output. graph/ is
// regenerated from nothing in a copy: gqlgen only writes files, it never removes one, so a
// copy that kept graph/ would keep any hand-written file there too and compare it with
// itself.
func drift(t *testing.T, root string) []string {
	t.Helper()
	work := t.TempDir()
	copyTree(t, root, work)
	if err := os.RemoveAll(filepath.Join(work, "graph")); err != nil {
		t.Fatal(err)
	}

	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	cmd := exec.Command(goTool, "tool", "gqlgen", "generate")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go tool gqlgen generate: %v\n%s", err, out)
	}

	want := files(t, filepath.Join(work, "graph"))
	have := files(t, filepath.Join(root, "graph"))
	var problems []string
	for name, gen := range want {
		cur, ok := have[name]
		switch {
		case !ok:
			problems = append(problems, "graph/"+name+" is missing (make generate would create it)")
		case !bytes.Equal(cur, gen):
			problems = append(problems, "graph/"+name+" differs from what gqlgen generates")
		}
	}
	for name, cur := range have {
		if _, ok := want[name]; ok {
			continue
		}
		// The header tells a hand-written file (which belongs in a package of its own) from
		// a stale one (a schema file removed, whose output `make generate` left behind).
		if generatedHeader.Match(cur) {
			problems = append(problems, "graph/"+name+" is not generated from schema/ (stale: delete it)")
		} else {
			problems = append(problems, "graph/"+name+" is hand-written (no \"Code generated ... DO NOT EDIT.\" line); graph/ holds only gqlgen's output")
		}
	}
	sort.Strings(problems)
	return problems
}

func TestGeneratedCodeIsUpToDate(t *testing.T) {
	if problems := drift(t, repoRoot(t)); len(problems) > 0 {
		t.Errorf("graph/ is not what gqlgen generates from schema/ and gqlgen.yml; run `make generate` and keep hand-written code out of graph/:\n  %s", strings.Join(problems, "\n  "))
	}
}

// TestDriftFindsHandWrittenFiles adds files gqlgen never writes to a copy of the tree: one
// plainly hand-written, one that claims to be generated, one in a subfolder (where
// graph/typed used to live). Each must be named.
func TestDriftFindsHandWrittenFiles(t *testing.T) {
	tree := t.TempDir()
	copyTree(t, repoRoot(t), tree)
	extra := map[string]string{
		"handwritten.go":      "package graph\n\n// Helper is not generated.\nfunc Helper() {}\n",
		"claims_generated.go": "// Code generated by hand, DO NOT EDIT.\n\npackage graph\n",
		"sub/sub.go":          "package sub\n",
	}
	for name, src := range extra {
		path := filepath.Join(tree, "graph", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	problems := drift(t, tree)
	want := []string{
		"graph/claims_generated.go is not generated from schema/",
		"graph/handwritten.go is hand-written",
		"graph/" + filepath.Join("sub", "sub.go") + " is hand-written",
	}
	for _, w := range want {
		found := false
		for _, p := range problems {
			found = found || strings.HasPrefix(p, w)
		}
		if !found {
			t.Errorf("drift does not report %q; it reports:\n  %s", w, strings.Join(problems, "\n  "))
		}
	}
	if len(problems) != len(want) {
		t.Errorf("drift reports %d problems, want %d (only the added files):\n  %s", len(problems), len(want), strings.Join(problems, "\n  "))
	}
}
