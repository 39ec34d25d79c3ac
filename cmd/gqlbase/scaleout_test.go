package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestTwoProcessesActAsOneService starts two gqlbase processes on one Postgres: a subscriber
// on A receives a row written through B, and A's cache serves the new value right after.
func TestTwoProcessesActAsOneService(t *testing.T) {
	t.Parallel()
	cluster, _ := externalCluster(t, "scaleout")
	const token = "gqb_scaleout_test_token_0123456789abcdef"
	env := []string{"DATABASE_URL=" + cluster.URL("scaleout"), "GQLBASE_ADMIN_TOKEN=" + token}
	a := start(t, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", newDataDir(t), "--log-format", "json")
	a.waitServing()
	b := start(t, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", newDataDir(t), "--log-format", "json")
	b.waitServing()

	must := func(p *process, query string) map[string]any {
		t.Helper()
		_, body := p.graphql(token, query)
		if errs, ok := body["errors"]; ok {
			t.Fatalf("%s: %v", query, errs)
		}
		return body["data"].(map[string]any)
	}
	must(a, `mutation { createDatabase(input: {name: "d"}) { id } }`)
	table := must(a, `mutation { createTable(input: {databaseId: "1", name: "people", columns: [{name: "name", type: TEXT}]}) { id } }`)["createTable"].(map[string]any)["id"].(string)
	row := must(a, `mutation { insertRow(table: "`+table+`", values: {name: "Ann"}) { id } }`)["insertRow"].(map[string]any)["id"].(string)
	getName := func(p *process) string {
		got := must(p, `{ row(table: "`+table+`", id: "`+row+`") { data } }`)
		return got["row"].(map[string]any)["data"].(map[string]any)["name"].(string)
	}
	if getName(a) != "Ann" { // also warms A's cache
		t.Fatal("first read")
	}

	conn, _, err := (&websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}}).Dial("ws://"+a.addr+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	_ = conn.WriteJSON(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{
		"query": `subscription { rowEvents(table: "` + table + `") { kind row { id data } } }`}})
	events := make(chan string, 100)
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				close(events)
				return
			}
			if strings.Contains(string(data), `"type":"next"`) {
				events <- string(data)
			}
		}
	}()
	// Write through B until A's subscriber hears (the subscription registers asynchronously).
	deadline := time.Now().Add(20 * time.Second)
	for received := false; !received; {
		must(b, `mutation { updateRow(table: "`+table+`", id: "`+row+`", values: {name: "Bob"}) { id } }`)
		select {
		case ev := <-events:
			var msg struct {
				Payload struct {
					Data struct {
						RowEvents struct {
							Kind string
							Row  struct{ Data map[string]any }
						} `json:"rowEvents"`
					}
				}
			}
			if err := json.Unmarshal([]byte(ev), &msg); err != nil {
				t.Fatalf("A's subscriber got %s", ev)
			}
			// The insert made before subscribing may still be on its way: wait for the update.
			if msg.Payload.Data.RowEvents.Kind == "UPDATED" {
				if msg.Payload.Data.RowEvents.Row.Data["name"] != "Bob" {
					t.Fatalf("A's subscriber got %s", ev)
				}
				received = true
			}
		case <-time.After(500 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("a change written through B never reached A's subscriber")
			}
		}
	}
	if name := getName(a); name != "Bob" {
		t.Fatalf("A serves %q after B's update, want Bob", name)
	}
}
