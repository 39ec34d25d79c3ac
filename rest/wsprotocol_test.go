package rest_test

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest"
)

func TestWebSocketDuplicateOperationIDCloses4409(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	c := subscribe(t, e.srv, e.token, "s1", `subscription($d: ID!) { tableEvents(database: $d) { id } }`, map[string]any{"d": e.db})
	waitFor(t, 10*time.Second, func() bool { _, n := e.srv.API.Subscriptions(); return n == 1 }, func() string { return "subscription not registered" })
	body, _ := json.Marshal(map[string]any{"query": `subscription($d: ID!) { tableEvents(database: $d) { id } }`, "variables": map[string]any{"d": e.db}})
	c.send(wsMessage{Type: "subscribe", ID: "s1", Payload: body})
	// The reader goroutine ends at the close; its error is the close frame.
	for range c.msgs {
	}
	_, _, err := c.conn.ReadMessage()
	var ce *websocket.CloseError
	if !asCloseError(err, &ce) || ce.Code != 4409 || ce.Text != "Subscriber for s1 already exists" {
		t.Fatalf("closed with %v, want 4409 Subscriber for s1 already exists", err)
	}
	waitFor(t, 10*time.Second, func() bool { _, n := e.srv.API.Subscriptions(); return n == 0 }, func() string { return "the first operation outlived its socket" })

	// An id is free again once its operation completed.
	c2 := dialWS(t, e.srv, transportWS, nil)
	c2.init(transportWS, map[string]any{"token": e.token})
	for range 2 {
		if resp := c2.query(transportWS, "q", `{ version }`); resp.Data["version"] != "test" {
			t.Fatalf("reused id after complete: %s", resp.Raw)
		}
	}
}

func asCloseError(err error, ce **websocket.CloseError) bool {
	e, ok := err.(*websocket.CloseError)
	*ce = e
	return ok
}

func TestWebSocketUnknownSubprotocolCloses4406(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, Subprotocols: []string{"graphql-transport-ws-v9", "mqtt"}}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	resp.Body.Close()
	defer conn.Close()
	if p := conn.Subprotocol(); p != "" {
		t.Errorf("negotiated %q", p)
	}
	c := &wsClient{t: t, conn: conn}
	ce, seen := c.closed(5 * time.Second)
	if ce == nil || ce.Code != 4406 || ce.Text != "Subprotocol not acceptable" {
		t.Errorf("closed with %v (after %v), want 4406 Subprotocol not acceptable", ce, seen)
	}
	waitForGauge(t, srv, "gqlbase_websockets_open", 0)
}

// serverFrame is one frame the server wrote.
type serverFrame struct {
	opcode  byte
	payload []byte
}

// rawSocket opens a WebSocket by hand, so that the test sees every frame the server writes,
// also those after a close frame.
func rawSocket(t *testing.T, srv *testserver.Server, subprotocol string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	fmt.Fprintf(conn, "GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(key), subprotocol)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", err, resp)
	}
	return conn, br
}

// writeClientFrame writes one masked text frame.
func writeClientFrame(t *testing.T, conn net.Conn, payload []byte) {
	t.Helper()
	b := []byte{0x81}
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xFFFF:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	mask := []byte{1, 2, 3, 4}
	b = append(b, mask...)
	for i, c := range payload {
		b = append(b, c^mask[i%4])
	}
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, _ = conn.Write(b) // the server may close before it read everything
}

// readServerFrames reads frames until the server closes the TCP connection.
func readServerFrames(t *testing.T, conn net.Conn, br *bufio.Reader) []serverFrame {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var frames []serverFrame
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return frames
		}
		n := uint64(h[1] & 0x7F)
		switch n {
		case 126:
			var l [2]byte
			if _, err := io.ReadFull(br, l[:]); err != nil {
				return frames
			}
			n = uint64(binary.BigEndian.Uint16(l[:]))
		case 127:
			var l [8]byte
			if _, err := io.ReadFull(br, l[:]); err != nil {
				return frames
			}
			n = binary.BigEndian.Uint64(l[:])
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return frames
		}
		frames = append(frames, serverFrame{opcode: h[0] & 0x0F, payload: p})
	}
}

func TestWebSocketOversizedMessageCloses1009(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	big := `{"type":"subscribe","id":"1","payload":{"query":"{ version }","variables":{"x":"` +
		strings.Repeat("a", int(rest.DefaultLimits.WSMessageBytes)) + `"}}}`
	for _, sub := range []string{transportWS, legacyWS} {
		for _, initFirst := range []bool{false, true} {
			conn, br := rawSocket(t, srv, sub)
			if initFirst {
				writeClientFrame(t, conn, []byte(`{"type":"connection_init"}`))
			}
			writeClientFrame(t, conn, []byte(big))
			frames := readServerFrames(t, conn, br)
			var closes []serverFrame
			for i, f := range frames {
				if f.opcode == 8 {
					closes = append(closes, f)
					if i != len(frames)-1 {
						t.Errorf("%s, init %v: frames after the close: %d", sub, initFirst, len(frames)-1-i)
					}
				}
			}
			if len(closes) != 1 || len(closes[0].payload) < 2 || binary.BigEndian.Uint16(closes[0].payload) != websocket.CloseMessageTooBig {
				var codes []uint16
				for _, f := range closes {
					if len(f.payload) >= 2 {
						codes = append(codes, binary.BigEndian.Uint16(f.payload))
					}
				}
				t.Errorf("%s, init %v: close frames with codes %v, want one 1009", sub, initFirst, codes)
			}
		}
	}
	waitForGauge(t, srv, "gqlbase_websockets_open", 0)
}
