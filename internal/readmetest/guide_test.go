// Package readmetest holds the test that runs README.md's guided start: every shell block
// whose fence reads ```sh guide runs, in order, in one bash session against a live server
// (internal/testserver), so the guide cannot drift from what gqlbase does.
package readmetest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/e2e"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// The guide is written for `make run`: these are the address and the token it names, which
// the test replaces with its server's.
const (
	guideURL   = "http://127.0.0.1:8080"
	guideToken = "$(cat data/admin-token)"
)

// guideBlock is one ```sh guide block; a background block runs while the next one does.
type guideBlock struct {
	line       int
	script     string
	background bool
}

var (
	fence      = regexp.MustCompile("(?ms)^```sh guide( background)?\n(.*?)^```\n")
	assignment = regexp.MustCompile(`(?m)^([A-Z][A-Z0-9_]*)=`)
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the module root")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// guideBlocks reads the guide's blocks from README.md.
func guideBlocks(t *testing.T, readme string) []guideBlock {
	t.Helper()
	var blocks []guideBlock
	for _, m := range fence.FindAllStringSubmatchIndex(readme, -1) {
		blocks = append(blocks, guideBlock{
			line:       strings.Count(readme[:m[0]], "\n") + 1,
			script:     readme[m[4]:m[5]],
			background: m[2] >= 0,
		})
	}
	return blocks
}

// session runs blocks one after another as if in one shell: the variables the guide sets and
// its functions carry over through a state file.
type session struct {
	t     *testing.T
	dir   string
	state string
	vars  []string
}

func (s *session) command(ctx context.Context, b guideBlock) *exec.Cmd {
	script := fmt.Sprintf("set -eu -o pipefail\nsource %q\n%s\n{ declare -p %s 2>/dev/null || true; declare -f; } > %q.next && mv %q.next %q\n",
		s.state, b.script, strings.Join(s.vars, " "), s.state, s.state, s.state)
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = s.dir
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs a block and returns its output; a failing block fails the test.
func (s *session) run(ctx context.Context, b guideBlock) string {
	s.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := s.command(ctx, b)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	s.t.Logf("README.md:%d:\n%s\n→ %s%s", b.line, b.script, stdout.String(), stderr.String())
	if err != nil {
		s.t.Fatalf("README.md:%d: the guide's block failed: %v\n%s\nstdout: %s\nstderr: %s", b.line, err, b.script, stdout.String(), stderr.String())
	}
	checkAnswer(s.t, b, stdout.String())
	return stdout.String()
}

// checkAnswer fails on a GraphQL error in a block's output: curl exits 0 on those.
func checkAnswer(t *testing.T, b guideBlock, out string) {
	t.Helper()
	if strings.Contains(out, `"errors"`) || strings.Contains(out, `"error"`) {
		t.Fatalf("README.md:%d: the server answered an error:\n%s\n%s", b.line, b.script, out)
	}
}

func TestREADMEGuidedStart(t *testing.T) {
	root := repoRoot(t)
	e2e.Dir(t) // the subscription step needs Node.js and the e2e packages
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, want := range []string{guideURL, guideToken} {
		if !strings.Contains(readme, want) {
			t.Fatalf("README.md's guide no longer names %s: update the test's substitution", want)
		}
	}
	srv := testserver.Start(t)
	readme = strings.ReplaceAll(readme, guideURL, srv.URL)
	readme = strings.ReplaceAll(readme, guideToken, "'"+srv.AdminToken+"'")
	blocks := guideBlocks(t, readme)
	if len(blocks) < 7 {
		t.Fatalf("README.md has %d guide blocks, want the whole guided start", len(blocks))
	}

	s := &session{t: t, dir: root, state: filepath.Join(t.TempDir(), "state")}
	if err := os.WriteFile(s.state, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		for _, m := range assignment.FindAllStringSubmatch(b.script, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				s.vars = append(s.vars, m[1])
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var outputs []string
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if !b.background {
			outputs = append(outputs, s.run(ctx, b))
			continue
		}
		if i+1 == len(blocks) {
			t.Fatalf("README.md:%d: a background block must be followed by the block it waits for", b.line)
		}
		outputs = append(outputs, s.runBeside(ctx, b, blocks[i+1]))
		i++
	}
	all := strings.Join(outputs, "\n")
	for _, want := range []string{
		`"name":"tasks"`,                         // the table
		`"affected_rows":3`,                      // the rows
		`"title":"buy milk"`,                     // the filtered query
		"waiting for a change",                   // the subscription's first result
		"a change arrived",                       // and the update
		"title,done,due,estimate,priority",       // the CSV header
		"Write report,false,2026-03-01,2.5,high", // and a row
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the guide's output lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(outputs[4], "Renew passport") {
		t.Errorf("the filtered query returned a task that is done:\n%s", outputs[4])
	}
}

// runBeside starts bg, waits until it says it is waiting, runs next, and waits for bg to end:
// the guide's subscription and the change it watches for.
func (s *session) runBeside(ctx context.Context, bg, next guideBlock) string {
	s.t.Helper()
	cmd := s.command(ctx, bg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("README.md:%d: %v", bg.line, err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var out strings.Builder
	for waiting := false; !waiting; {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				s.t.Fatalf("README.md:%d: ended before it waited for a change:\n%s\nstderr: %s", bg.line, out.String(), stderr.String())
			}
			out.WriteString(line + "\n")
			waiting = strings.Contains(line, "waiting for a change")
		case <-ctx.Done():
			s.t.Fatalf("README.md:%d: no first result: %v\n%s\nstderr: %s", bg.line, ctx.Err(), out.String(), stderr.String())
		}
	}
	nextOut := s.run(ctx, next)
	for line := range lines {
		out.WriteString(line + "\n")
	}
	err = cmd.Wait()
	s.t.Logf("README.md:%d (in the background):\n%s\n→ %s%s", bg.line, bg.script, out.String(), stderr.String())
	if err != nil {
		s.t.Fatalf("README.md:%d: the guide's block failed: %v\nstdout: %s\nstderr: %s", bg.line, err, out.String(), stderr.String())
	}
	checkAnswer(s.t, bg, out.String())
	return out.String() + "\n" + nextOut
}

// TestREADMESetUpIsTwoCommands: a fresh clone needs `make run` and `make test`, nothing else.
func TestREADMESetUpIsTwoCommands(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), "\n## Set up\n")
	if !ok {
		t.Fatal("README.md has no Set up section")
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(rest)
	if m == nil {
		t.Fatal("README.md's Set up section has no commands")
	}
	var commands []string
	for line := range strings.SplitSeq(strings.TrimSpace(m[1]), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		commands = append(commands, strings.TrimSpace(cmd))
	}
	if strings.Join(commands, ";") != "make run;make test" {
		t.Errorf("README.md's set-up commands are %q, want exactly make run and make test", commands)
	}
}
