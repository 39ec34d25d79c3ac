package rest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest"
)

func TestWebSocketOriginAllowList(t *testing.T) {
	srv := testserver.StartWith(t, testserver.Options{Config: rest.Config{AllowedOrigins: []string{"https://app.example"}}})
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	d := websocket.Dialer{Subprotocols: []string{transportWS}, HandshakeTimeout: 5 * time.Second}

	conn, resp, err := d.Dial(url, http.Header{"Origin": {"https://evil.example"}})
	if err == nil {
		conn.Close()
		t.Fatal("a WebSocket from an origin not on the list was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("refused origin: want 403, got %v", resp)
	}
	conn, _, err = d.Dial(url, http.Header{"Origin": {"https://app.example"}})
	if err != nil {
		t.Fatalf("an allowed origin was refused: %v", err)
	}
	conn.Close()
	// Non-browser clients send no Origin and are not affected.
	conn, _, err = d.Dial(url, nil)
	if err != nil {
		t.Fatalf("a client without Origin was refused: %v", err)
	}
	conn.Close()

	// CORS follows the same list.
	for origin, allowed := range map[string]bool{"https://app.example": true, "https://evil.example": false} {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Access-Control-Allow-Origin") == origin
		if got != allowed {
			t.Errorf("preflight from %s: allow-origin %q", origin, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}

func TestWebSocketMessageSizeLimit(t *testing.T) {
	srv := testserver.StartWith(t, testserver.Options{Config: rest.Config{Limits: func() rest.Limits {
		l := rest.DefaultLimits
		l.WSMessageBytes = 4096
		return l
	}()}})
	c := dialWS(t, srv, transportWS, nil)
	c.init(transportWS, map[string]any{"Authorization": "Bearer " + srv.AdminToken})
	c.sendRaw(`{"type":"subscribe","id":"1","payload":{"query":"{ __typename }","x":"` + strings.Repeat("a", 5000) + `"}}`)
	ce, _ := c.closed(5 * time.Second)
	if ce == nil || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("an oversize message: want close 1009, got %v", ce)
	}
}
