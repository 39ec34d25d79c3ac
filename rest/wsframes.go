package rest

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"time"
)

// WebSocket opcodes of the frames the server writes.
const (
	opText  = 1
	opClose = 8
	opPong  = 10
)

// maxPendingWrite bounds what a connection may have waiting to be written: a writer that
// finds more waits, so a client that stops reading slows its subscriptions down (and the hub
// closes them) instead of growing the server's memory.
const maxPendingWrite = 1 << 20

var errWriterClosed = errors.New("websocket: connection closed")

// frameWriter writes a connection's frames from one goroutine, sending whatever accumulated
// while the previous write was in the kernel in a single write. With many subscriptions on a
// connection, an event that reaches all of them costs one system call instead of one each.
type frameWriter struct {
	conn net.Conn

	mu      sync.Mutex
	cond    *sync.Cond
	pending []byte
	spare   []byte
	closing bool // no new frames; exit once pending is written
	err     error
	done    chan struct{}
}

func newFrameWriter(conn net.Conn) *frameWriter {
	w := &frameWriter{conn: conn, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	go w.loop()
	return w
}

// write queues one unfragmented frame.
func (w *frameWriter) write(opcode byte, payload []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.pending) > maxPendingWrite && w.err == nil && !w.closing {
		w.cond.Wait()
	}
	if w.err != nil {
		return w.err
	}
	if w.closing {
		return errWriterClosed
	}
	w.pending = appendFrame(w.pending, opcode, payload)
	w.cond.Broadcast()
	return nil
}

// finish queues a last frame (when opcode is not 0), writes everything pending and stops,
// waiting at most wait.
func (w *frameWriter) finish(opcode byte, payload []byte, wait time.Duration) error {
	w.mu.Lock()
	if !w.closing && w.err == nil && opcode != 0 {
		w.pending = appendFrame(w.pending, opcode, payload)
	}
	w.closing = true
	w.cond.Broadcast()
	w.mu.Unlock()
	select {
	case <-w.done:
	case <-time.After(wait):
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *frameWriter) loop() {
	defer close(w.done)
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for len(w.pending) == 0 && !w.closing && w.err == nil {
			w.cond.Wait()
		}
		if len(w.pending) == 0 || w.err != nil {
			return
		}
		out := w.pending
		w.pending = w.spare[:0]
		w.mu.Unlock()
		_ = w.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		_, err := w.conn.Write(out)
		w.mu.Lock()
		if cap(out) <= 64<<10 {
			w.spare = out[:0] // keep a modest buffer for the next batch
		} else {
			w.spare = nil
		}
		if err != nil {
			w.err = err
		}
		w.cond.Broadcast() // writers waiting for room
	}
}

// appendFrame appends a final, unmasked frame (servers never mask).
func appendFrame(b []byte, opcode byte, payload []byte) []byte {
	b = append(b, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}
