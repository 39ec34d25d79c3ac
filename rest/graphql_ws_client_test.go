package rest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/e2e"
)

// TestGraphQLWSClientReceivesEvents runs the npm graphql-ws client (the reference client of
// the graphql-transport-ws protocol) against the server.
func TestGraphQLWSClientReceivesEvents(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"}, colDef{"name": "age", "type": "INTEGER"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/graphql"
	const wanted = 3
	cmd := e2e.Command(ctx, t, "graphql-ws-subscribe.mjs", wsURL, e.token, table, "3")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Write until the client has seen the first event (its subscription is then registered),
	// then two more rows.
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for len(got) == 0 {
		e.insert(t, table, map[string]any{"name": "first", "age": 1})
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("client exited: %s", stderr.String())
			}
			got = append(got, l)
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client received nothing: %s", stderr.String())
		}
	}
	// Drain events of extra warm-up writes, then make the client's last events ours.
	time.Sleep(300 * time.Millisecond)
drain:
	for {
		select {
		case l := <-lines:
			got = append(got, l)
		default:
			break drain
		}
	}
	for i := len(got); i < wanted; i++ {
		e.insert(t, table, map[string]any{"name": "later", "age": 2})
	}
	for l := range lines {
		got = append(got, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("client failed: %v: %s", err, stderr.String())
	}
	if len(got) < wanted {
		t.Fatalf("client saw %d events, want %d", len(got), wanted)
	}
	for _, l := range got {
		var ev struct {
			Data struct {
				RowEvents struct {
					Kind string `json:"kind"`
					Row  struct {
						Data map[string]any `json:"data"`
					} `json:"row"`
				} `json:"rowEvents"`
			} `json:"data"`
			Errors []any `json:"errors"`
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil || len(ev.Errors) > 0 {
			t.Fatalf("event %s: %v", l, err)
		}
		if ev.Data.RowEvents.Kind != "CREATED" || ev.Data.RowEvents.Row.Data["name"] == nil {
			t.Fatalf("unexpected event %s", l)
		}
	}
}
