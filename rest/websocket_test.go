package rest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const (
	transportWS = "graphql-transport-ws" // the graphql-ws library's protocol
	legacyWS    = "graphql-ws"           // subscriptions-transport-ws (Apollo's former client)
)

type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// dialWS opens a WebSocket on /graphql speaking subprotocol ("" offers none).
func dialWS(t *testing.T, srv *testserver.Server, subprotocol string, header http.Header) *wsClient {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if subprotocol != "" {
		d.Subprotocols = []string{subprotocol}
	}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", header)
	if err != nil {
		t.Fatalf("dial %s: %v", subprotocol, err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	if subprotocol != "" && conn.Subprotocol() != subprotocol {
		t.Fatalf("negotiated %q, want %q", conn.Subprotocol(), subprotocol)
	}
	return &wsClient{t: t, conn: conn}
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	if err := c.conn.WriteJSON(m); err != nil {
		c.t.Fatalf("send %s: %v", m.Type, err)
	}
}

func (c *wsClient) sendRaw(s string) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send %s: %v", s, err)
	}
}

// next reads one message, waiting at most wait.
func (c *wsClient) next(wait time.Duration) (wsMessage, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	var m wsMessage
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("message is not JSON: %s", data)
	}
	return m, nil
}

// expect reads the next message and fails unless it has type typ.
func (c *wsClient) expect(typ string, wait time.Duration) wsMessage {
	c.t.Helper()
	m, err := c.next(wait)
	if err != nil {
		c.t.Fatalf("waiting for %s: %v", typ, err)
	}
	if m.Type != typ {
		c.t.Fatalf("got %s (%s), want %s", m.Type, m.Payload, typ)
	}
	return m
}

// closed reads until the server closes the connection and returns the close frame (nil when
// the connection ended without one). It fails if the connection stays open for wait.
func (c *wsClient) closed(wait time.Duration) (*websocket.CloseError, []wsMessage) {
	c.t.Helper()
	var seen []wsMessage
	deadline := time.Now().Add(wait)
	for {
		m, err := c.next(time.Until(deadline))
		if err == nil {
			seen = append(seen, m)
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce, seen
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			c.t.Fatalf("the server did not close the connection within %v (messages: %v)", wait, seen)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset") {
			return nil, seen
		}
		c.t.Fatalf("read: %v", err)
	}
}

// init sends connection_init with payload and expects the acknowledgement (and, with the
// legacy protocol, the first keep-alive).
func (c *wsClient) init(subprotocol string, payload map[string]any) {
	c.t.Helper()
	raw, _ := json.Marshal(payload)
	c.send(wsMessage{Type: "connection_init", Payload: raw})
	c.expect("connection_ack", 5*time.Second)
	if subprotocol == legacyWS {
		c.expect("ka", 5*time.Second)
	}
}

// query runs a query over the socket and returns the one result's payload.
func (c *wsClient) query(subprotocol, id, query string) testserver.Response {
	c.t.Helper()
	start, result := "subscribe", "next"
	if subprotocol == legacyWS {
		start, result = "start", "data"
	}
	payload, _ := json.Marshal(map[string]any{"query": query})
	c.send(wsMessage{Type: start, ID: id, Payload: payload})
	m, err := c.next(5 * time.Second)
	for err == nil && m.Type == "ka" {
		m, err = c.next(5 * time.Second)
	}
	if err != nil {
		c.t.Fatalf("waiting for the result of %s: %v", id, err)
	}
	var out testserver.Response
	switch m.Type {
	case result:
		var body struct {
			Data   map[string]any     `json:"data"`
			Errors []testserver.Error `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &body); err != nil {
			c.t.Fatal(err)
		}
		out.Data, out.Errors, out.Raw = body.Data, body.Errors, m.Payload
		c.expect("complete", 5*time.Second)
	case "error":
		if err := json.Unmarshal(m.Payload, &out.Errors); err != nil {
			c.t.Fatal(err)
		}
		out.Raw = m.Payload
	default:
		c.t.Fatalf("got %s (%s), want a result", m.Type, m.Payload)
	}
	if m.ID != id {
		c.t.Errorf("result for id %q, want %q", m.ID, id)
	}
	return out
}

func TestWebSocketSubprotocols(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, sub := range []string{transportWS, legacyWS} {
		t.Run(sub, func(t *testing.T) {
			c := dialWS(t, srv, sub, nil)
			c.init(sub, map[string]any{"Authorization": "Bearer " + srv.AdminToken})
			resp := c.query(sub, "1", `{ me { kind token { name } } }`)
			if len(resp.Errors) > 0 || testserver.Str(resp.Data, "me", "kind") != "TOKEN" {
				t.Fatalf("me over %s: %s", sub, resp.Raw)
			}
			// A mutation over the socket works too, and a second operation on the same one.
			resp = c.query(sub, "2", `mutation { ping }`)
			if resp.Data["ping"] != true {
				t.Errorf("ping over %s: %s", sub, resp.Raw)
			}
		})
	}
	// A client that offers no subprotocol gets the legacy one.
	c := dialWS(t, srv, "", nil)
	c.init(legacyWS, map[string]any{"authToken": srv.AdminToken})
}

func TestWebSocketAuthInConnectionInit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	payloads := map[string]map[string]any{
		"Authorization with Bearer": {"Authorization": "Bearer " + ann.session},
		"authorization lower case":  {"authorization": "Bearer " + ann.session},
		"bare token":                {"Authorization": ann.session},
		"authToken":                 {"authToken": ann.session},
		"token":                     {"token": ann.session},
		"headers.Authorization":     {"headers": map[string]any{"Authorization": "Bearer " + ann.session}},
		"headers.authorization":     {"headers": map[string]any{"authorization": "JWT " + ann.session}},
	}
	for name, payload := range payloads {
		for _, sub := range []string{transportWS, legacyWS} {
			c := dialWS(t, srv, sub, nil)
			c.init(sub, payload)
			resp := c.query(sub, "1", `{ me { user { email } } }`)
			if got := testserver.Str(resp.Data, "me", "user", "email"); got != ann.email {
				t.Errorf("%s over %s: %s", name, sub, resp.Raw)
			}
		}
	}

	// Without credentials the connection opens, and operations that need a principal refuse.
	for _, sub := range []string{transportWS, legacyWS} {
		c := dialWS(t, srv, sub, nil)
		c.init(sub, nil)
		resp := c.query(sub, "1", `{ me { kind } }`)
		if len(resp.Errors) != 1 || resp.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("anonymous me over %s: %s", sub, resp.Raw)
		}
		if resp := c.query(sub, "2", `{ version }`); resp.Data["version"] != "test" {
			t.Errorf("version over %s: %s", sub, resp.Raw)
		}
	}
	// The upgrade request's Authorization header counts when the payload has none.
	h := http.Header{"Authorization": {"Bearer " + srv.AdminToken}}
	c := dialWS(t, srv, transportWS, h)
	c.init(transportWS, map[string]any{})
	if resp := c.query(transportWS, "1", `{ me { kind } }`); testserver.Str(resp.Data, "me", "kind") != "TOKEN" {
		t.Errorf("upgrade header auth: %s", resp.Raw)
	}
}

func TestWebSocketRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	revoked, revokedID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "r", "scopes": []string{"READ"}})
	srv.Platform(t, srv.AdminToken, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": revokedID}).OK(t)
	expired, expiredID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "e", "scopes": []string{"READ"}})
	exec(t, srv, `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, expiredID)

	// A token whose creator left the workspace.
	owner := signUp(t, srv, "owner@example.com")
	leaver := signUp(t, srv, "leaver@example.com")
	leaverM := join(t, srv, owner, owner.workspaceID, leaver, "ADMIN")
	orphan, _ := newToken(t, srv, leaver.session, map[string]any{"workspaceId": owner.workspaceID, "name": "o", "scopes": []string{"READ"}})
	srv.Platform(t, owner.session, removeQ, map[string]any{"id": leaverM}).OK(t)

	for name, c := range map[string]struct{ cred, reason string }{
		"unknown token":   {"Bearer gqb_" + strings.Repeat("Z", 52), "Forbidden: invalid token"},
		"unknown session": {"gqs_nothing", "Forbidden: invalid or ended session"},
		"revoked token":   {"Bearer " + revoked, "Forbidden: token revoked"},
		"expired token":   {expired, "Forbidden: token expired"},
		"member removed":  {orphan, "Forbidden: token invalid: the user who created it is no longer a member of its workspace"},
	} {
		cred := c.cred
		for _, sub := range []string{transportWS, legacyWS} {
			c2 := dialWS(t, srv, sub, nil)
			c2.send(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"Authorization": ` + quote(cred) + `}`)})
			ce, seen := c2.closed(5 * time.Second)
			if ce == nil || ce.Code != 4403 || ce.Text != c.reason {
				t.Errorf("%s over %s: closed with %v, want 4403 %q", name, sub, ce, c.reason)
			}
			for _, m := range seen {
				if m.Type == "connection_ack" {
					t.Errorf("%s over %s: acknowledged", name, sub)
				}
			}
			if sub == legacyWS {
				// The legacy protocol says why in a connection_error first.
				if len(seen) != 1 || seen[0].Type != "connection_error" || !strings.Contains(string(seen[0].Payload), `"message":"`) {
					t.Errorf("%s over %s: messages before the close: %v", name, sub, seen)
				}
			}
		}
	}
	waitForGauge(t, srv, "gqlbase_websockets_open", 0)
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestWebSocketPingPongAndKeepAlive(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)

	t.Run(transportWS, func(t *testing.T) {
		t.Parallel()
		c := dialWS(t, srv, transportWS, nil)
		c.init(transportWS, map[string]any{"token": srv.AdminToken})
		// The client pings; the server answers with the same payload.
		c.send(wsMessage{Type: "ping", Payload: json.RawMessage(`{"n":1}`)})
		if m := c.expect("pong", 5*time.Second); string(m.Payload) != `{"n":1}` {
			t.Errorf("pong payload %s", m.Payload)
		}
		// The server pings on its own (every 15 s); the client answers and stays connected.
		c.expect("ping", 20*time.Second)
		c.send(wsMessage{Type: "pong"})
		if resp := c.query(transportWS, "1", `{ me { kind } }`); testserver.Str(resp.Data, "me", "kind") != "TOKEN" {
			t.Errorf("after ping-pong: %s", resp.Raw)
		}
	})
	t.Run(legacyWS, func(t *testing.T) {
		t.Parallel()
		c := dialWS(t, srv, legacyWS, nil)
		c.init(legacyWS, map[string]any{"token": srv.AdminToken}) // ack, then a first ka
		c.expect("ka", 20*time.Second)                            // and one every 15 s
		if resp := c.query(legacyWS, "1", `{ me { kind } }`); testserver.Str(resp.Data, "me", "kind") != "TOKEN" {
			t.Errorf("after keep-alive: %s", resp.Raw)
		}
	})
}

func TestWebSocketInitTimeout(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, sub := range []string{transportWS, legacyWS} {
		t.Run(sub, func(t *testing.T) {
			t.Parallel()
			c := dialWS(t, srv, sub, nil)
			ce, seen := c.closed(20 * time.Second) // the server waits 10 s for connection_init
			// graphql-transport-ws defines 4408 for this; the legacy protocol has no code of
			// its own and gets a protocol error.
			want := websocket.CloseProtocolError
			if sub == transportWS {
				want = 4408
			}
			if ce == nil || ce.Code != want || !strings.Contains(ce.Text, "timeout") {
				t.Errorf("closed with %v, want %d naming the timeout", ce, want)
			}
			if len(seen) != 0 {
				t.Errorf("messages before connection_init: %v", seen)
			}
		})
	}
}

func TestWebSocketRefusesBadHandshakes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, sub := range []string{transportWS, legacyWS} {
		for _, c := range []struct {
			name, first string
			code        int
		}{
			{"payload that is not an object", `{"type": "connection_init", "payload": "Bearer x"}`, 4400},
			{"payload that is a list", `{"type": "connection_init", "payload": [1, 2]}`, 4400},
			{"not JSON", `hello`, websocket.CloseProtocolError},
			{"operation before init", `{"type": "subscribe", "id": "1", "payload": {"query": "{ version }"}}`, websocket.CloseProtocolError},
			{"init that is not an object", `"connection_init"`, websocket.CloseProtocolError},
		} {
			name := c.name
			ws := dialWS(t, srv, sub, nil)
			ws.sendRaw(c.first)
			ce, seen := ws.closed(5 * time.Second)
			if ce == nil || ce.Code != c.code {
				t.Errorf("%s over %s: closed with %v, want code %d", name, sub, ce, c.code)
			}
			for _, m := range seen {
				if m.Type == "connection_ack" {
					t.Errorf("%s over %s: acknowledged", name, sub)
				}
			}
		}
	}
	// Every refused connection is closed and no longer counted.
	waitForGauge(t, srv, "gqlbase_websockets_open", 0)
}

func TestWebSocketsCountedAndClosedOnShutdown(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	var clients []*wsClient
	for _, sub := range []string{transportWS, legacyWS} {
		c := dialWS(t, srv, sub, nil)
		c.init(sub, map[string]any{"token": srv.AdminToken})
		clients = append(clients, c)
	}
	waitForGauge(t, srv, "gqlbase_websockets_open", 2)
	srv.API.BeginShutdown()
	for i, c := range clients {
		ce, _ := c.closed(5 * time.Second)
		if ce == nil || ce.Code != websocket.CloseNormalClosure {
			t.Errorf("client %d: closed with %v at shutdown, want a normal closure", i, ce)
		}
	}
	waitForGauge(t, srv, "gqlbase_websockets_open", 0)
}

// waitForGauge polls /metrics until the gauge (without labels) has the value; it fails after
// ten seconds.
func waitForGauge(t *testing.T, srv *testserver.Server, name string, want int) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`)
	var last string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		body := metricsText(t, srv)
		m := re.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s", name)
		}
		last = m[1]
		if last == strconv.Itoa(want) {
			return
		}
	}
	t.Fatalf("%s stayed at %s, want %d", name, last, want)
}

func metricsText(t *testing.T, srv *testserver.Server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken) // metrics need the owner's admin scope
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	return string(body)
}
