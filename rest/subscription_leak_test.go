package rest_test

import (
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestThousandSubscriptionsOpenAndCloseWithoutLeaks opens 1,000 concurrent subscriptions
// (100 connections with 10 each), closes them, and checks that the server's goroutines, its
// subscriptions and the hub's return to where they were.
func TestThousandSubscriptionsOpenAndCloseWithoutLeaks(t *testing.T) {
	e := newDataEnv(t)
	table, _ := e.createTable(t, "people", colDef{"name": "name", "type": "TEXT"})
	hub := e.srv.Resolver.Realtime.Hub
	time.Sleep(200 * time.Millisecond)
	baseline := runtime.NumGoroutine()

	const conns, perConn = 100, 10
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/graphql"
	var wg sync.WaitGroup
	clients := make([]*websocket.Conn, conns)
	errs := make(chan error, conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d := websocket.Dialer{Subprotocols: []string{transportWS}, HandshakeTimeout: 10 * time.Second}
			c, resp, err := d.Dial(wsURL, nil)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			clients[i] = c
			init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + e.token}})
			if err := c.WriteMessage(websocket.TextMessage, init); err != nil {
				errs <- err
				return
			}
			var ack struct{ Type string }
			if err := c.ReadJSON(&ack); err != nil || ack.Type != "connection_ack" {
				errs <- err
				return
			}
			for j := 0; j < perConn; j++ {
				msg, _ := json.Marshal(map[string]any{"type": "subscribe", "id": string(rune('a' + j)),
					"payload": map[string]any{"query": `subscription($t: ID!) { rowEvents(table: $t) { kind } }`, "variables": map[string]any{"t": table}}})
				if err := c.WriteMessage(websocket.TextMessage, msg); err != nil {
					errs <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("opening connections: %v", err)
	}
	// Identical subscriptions run once: one hub subscription serves all 1,000 clients.
	clientsOf := func() int { _, n := e.srv.API.Subscriptions(); return n }
	waitFor(t, 20*time.Second, func() bool { return clientsOf() == conns*perConn }, func() string {
		return "the server serves " + itoa(clientsOf()) + " subscriptions, want 1000"
	})
	if running, _ := e.srv.API.Subscriptions(); running != 1 || hub.Count() != 1 {
		t.Fatalf("%d executions and %d hub subscriptions for 1,000 identical subscriptions, want 1 and 1", running, hub.Count())
	}

	for _, c := range clients {
		_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		c.Close()
	}
	waitFor(t, 20*time.Second, func() bool { return hub.Count() == 0 && clientsOf() == 0 }, func() string {
		return "hub still holds " + itoa(hub.Count()) + " subscriptions; the server serves " + itoa(clientsOf())
	})
	// Allow for a few goroutines of the HTTP client and server that come and go on their own.
	waitFor(t, 20*time.Second, func() bool { return runtime.NumGoroutine() <= baseline+10 }, func() string {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		return "goroutines: " + itoa(runtime.NumGoroutine()) + ", baseline " + itoa(baseline) + "\n" + string(buf[:n])
	})
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(why())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
