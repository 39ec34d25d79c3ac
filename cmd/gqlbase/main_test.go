package main

// These tests build the gqlbase binary once and run it as a real process: a fresh or reused
// data dir with its embedded PostgreSQL, signals, a second process on the same data dir, a
// DATABASE_URL shared by two processes.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/storage/pgcluster"
)

var (
	binary   string // the gqlbase binary under test
	tempRoot string // a folder the PostgreSQL account can enter, for data dirs
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	var err error
	tempRoot, err = os.MkdirTemp("", "gqlbase-cmd-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tempRoot)
	// PostgreSQL runs as another user when the tests run as root: it must enter the folder.
	if err := os.Chmod(tempRoot, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binary = filepath.Join(tempRoot, "gqlbase")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	build := exec.Command(goTool, "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build gqlbase:", err)
		return 1
	}
	return m.Run()
}

// newDataDir returns a fresh data dir path (not created) and makes sure no PostgreSQL is left
// running in it when the test ends, whatever happened.
func newDataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp(tempRoot, strings.ReplaceAll(t.Name(), "/", "_")+"-*")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(data, "pg", "postmaster.pid")); err == nil {
			_ = pgCtl(t, "stop", "-D", filepath.Join(data, "pg"), "-m", "immediate", "-w")
		}
	})
	return data
}

// baseEnv is the test's environment without gqlbase's own settings.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GQLBASE_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// externalCluster starts a Postgres of its own, as an operator's DATABASE_URL points at, and
// creates these databases in it. It returns the cluster and a connection to its postgres
// database, both closed when the test ends.
func externalCluster(t *testing.T, databases ...string) (*pgcluster.Cluster, *sql.DB) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cluster, err := pgcluster.Start(context.Background(), pgcluster.Options{DataDir: newDataDir(t), Fast: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Stop() })
	admin, err := sql.Open("postgres", cluster.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	for _, name := range databases {
		if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
			t.Fatal(err)
		}
	}
	return cluster, admin
}

// logBuffer collects a process's output.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsonLines decodes the JSON log lines written so far (other lines are skipped).
func (b *logBuffer) jsonLines() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// process is a running gqlbase.
type process struct {
	t       *testing.T
	cmd     *exec.Cmd
	output  *logBuffer // stdout and stderr
	started time.Time
	done    chan struct{}
	waitErr error
	addr    string
}

// start runs the gqlbase binary with args and extra environment.
func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(baseEnv(), env...)
	// A process group of its own, as a shell gives a job: signals can go to the group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &process{t: t, cmd: cmd, output: &logBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("gqlbase output:\n%s", p.output)
		}
	})
	return p
}

// serveOn starts `gqlbase serve` on dataDir on a free port and waits until it serves.
func serveOn(t *testing.T, dataDir string, env ...string) *process {
	t.Helper()
	p := start(t, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-format", "json")
	p.waitServing()
	return p
}

// waitServing waits for the "gqlbase serving" log line and takes the address from it.
func (p *process) waitServing() {
	p.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for _, line := range p.output.jsonLines() {
			if line["msg"] == "gqlbase serving" {
				p.addr, _ = line["addr"].(string)
				return
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("gqlbase exited before serving (%v):\n%s", p.waitErr, p.output)
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.t.Fatalf("gqlbase did not start serving:\n%s", p.output)
}

// wait waits for the process to exit and returns its exit code.
func (p *process) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("gqlbase did not exit within %v:\n%s", timeout, p.output)
	}
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		return ee.ExitCode()
	}
	if p.waitErr != nil {
		p.t.Fatalf("wait: %v", p.waitErr)
	}
	return 0
}

func (p *process) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

func (p *process) url(path string) string { return "http://" + p.addr + path }

// graphql posts a query and returns the decoded body.
func (p *process) graphql(token, query string) (int, map[string]any) {
	p.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, p.url("/graphql"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		p.t.Fatalf("POST /graphql: %d %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// meKind runs { me { kind } } with token and returns the kind, or the error code.
func (p *process) meKind(token string) string {
	p.t.Helper()
	_, body := p.graphql(token, `{ me { kind } }`)
	if errs, ok := body["errors"].([]any); ok && len(errs) > 0 {
		ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
		code, _ := ext["code"].(string)
		return code
	}
	data, _ := body["data"].(map[string]any)
	me, _ := data["me"].(map[string]any)
	kind, _ := me["kind"].(string)
	return kind
}

func (p *process) get(path string) (int, map[string]any) {
	p.t.Helper()
	resp, err := http.Get(p.url(path))
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (p *process) logged(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range p.output.jsonLines() {
		if line["msg"] == msg {
			out = append(out, line)
		}
	}
	return out
}

// vmRSS reads the resident memory of a process, in KiB.
func vmRSS(t *testing.T, pid int) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	t.Fatalf("no VmRSS for %d", pid)
	return 0
}

// pgCtl runs pg_ctl (as the PostgreSQL account when the tests run as root) and returns its
// exit code.
func pgCtl(t *testing.T, args ...string) int {
	t.Helper()
	bin, err := pgcluster.FindBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "pg_ctl"), args...)
	cmd.Dir = "/"
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("pg_ctl %v: %v: %s", args, err, out)
	}
	return 0
}

// postgresProcesses lists the processes whose command line names the cluster directory (the
// postmaster: its children rename themselves and end with it).
func postgresProcesses(t *testing.T, clusterDir string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if _, after, ok := strings.Cut(string(stat), ") "); ok && strings.HasPrefix(after, "Z") {
				continue // a zombie has ended; only its exit status is left to collect
			}
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if len(args) > 0 && filepath.Base(args[0]) == "postgres" && strings.Contains(string(cmdline), clusterDir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// stopCleanly sends SIGTERM to p, which must exit 0 and leave no PostgreSQL running in the
// data dir's cluster.
func (p *process) stopCleanly(dataDir string) {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(time.Minute); code != 0 {
		p.t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	checkPostgresStopped(p.t, dataDir)
}

// checkPostgresStopped asserts that no server runs in the data dir's cluster any more.
func checkPostgresStopped(t *testing.T, dataDir string) {
	t.Helper()
	clusterDir := filepath.Join(dataDir, "pg")
	// pg_ctl stop returns once the server has removed postmaster.pid, a moment before its
	// process is gone: give it that moment.
	pids := postgresProcesses(t, clusterDir)
	for deadline := time.Now().Add(10 * time.Second); len(pids) > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		pids = postgresProcesses(t, clusterDir)
	}
	if len(pids) > 0 {
		t.Errorf("postgres processes left for %s: %v", clusterDir, pids)
	}
	if _, err := os.Stat(filepath.Join(clusterDir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid still there (%v)", err)
	}
	if code := pgCtl(t, "status", "-D", clusterDir); code != 3 {
		t.Errorf("pg_ctl status exited %d, want 3 (no server running)", code)
	}
}

// postmaster returns the pid of the data dir's running server and the lines of postmaster.pid.
func postmaster(t *testing.T, dataDir string) (int, []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dataDir, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	lines := strings.Split(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil {
		t.Fatalf("postmaster.pid: %q", lines[0])
	}
	return pid, lines
}

func readAdminToken(t *testing.T, dataDir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dataDir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}
