package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestEmbeddedPostgresDeathIsRecovered kills the embedded cluster's postmaster with SIGKILL
// while rows are being written. gqlbase must say it is degraded (/health 200 "degraded",
// /ready 503), restart the server by itself, though an old backend lingers a while holding the
// shared memory (held stopped here, as a busy backend that has not noticed its postmaster died),
// serve again without being restarted, and keep every write it acknowledged.
func TestEmbeddedPostgresDeathIsRecovered(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	p := serveOn(t, data)
	token := readAdminToken(t, data)
	must := func(query string) map[string]any {
		t.Helper()
		_, body := p.graphql(token, query)
		if errs, ok := body["errors"]; ok {
			t.Fatalf("%s: %v", query, errs)
		}
		return body["data"].(map[string]any)
	}
	must(`mutation { createDatabase(input: {name: "d"}) { id } }`)
	table := must(`mutation { createTable(input: {databaseId: "1", name: "acks", columns: [{name: "name", type: TEXT}]}) { id } }`)["createTable"].(map[string]any)["id"].(string)

	w := startWriter(p.url("/graphql"), token, table)
	defer w.stop()
	waitUntil(t, "acknowledged writes before the kill", func() bool { return w.count() >= 20 })

	oldPID, lines := postmaster(t, data)
	lingering := stopBackend(t, strings.TrimSpace(lines[4]))
	if err := syscall.Kill(oldPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	var degraded, unready bool
	waitUntil(t, "/health degraded and /ready 503", func() bool {
		if status, body := p.get("/health"); status == http.StatusOK && body["status"] == "degraded" {
			degraded = true
		} else if status != http.StatusOK {
			t.Fatalf("/health answered %d %v while Postgres is down, want 200", status, body)
		}
		if status, _ := p.get("/ready"); status == http.StatusServiceUnavailable {
			unready = true
		}
		return degraded && unready
	})
	waitUntil(t, "a restart refused while the old backend lingers", func() bool {
		return len(p.logged("PostgreSQL restart failed")) > 0
	})
	lingering.resume() // it notices its postmaster is gone and exits

	waitUntil(t, "/ready 200 and /health ok again", func() bool {
		readyStatus, _ := p.get("/ready")
		healthStatus, health := p.get("/health")
		return readyStatus == http.StatusOK && healthStatus == http.StatusOK && health["status"] == "ok"
	})
	// pg_ctl notices a moment after the server does that it accepts connections.
	waitUntil(t, "the restart logged", func() bool { return len(p.logged("PostgreSQL restarted")) > 0 })
	if n := len(p.logged("PostgreSQL restarted")); n != 1 {
		t.Errorf("%d restarts logged, want 1", n)
	}
	if newPID, _ := postmaster(t, data); newPID == oldPID {
		t.Errorf("postmaster pid %d unchanged", newPID)
	}
	select {
	case <-p.done:
		t.Fatalf("gqlbase exited (%v)", p.waitErr)
	default:
	}
	recovered := w.count()
	waitUntil(t, "acknowledged writes after recovery", func() bool { return w.count() >= recovered+20 })
	acked := w.stop()

	stored := map[string]string{}
	for after := ""; ; {
		cursor := ""
		if after != "" {
			cursor = ", after: " + strconv.Quote(after)
		}
		rows := must(`{ rows(table: "` + table + `", first: 500` + cursor + `) { nodes { id data } pageInfo { hasNextPage endCursor } } }`)["rows"].(map[string]any)
		for _, n := range rows["nodes"].([]any) {
			node := n.(map[string]any)
			stored[node["id"].(string)], _ = node["data"].(map[string]any)["name"].(string)
		}
		page := rows["pageInfo"].(map[string]any)
		if page["hasNextPage"] != true {
			break
		}
		after = page["endCursor"].(string)
	}
	lost := 0
	for id, name := range acked {
		if stored[id] != name {
			lost++
			t.Errorf("acknowledged row %s (%s) is %q after the recovery", id, name, stored[id])
		}
	}
	t.Logf("%d writes acknowledged (%d after the recovery), %d rows stored, %d lost", len(acked), len(acked)-recovered, len(stored), lost)

	p.stopCleanly(data)
}

// writer inserts rows one after another through the API and remembers those acknowledged.
type writer struct {
	mu    sync.Mutex
	acked map[string]string // row id → name
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once
}

func startWriter(url, token, table string) *writer {
	w := &writer{acked: map[string]string{}, quit: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: time.Minute}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.quit:
				return
			case <-time.After(10 * time.Millisecond):
			}
			name := fmt.Sprintf("row-%d", i)
			if id := insertRow(client, url, token, table, name); id != "" {
				w.mu.Lock()
				w.acked[id] = name
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// insertRow returns the new row's id, or "" when the write was not acknowledged.
func insertRow(client *http.Client, url, token, table, name string) string {
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($t: ID!, $v: JSONObject!) { insertRow(table: $t, values: $v) { id data } }`,
		"variables": map[string]any{"t": table, "v": map[string]any{"name": name}},
	})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		Data struct {
			InsertRow struct {
				ID   string
				Data map[string]any
			} `json:"insertRow"`
		}
		Errors []any
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || len(out.Errors) > 0 || out.Data.InsertRow.Data["name"] != name {
		return ""
	}
	return out.Data.InsertRow.ID
}

func (w *writer) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

// stop ends the writes (waiting for the one under way) and returns the acknowledged rows.
func (w *writer) stop() map[string]string {
	w.once.Do(func() { close(w.quit) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked
}

// heldBackend is a backend of the embedded cluster held stopped with SIGSTOP.
type heldBackend struct {
	pid  int
	db   *sql.DB
	conn *sql.Conn
}

// stopBackend opens a session on the cluster listening in socketDir and stops its backend;
// resume (also run when the test ends) lets it go on.
func stopBackend(t *testing.T, socketDir string) *heldBackend {
	t.Helper()
	db, err := sql.Open("postgres", "host="+socketDir+" port=5432 user=postgres dbname=postgres sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := &heldBackend{db: db, conn: conn}
	if err := conn.QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&b.pid); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(b.pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.resume)
	return b
}

func (b *heldBackend) resume() {
	_ = syscall.Kill(b.pid, syscall.SIGCONT)
	_ = b.conn.Close()
	_ = b.db.Close()
}

// waitUntil polls cond for at most two minutes: generous, since restarts back off and the
// machine may be busy.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within two minutes", what)
		}
	}
}
