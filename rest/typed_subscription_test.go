package rest_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// dialTyped opens a graphql-transport-ws WebSocket on a typed endpoint.
func (e *typedEnv) dialTyped(t *testing.T) *wsClient {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, Subprotocols: []string{transportWS}}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(e.srv.URL, "http")+e.path, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	return &wsClient{t: t, conn: conn}
}

func (c *wsClient) subscribe(id, query string) {
	c.t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query})
	c.send(wsMessage{Type: "subscribe", ID: id, Payload: payload})
}

// nextData reads the next "next" message of a subscription and returns its payload.
func (c *wsClient) nextData(id string) string {
	c.t.Helper()
	m := c.expect("next", 20*time.Second)
	if m.ID != id {
		c.t.Fatalf("message for %s, want %s", m.ID, id)
	}
	return string(m.Payload)
}

func TestTypedLiveQueriesOverWebSocket(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	c := e.dialTyped(t)
	c.init(transportWS, map[string]any{"Authorization": "Bearer " + e.srv.AdminToken})
	c.subscribe("1", `subscription { tracks_aggregate(where: {album: {_eq: 1}}) { aggregate { count } } }`)
	if got := c.nextData("1"); got != `{"data":{"tracks_aggregate":{"aggregate":{"count":2}}}}` {
		t.Errorf("first result: %s", got)
	}
	// A write through the typed API pushes the new result.
	e.q(t, `mutation { insert_tracks_one(object: {name: "t6", album: 1}) { id } }`, nil)
	if got := c.nextData("1"); got != `{"data":{"tracks_aggregate":{"aggregate":{"count":3}}}}` {
		t.Errorf("after an insert: %s", got)
	}
	// A write of another album changes nothing this query shows: the next message is the
	// result of the following change.
	e.q(t, `mutation { insert_tracks_one(object: {name: "t7", album: 2}) { id } }`, nil)
	e.q(t, `mutation { delete_tracks_by_pk(id: 1) { id } }`, nil)
	if got := c.nextData("1"); got != `{"data":{"tracks_aggregate":{"aggregate":{"count":2}}}}` {
		t.Errorf("after a delete: %s", got)
	}
	c.subscribe("2", `subscription { albums_by_pk(id: 1) { title tracks_by_album(order_by: {id: asc}) { name } } }`)
	if got := c.nextData("2"); got != `{"data":{"albums_by_pk":{"title":"A1","tracks_by_album":[{"name":"t2"},{"name":"t6"}]}}}` {
		t.Errorf("by_pk: %s", got)
	}
	// A change of a related table reaches the nested result.
	e.q(t, `mutation { update_tracks_by_pk(id: 2, _set: {name: "t2b"}) { id } }`, nil)
	for seen := map[string]bool{}; !seen["2"]; {
		m := c.expect("next", 20*time.Second)
		seen[m.ID] = true
		if m.ID == "2" && string(m.Payload) != `{"data":{"albums_by_pk":{"title":"A1","tracks_by_album":[{"name":"t2b"},{"name":"t6"}]}}}` {
			t.Errorf("by_pk after an update of a track: %s", m.Payload)
		}
	}
	c.send(wsMessage{Type: "complete", ID: "1"})
	c.send(wsMessage{Type: "complete", ID: "2"})

	// A connection without credentials is refused per operation.
	anon := e.dialTyped(t)
	anon.init(transportWS, map[string]any{})
	anon.subscribe("x", `subscription { tracks { name } }`)
	m, err := anon.next(10 * time.Second)
	if err != nil || (m.Type != "error" && m.Type != "next") || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") || strings.Contains(string(m.Payload), "tracks\"") {
		t.Errorf("anonymous subscription: %s", m.Payload)
	}
}

func TestTypedFollowsOtherProcesses(t *testing.T) {
	t.Parallel()
	a := newTypedEnv(t)
	_, _, tracks := a.music(t)
	other := testserver.StartWith(t, testserver.Options{DSN: a.srv.Store.DSN()})
	b := &typedEnv{srv: other, db: a.db, path: a.path, stmts: &stmtLog{}}
	b.srv.AdminToken = a.srv.AdminToken

	c := a.dialTyped(t)
	c.init(transportWS, map[string]any{"Authorization": "Bearer " + a.srv.AdminToken})
	c.subscribe("1", `subscription { tracks_aggregate { aggregate { count } } }`)
	if got := c.nextData("1"); got != `{"data":{"tracks_aggregate":{"aggregate":{"count":5}}}}` {
		t.Errorf("first result: %s", got)
	}
	// A write through the other process reaches this one's live query.
	b.q(t, `mutation { insert_tracks_one(object: {name: "elsewhere"}) { id } }`, nil)
	if got := c.nextData("1"); got != `{"data":{"tracks_aggregate":{"aggregate":{"count":6}}}}` {
		t.Errorf("after a write elsewhere: %s", got)
	}
	// A column added through the other process appears in this one's schema.
	a.q(t, `{ tracks(limit: 1) { name } }`, nil)
	b.srv.Platform(t, b.srv.AdminToken, `mutation($t: ID!) { addColumn(table: $t, input: {name: "bpm", type: INTEGER}) { id } }`,
		map[string]any{"t": tracks}).OK(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := a.srv.GraphQL(t, a.path, a.srv.AdminToken, `{ tracks(limit: 1) { bpm } }`, nil)
		if len(r.Errors) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the column added elsewhere never appeared: %s", r.Raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTypedSubscriptionEndsWhenItsTokenIsRevoked(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	data := e.srv.Platform(t, e.srv.AdminToken, `mutation { createToken(input: {name: "sub", scopes: [READ]}) { secret token { id } } }`, nil).OK(t)
	secret, id := testserver.Str(data, "createToken", "secret"), testserver.Str(data, "createToken", "token", "id")
	c := e.dialTyped(t)
	c.init(transportWS, map[string]any{"Authorization": "Bearer " + secret})
	c.subscribe("1", `subscription { genres { name } }`)
	if got := c.nextData("1"); got != `{"data":{"genres":[{"name":"Rock"},{"name":"Jazz"}]}}` {
		t.Errorf("first result: %s", got)
	}
	e.srv.Platform(t, e.srv.AdminToken, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": id}).OK(t)
	for {
		m, err := c.next(20 * time.Second)
		if err != nil {
			t.Fatalf("the subscription of a revoked token did not end: %v", err)
		}
		if m.Type == "complete" || m.Type == "error" || (m.Type == "next" && strings.Contains(string(m.Payload), "UNAUTHENTICATED")) {
			break
		}
		if m.Type == "next" {
			t.Fatalf("data after the revocation: %s", m.Payload)
		}
	}
}
