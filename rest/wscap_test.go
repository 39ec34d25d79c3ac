package rest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/rest"
)

func TestWebSocketSubscriptionsPerSocketCapped(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	c := dialWS(t, e.srv, transportWS, nil)
	c.init(transportWS, map[string]any{"token": e.token})
	sc := &subClient{wsClient: c, msgs: make(chan wsMessage, 1000)}
	_ = c.conn.SetReadDeadline(time.Time{}) // init's deadline would end the reader; waits time out in message
	go func() {
		defer close(sc.msgs)
		for {
			var m wsMessage
			_, data, err := c.conn.ReadMessage()
			if err != nil {
				return
			}
			if json.Unmarshal(data, &m) == nil && m.Type != "ping" && m.Type != "pong" {
				sc.msgs <- m
			}
		}
	}()
	body, _ := json.Marshal(map[string]any{"query": `subscription($d: ID!) { tableEvents(database: $d) { id } }`, "variables": map[string]any{"d": e.db}})
	clients := func() int { _, n := e.srv.API.Subscriptions(); return n }
	for i := range rest.MaxSocketSubscriptions {
		c.send(wsMessage{Type: "subscribe", ID: fmt.Sprint("s", i), Payload: body})
	}
	waitFor(t, 20*time.Second, func() bool { return clients() == rest.MaxSocketSubscriptions }, func() string { return fmt.Sprint(clients(), " subscriptions registered") })

	c.send(wsMessage{Type: "subscribe", ID: "over", Payload: body})
	m := overMessage(t, sc)
	if m.Type != "next" || !strings.Contains(string(m.Payload), fmt.Sprint(rest.MaxSocketSubscriptions, " subscriptions")) ||
		!strings.Contains(string(m.Payload), "BAD_USER_INPUT") {
		t.Fatalf("subscription over the cap: %s %s", m.ID, m.Payload)
	}
	if m := overMessage(t, sc); m.Type != "complete" {
		t.Fatalf("after the refusal: %s %s", m.Type, m.Payload)
	}
	if n := clients(); n != rest.MaxSocketSubscriptions {
		t.Fatalf("%d subscriptions after the refused one", n)
	}
	// Completing one makes room for another.
	c.send(wsMessage{Type: "complete", ID: "s0"})
	waitFor(t, 10*time.Second, func() bool { return clients() == rest.MaxSocketSubscriptions-1 }, func() string { return "s0 still counted" })
	// Events committed before "again" subscribed (the database's creation) may still reach it
	// when the listener hands them on late; anything newer would be wrong.
	before := e.sqlInt(t, `SELECT coalesce(max(id), 0) FROM events`)
	c.send(wsMessage{Type: "subscribe", ID: "again", Payload: body})
	waitFor(t, 10*time.Second, func() bool { return clients() == rest.MaxSocketSubscriptions }, func() string { return "the new subscription was not registered" })
	for {
		m, ok := sc.message(300 * time.Millisecond)
		if !ok {
			break
		}
		if m.ID != "again" {
			continue
		}
		var ev struct {
			Data struct {
				TableEvents struct {
					ID string `json:"id"`
				} `json:"tableEvents"`
			} `json:"data"`
		}
		if m.Type == "next" && json.Unmarshal(m.Payload, &ev) == nil && ev.Data.TableEvents.ID != "" {
			if id := parseID(t, ev.Data.TableEvents.ID); id <= before {
				continue
			}
		}
		t.Fatalf("the subscription after a complete got %s %s", m.Type, m.Payload)
	}
}

// overMessage waits for the next message of operation "over"; events of the subscriptions
// that run (the database's own creation may still be on its way) are skipped.
func overMessage(t *testing.T, sc *subClient) wsMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, ok := sc.message(time.Until(deadline))
		if !ok {
			t.Fatal("no message for the subscription over the cap")
		}
		if m.ID == "over" {
			return m
		}
	}
}
