// Package gencheck holds the test that graph/ is what gqlgen generates from schema/ and
// gqlgen.yml: nobody edited it by hand, and nobody forgot `make generate`.
package gencheck_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
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

func TestGeneratedCodeIsUpToDate(t *testing.T) {
	root := repoRoot(t)
	work := t.TempDir()
	copyTree(t, root, work)

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
	var drift []string
	for name, gen := range want {
		cur, ok := have[name]
		switch {
		case !ok:
			drift = append(drift, "graph/"+name+" is missing (make generate would create it)")
		case !bytes.Equal(cur, gen):
			drift = append(drift, "graph/"+name+" differs from what gqlgen generates")
		}
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			drift = append(drift, "graph/"+name+" is not generated from schema/ (stale or hand-written)")
		}
	}
	if len(drift) > 0 {
		sort.Strings(drift)
		t.Errorf("graph/ has drifted from schema/ and gqlgen.yml; run `make generate`:\n  %s", strings.Join(drift, "\n  "))
	}
}
