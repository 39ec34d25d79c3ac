package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// gorillaWebsocket adapts gorilla/websocket to gqlgen's websocket transport.
type gorillaWebsocket struct {
	upgrader websocket.Upgrader
	// onOpen and onClose let the server count open connections.
	onOpen, onClose func()
}

var _ transport.WebsocketImplementation = (*gorillaWebsocket)(nil)

func (g *gorillaWebsocket) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	up := g.upgrader
	up.Subprotocols = slices.Clone(up.Subprotocols)
	for _, p := range opts.Subprotocols {
		if !slices.Contains(up.Subprotocols, p) {
			up.Subprotocols = append(up.Subprotocols, p)
		}
	}
	conn, err := up.Upgrade(w, r, opts.ResponseHeader)
	if err != nil {
		return nil, err
	}
	if g.onOpen != nil {
		g.onOpen()
	}
	c := &gorillaConn{conn: conn, onClose: g.onClose, frames: newFrameWriter(conn.NetConn())}
	// Every frame the server sends goes through the frame writer, control frames included:
	// gorilla would otherwise answer pings and closes on the socket directly.
	conn.SetPingHandler(func(data string) error {
		err := c.frames.write(opPong, []byte(data))
		if errors.Is(err, errWriterClosed) {
			return nil
		}
		return err
	})
	conn.SetCloseHandler(func(code int, text string) error {
		if code == websocket.CloseNoStatusReceived {
			code = websocket.CloseNormalClosure
		}
		_ = c.frames.finish(opClose, websocket.FormatCloseMessage(code, ""), time.Second)
		return nil
	})
	return c, nil
}

// gorillaConn reads with gorilla and writes through a frameWriter: gqlgen writes from the
// subscription goroutines, the keep-alive ticker and the close path at once, and the writer
// both serialises them and batches what piles up.
type gorillaConn struct {
	conn      *websocket.Conn
	frames    *frameWriter
	closeOnce sync.Once
	onClose   func()
	sawFirst  bool // read by one goroutine at a time, like the connection itself
}

var (
	_ transport.WebsocketConn          = (*gorillaConn)(nil)
	_ transport.WebsocketReadLimiter   = (*gorillaConn)(nil)
	_ transport.WebsocketReadDeadliner = (*gorillaConn)(nil)
)

func (c *gorillaConn) NextReader() (int, io.Reader, error) {
	mt, r, err := c.conn.NextReader()
	if err != nil {
		if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
			return 0, nil, transport.ErrWebsocketClosed
		}
		return 0, nil, err
	}
	if !c.sawFirst {
		c.sawFirst = true
		return c.checkFirst(mt, r)
	}
	return mt, r, nil
}

// errBadInitPayload ends a connection whose connection_init payload is not an object.
var errBadInitPayload = errors.New("connection_init payload is not a JSON object")

// checkFirst looks at the first message before gqlgen does: gqlgen returns from a
// connection_init whose payload is not a JSON object without closing the connection, which
// would then stay open, counted, until the garbage collector noticed. Such a connection is
// closed here with 4400 (bad request) instead.
func (c *gorillaConn) checkFirst(mt int, r io.Reader) (int, io.Reader, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return 0, nil, err
	}
	var msg struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(data, &msg) == nil && msg.Type == "connection_init" {
		p := bytes.TrimSpace(msg.Payload)
		if len(p) > 0 && !bytes.Equal(p, []byte("null")) && p[0] != '{' {
			_ = c.WriteClose(4400, "connection_init payload must be a JSON object")
			return 0, nil, errBadInitPayload
		}
	}
	return mt, bytes.NewReader(data), nil
}

func (c *gorillaConn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.frames.write(opText, b)
}

func (c *gorillaConn) WriteClose(code int, message string) error {
	// graphql-transport-ws names its own close code for a missing connection_init; gqlgen
	// closes with a generic protocol error, which clients cannot tell apart.
	if code == websocket.CloseProtocolError && message == "connection initialisation timeout" &&
		c.conn.Subprotocol() == "graphql-transport-ws" {
		code = 4408
	}
	// A close reason is limited to 123 bytes by the protocol.
	if len(message) > 123 {
		message = message[:123]
	}
	err := c.frames.finish(opClose, websocket.FormatCloseMessage(code, message), time.Second)
	if errors.Is(err, errWriterClosed) {
		return nil
	}
	return err
}

func (c *gorillaConn) Subprotocol() string { return c.conn.Subprotocol() }

func (c *gorillaConn) SetReadLimit(limit int64) { c.conn.SetReadLimit(limit) }

func (c *gorillaConn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

func (c *gorillaConn) Close() error {
	_ = c.frames.finish(0, nil, time.Second) // what is queued still goes out
	err := c.conn.Close()
	c.closeOnce.Do(func() {
		if c.onClose != nil {
			c.onClose()
		}
	})
	return err
}

// writeTimeout bounds a write to a client that stopped reading.
const writeTimeout = 10 * time.Second
