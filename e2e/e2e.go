// Package e2e lets Go tests run the official JavaScript clients (the npm packages declared in
// this folder's package.json, installed by `make e2e-deps`) against a gqlbase server. The node
// scripts live next to this file as ES modules (*.mjs).
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir is the absolute path of the e2e folder. It fails the test when Node.js or the npm
// packages are missing: the tests that need them must not pass without running.
func Dir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("e2e: cannot locate the e2e folder")
	}
	dir := filepath.Dir(file)
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("e2e: node is not installed (install Node.js with npm, then run `make e2e-deps`)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err != nil {
		t.Fatalf("e2e: the npm packages in %s are not installed: run `make e2e-deps`", dir)
	}
	return dir
}

// Command prepares `node <script> args...` in the e2e folder; the process is killed when ctx
// ends.
func Command(ctx context.Context, t testing.TB, script string, args ...string) *exec.Cmd {
	t.Helper()
	dir := Dir(t)
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	return cmd
}

// Run runs `node <script> args...` to completion and returns its standard output. A non-zero
// exit fails the test with the script's standard error.
func Run(ctx context.Context, t testing.TB, script string, args ...string) []byte {
	t.Helper()
	cmd := Command(ctx, t, script, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("e2e: node %s: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}
