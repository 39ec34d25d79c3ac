// Package maketest holds the test that keeps the Makefile honest: every target it declares
// phony has a rule and a `## target: what` line, and `make help` lists them all.
package maketest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func makefile(t *testing.T) (dir, text string) {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the module root")
	}
	dir = filepath.Join(filepath.Dir(file), "..", "..")
	b, err := os.ReadFile(filepath.Join(dir, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, string(b)
}

var (
	phonyLine = regexp.MustCompile(`(?m)^\.PHONY:(.*)$`)
	ruleLine  = regexp.MustCompile(`(?m)^([A-Za-z0-9_.\-/]+):`)
	helpLine  = regexp.MustCompile(`(?m)^## ([a-z0-9-]+): \S`)
)

func TestEveryPhonyTargetHasARuleAndAHelpLine(t *testing.T) {
	_, text := makefile(t)
	m := phonyLine.FindAllStringSubmatch(text, -1)
	if len(m) == 0 {
		t.Fatal("the Makefile declares no .PHONY targets")
	}
	var phony []string
	for _, line := range m {
		phony = append(phony, strings.Fields(line[1])...)
	}
	var rules, described []string
	for _, r := range ruleLine.FindAllStringSubmatch(text, -1) {
		rules = append(rules, r[1])
	}
	for _, h := range helpLine.FindAllStringSubmatch(text, -1) {
		described = append(described, h[1])
	}
	for _, target := range phony {
		if !slices.Contains(rules, target) {
			t.Errorf("target %q is declared .PHONY but has no rule: `make %s` would do nothing", target, target)
		}
		if !slices.Contains(described, target) {
			t.Errorf("target %q has no `## %s: ...` line for make help", target, target)
		}
	}
	for _, target := range described {
		if !slices.Contains(phony, target) {
			t.Errorf("`## %s:` describes a target that is not declared .PHONY", target)
		}
	}
}

func TestMakeHelpListsEveryTarget(t *testing.T) {
	dir, text := makefile(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed")
	}
	cmd := exec.Command("make", "-s", "help")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	for _, h := range helpLine.FindAllStringSubmatch(text, -1) {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(h[1]) + `\s+\S`).Match(out) {
			t.Errorf("make help does not list %q:\n%s", h[1], out)
		}
	}
}
