package pgcluster

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKilledServerIsRestarted kills the postmaster with SIGKILL while one of its backends is
// held stopped, as a busy backend that has not noticed its postmaster died yet: the supervisor
// must keep trying with growing pauses while that backend holds the shared memory, and bring the
// server back, with every committed row, once it is gone.
func TestKilledServerIsRestarted(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	// Fast mode commits asynchronously, which a postmaster's death may lose: not here.
	c := startCluster(t, slog.New(slog.NewJSONHandler(logs, nil)), map[string]string{"synchronous_commit": "on"})
	db := openDB(t, c)
	if _, err := db.Exec(`CREATE TABLE kept (n int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO kept SELECT generate_series(1, 100)`); err != nil {
		t.Fatal(err)
	}

	lingering := stoppedBackend(t, db)
	oldPID := postmasterPID(t, c)
	if err := syscall.Kill(oldPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	// While the stopped backend holds the old shared memory, every start fails.
	failed := waitFor(t, "two failed restarts", func() []map[string]any {
		if lines := logs.lines("PostgreSQL restart failed"); len(lines) >= 2 {
			return lines
		}
		return nil
	})
	first, _ := time.ParseDuration(failed[0]["retry_in"].(string))
	second, _ := time.ParseDuration(failed[1]["retry_in"].(string))
	if first < minBackoff || second != 2*first {
		t.Errorf("retry pauses %v then %v, want them to double from at least %v", first, second, minBackoff)
	}
	if err, _ := failed[0]["err"].(string); !strings.Contains(err, "shared memory") {
		t.Errorf("the failed restart says %q, want it to name the shared memory still in use", err)
	}

	// Once the old backend runs again it notices its postmaster is gone and exits.
	lingering.resume()
	waitFor(t, "the restarted server", func() []map[string]any {
		return logs.lines("PostgreSQL restarted")
	})
	var n int
	waitFor(t, "a query on the restarted server", func() []map[string]any {
		if err := db.QueryRow(`SELECT count(*) FROM kept`).Scan(&n); err != nil {
			return nil
		}
		return []map[string]any{{}}
	})
	if n != 100 {
		t.Errorf("%d rows after the restart, want the 100 committed", n)
	}
	if pid := postmasterPID(t, c); pid == oldPID {
		t.Errorf("postmaster pid %d unchanged", pid)
	}
	if lines := logs.lines("PostgreSQL server is not running; restarting it"); len(lines) < 3 || lines[0]["old_pid"] != float64(oldPID) {
		t.Errorf("restart attempts logged: %v, want one per attempt naming pid %d", lines, oldPID)
	}
}

// TestStopEndsSupervision checks that a stopped cluster stays stopped: Stop waits for the
// supervisor to end before it stops the server.
func TestStopEndsSupervision(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "gqlbase-pgcluster-test-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := Start(context.Background(), Options{DataDir: dir, Fast: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.supervisorDone:
	default:
		t.Fatal("the supervisor still runs after Stop")
	}
	if _, err := c.run(context.Background(), "pg_ctl", "status", "-D", c.dir); err == nil {
		t.Error("the server runs after Stop")
	}
}

// backend is a server process held stopped by SIGSTOP.
type backend struct {
	pid  int
	conn *sql.Conn
}

// stoppedBackend opens a session and stops its backend process; resume (also run when the
// test ends) lets it go on.
func stoppedBackend(t *testing.T, db *sql.DB) *backend {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{conn: conn}
	if err := conn.QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&b.pid); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(b.pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.resume)
	return b
}

func (b *backend) resume() {
	_ = syscall.Kill(b.pid, syscall.SIGCONT)
	_ = b.conn.Close()
}

func postmasterPID(t *testing.T, c *Cluster) int {
	t.Helper()
	pid, running := c.postmasterRunning()
	if !running || pid == 0 {
		t.Fatalf("no running postmaster in %s", c.dir)
	}
	return pid
}

// waitFor polls until found returns something, for at most two minutes (generous: restarts
// back off, and the machine may be busy).
func waitFor(t *testing.T, what string, found func() []map[string]any) []map[string]any {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if got := found(); got != nil {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s", what)
		}
	}
}

// logBuffer collects JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded lines whose msg is msg, or nil.
func (b *logBuffer) lines(msg string) []map[string]any {
	b.mu.Lock()
	text := b.buf.String()
	b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}
