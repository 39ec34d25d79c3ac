package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

// TestRunLeavesNoGoroutine serves in this process, on the embedded cluster with every loop
// (purge loops, debug server, supervisor), uses the platform API, a platform subscription
// and a typed live query over WebSockets, then cancels: once Run returned and Close released
// the rest, no goroutine the server started may be left. Not parallel: goleak looks at the
// whole process.
func TestRunLeavesNoGoroutine(t *testing.T) {
	// What runs before the server starts cannot be the server's: the test binary's own
	// goroutines and those of tests that ran before this one (their subprocess waiters).
	// Paused parallel tests are recognised by goleak itself.
	ignore := goleak.IgnoreCurrent()

	cfg, err := parseServeFlags([]string{"--addr", "127.0.0.1:0", "--data-dir", newDataDir(t), "--debug-addr", "127.0.0.1:0", "--log-format", "json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a, err := build(context.Background(), cfg, logs)
	if err != nil {
		t.Fatalf("build: %v\n%s", err, logs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	ran := false
	defer func() {
		if !ran {
			cancel()
			<-done
			a.Close()
		}
	}()

	addr := a.srv.Addr().String()
	token := readAdminToken(t, cfg.dataDir)
	// The test's own client: its idle connections are closed before goroutines are counted.
	client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	post := func(path, query string, vars map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out["errors"] != nil {
			t.Fatalf("POST %s: %d %v %v", path, resp.StatusCode, out, err)
		}
		return out["data"].(map[string]any)
	}
	db := post("/graphql", `mutation { createDatabase(input: {name: "leak"}) { id } }`, nil)["createDatabase"].(map[string]any)["id"].(string)
	tbl := post("/graphql", `mutation($db: ID!) { createTable(input: {databaseId: $db, name: "items", columns: [{name: "name", type: TEXT}]}) { id } }`,
		map[string]any{"db": db})["createTable"].(map[string]any)["id"].(string)

	platform := dialSubscription(t, "ws://"+addr+"/graphql", token,
		`subscription($t: ID!) { rowEvents(table: $t) { kind } }`, map[string]any{"t": tbl})
	defer platform.Close()
	typed := dialSubscription(t, "ws://"+addr+"/dbs/"+db+"/graphql", token, `subscription { items { name } }`, nil)
	defer typed.Close()
	readNext(t, typed) // a live query answers at once
	post("/graphql", `mutation($t: ID!) { insertRows(table: $t, rows: [{name: "a"}]) { id } }`, map[string]any{"t": tbl})
	if got := readNext(t, platform); !bytes.Contains(got, []byte(`"kind":"CREATED"`)) {
		t.Errorf("platform subscription got %s", got)
	}
	if got := readNext(t, typed); !bytes.Contains(got, []byte(`"a"`)) {
		t.Errorf("typed subscription got %s", got)
	}
	if status := getStatus(t, client, "http://"+addr+"/ready"); status != http.StatusOK {
		t.Errorf("/ready: %d", status)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after its context ended")
	}
	ran = true
	if err := a.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	client.CloseIdleConnections()
	platform.Close()
	typed.Close()
	goleak.VerifyNone(t, ignore)
}

// dialSubscription opens a graphql-transport-ws socket and starts one subscription.
func dialSubscription(t *testing.T, url, token, query string, vars map[string]any) *websocket.Conn {
	t.Helper()
	ws := dialAcked(t, url, token)
	if err := ws.WriteJSON(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}}); err != nil {
		t.Fatal(err)
	}
	return ws
}

// dialAcked opens a graphql-transport-ws socket with token and waits for its connection_ack.
func dialAcked(t *testing.T, url, token string) *websocket.Conn {
	t.Helper()
	ws, resp, err := (&websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}).Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	resp.Body.Close()
	if err := ws.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"token": token}}); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.ReadJSON(&ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("ack: %v %v", ack, err)
	}
	return ws
}

// readNext returns the payload of the next "next" message (pings are skipped).
func readNext(t *testing.T, ws *websocket.Conn) []byte {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatalf("read: %v", err)
		}
		switch m.Type {
		case "next":
			return m.Payload
		case "ping", "pong":
			continue
		}
		t.Fatalf("unexpected message %s: %s", m.Type, m.Payload)
	}
}

func getStatus(t *testing.T, client *http.Client, url string) int {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(fmt.Errorf("GET %s: %w", url, err))
	}
	resp.Body.Close()
	return resp.StatusCode
}
