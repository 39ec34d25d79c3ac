package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	// A client that offers subprotocols, none of them ours, is refused the way the
	// graphql-ws reference server does it: the upgrade completes without a subprotocol and
	// the socket closes with 4406. (A client that offers none gets the legacy protocol.)
	var refused string
	if offered := websocket.Subprotocols(r); len(offered) > 0 &&
		!slices.ContainsFunc(offered, func(p string) bool { return slices.Contains(up.Subprotocols, p) }) {
		refused = offered[0]
	}
	conn, err := up.Upgrade(w, r, opts.ResponseHeader)
	if err != nil {
		return nil, err
	}
	if g.onOpen != nil {
		g.onOpen()
	}
	c := &gorillaConn{conn: conn, onClose: g.onClose, frames: newFrameWriter(conn.NetConn()), refused: refused,
		active: map[string]struct{}{}}
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
	sawFirst  bool  // read by one goroutine at a time, like the connection itself
	readLimit int64 // bytes of one message; 0 for none
	// refused is the subprotocol the client asked for when none of its offers is ours.
	refused string

	// active holds the ids of the graphql-transport-ws operations running, from the client's
	// subscribe to the server's complete or error (or the client's complete): the protocol
	// closes the socket when a subscribe reuses a running id, where gqlgen would silently
	// replace the first operation's cancel function.
	mu     sync.Mutex
	active map[string]struct{}
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
	if c.readLimit > 0 {
		r = &limitedMessage{r: r, left: c.readLimit, c: c}
	}
	if !c.sawFirst {
		c.sawFirst = true
		return c.checkFirst(mt, r)
	}
	if c.conn.Subprotocol() == "graphql-transport-ws" {
		return c.trackOperation(mt, r)
	}
	return mt, r, nil
}

var (
	errMessageTooBig   = errors.New("websocket: message exceeds the read limit")
	errDuplicateOpID   = errors.New("websocket: subscribe reuses the id of a running operation")
	completeMessageEnd = []byte(`"type":"complete"}`)
	errorMessageEnd    = []byte(`"type":"error"}`)
)

// limitedMessage enforces the read limit of one message. gorilla's own limit would send its
// close frame straight on the socket, past the frame writer and before whatever it still
// held, and gqlgen would then send a second close; here the 1009 close goes through the
// writer as the connection's last frame.
type limitedMessage struct {
	r    io.Reader
	left int64
	c    *gorillaConn
}

func (m *limitedMessage) Read(p []byte) (int, error) {
	if m.left < 0 {
		return 0, errMessageTooBig
	}
	if int64(len(p)) > m.left+1 {
		p = p[:m.left+1]
	}
	n, err := m.r.Read(p)
	m.left -= int64(n)
	if m.left < 0 {
		_ = m.c.WriteClose(websocket.CloseMessageTooBig, fmt.Sprintf("message exceeds %d bytes", m.c.readLimit))
		return n, errMessageTooBig
	}
	return n, err
}

// trackOperation follows the ids of graphql-transport-ws operations and closes the socket
// with 4409 when a subscribe reuses a running one, as the protocol requires.
func (c *gorillaConn) trackOperation(mt int, r io.Reader) (int, io.Reader, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return 0, nil, err
	}
	var msg struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if json.Unmarshal(data, &msg) == nil && msg.ID != "" {
		switch msg.Type {
		case "subscribe":
			c.mu.Lock()
			_, running := c.active[msg.ID]
			c.active[msg.ID] = struct{}{}
			c.mu.Unlock()
			if running {
				_ = c.WriteClose(4409, "Subscriber for "+msg.ID+" already exists")
				return 0, nil, errDuplicateOpID
			}
		case "complete":
			c.operationDone(msg.ID)
		}
	}
	return mt, bytes.NewReader(data), nil
}

func (c *gorillaConn) operationDone(id string) {
	c.mu.Lock()
	delete(c.active, id)
	c.mu.Unlock()
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
	// gqlgen's graphql-transport-ws messages end with their type: an operation's last
	// message frees its id before the client can see it.
	if bytes.HasSuffix(b, completeMessageEnd) || bytes.HasSuffix(b, errorMessageEnd) {
		var msg struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(b, &msg) == nil && msg.ID != "" {
			c.operationDone(msg.ID)
		}
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
	if c.refused != "" {
		// gqlgen refuses the subprotocol with a protocol error and leaves the connection open.
		defer c.Close()
		code, message = 4406, "Subprotocol not acceptable"
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

// Subprotocol is the negotiated subprotocol, or the one refused: gqlgen then closes.
func (c *gorillaConn) Subprotocol() string {
	if c.refused != "" {
		return c.refused
	}
	return c.conn.Subprotocol()
}

// SetReadLimit bounds each message; limitedMessage enforces it.
func (c *gorillaConn) SetReadLimit(limit int64) { c.readLimit = limit }

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
