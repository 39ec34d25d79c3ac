package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// sseKeepAlive is how often an idle event stream sends a comment, so proxies keep it open.
const sseKeepAlive = 15 * time.Second

// eventStream serves GET /events/stream?table=ID: the table's committed changes as
// Server-Sent Events. A Last-Event-ID header (or lastEventId parameter) replays what came
// after that event from the outbox before going live.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tableID, err := strconv.ParseInt(r.URL.Query().Get("table"), 10, 64)
	if err != nil || tableID <= 0 {
		writeError(w, gqlbase.BadInput("give the table to stream: ?table=<table id>").WithField("table"))
		return
	}
	t, err := s.resolver.TableFor(ctx, tableID, gqlbase.ScopeRead)
	if err != nil {
		writeError(w, err)
		return
	}
	var last int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, err = strconv.ParseInt(v, 10, 64)
	} else if v := r.URL.Query().Get("lastEventId"); v != "" {
		last, err = strconv.ParseInt(v, 10, 64)
	}
	if err != nil || last < 0 {
		writeError(w, gqlbase.BadInput("Last-Event-ID must be an event id").WithField("Last-Event-ID"))
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, fmt.Errorf("response writer cannot stream"))
		return
	}
	p := gqlbase.PrincipalFrom(ctx)
	// Subscribe before replaying, so nothing committed in between is missed: live changes are
	// held while the replay runs, and those it already sent are not sent again.
	sub, queue := s.resolver.Realtime.Hub.SubscribeTableHeld(t.ID, 64, nil)
	defer sub.Close()
	ended := make(chan error, 1)
	release := s.resolver.Realtime.Watch(p, func(err error) {
		select {
		case ended <- err:
		default:
		}
	})
	defer release()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A client that stops reading is closed once a write has waited for it as long as the
	// flow control lets an event wait (realtime.DefaultFlow.SlowAfter).
	rc := http.NewResponseController(w)
	write := func(f func() error) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(realtime.DefaultFlow.SlowAfter))
		if f() != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(func() error { _, err := fmt.Fprint(w, ": gqlbase event stream\nretry: 2000\n\n"); return err }) {
		return
	}

	from := last
	for replayed := last > 0; replayed; {
		events, err := s.store.TableEventsAfter(ctx, t.ID, last, 1000)
		if err != nil {
			s.logger.ErrorContext(ctx, "event stream replay", "err", err)
			writeSSEError(w, flusher, gqlbase.Errorf(gqlbase.CodeInternal, "could not replay the events after %d", last))
			return
		}
		for _, e := range events {
			if writeSSE(w, e) != nil {
				return
			}
			queue.MarkReplayed(e.ID)
			last = e.ID
		}
		if !write(func() error { return nil }) {
			return
		}
		replayed = len(events) == 1000
	}
	queue.Release(from)

	keepAlive := time.NewTicker(sseKeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case c, ok := <-sub.Changes():
			if !ok {
				if err := sub.Err(); realtime.IsBehind(err) {
					// Name what this stream wrote last: it resumes from there without a gap.
					writeSSEError(w, flusher, realtime.Behind(realtime.DefaultFlow, last))
				} else if err != nil && err != realtime.ErrShutdown {
					writeSSEError(w, flusher, err)
				}
				return
			}
			if !write(func() error { return writeSSE(w, c.Event) }) {
				return
			}
			last = max(last, c.ID)
		case err := <-ended:
			writeSSEError(w, flusher, err)
			return
		case <-keepAlive.C:
			if !write(func() error { _, err := fmt.Fprint(w, ": keep-alive\n\n"); return err }) {
				return
			}
		case <-ctx.Done():
			return
		case <-s.closing.Done():
			return
		}
	}
}

// sseEvent is the data of one event on the stream.
type sseEvent struct {
	ID         int64           `json:"id"`
	Kind       string          `json:"kind"`
	DatabaseID int64           `json:"databaseId,omitempty"`
	TableID    int64           `json:"tableId,omitempty"`
	RowID      int64           `json:"rowId,omitempty"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Actor      string          `json:"actor,omitempty"`
	At         time.Time       `json:"at"`
}

func writeSSE(w http.ResponseWriter, e *gqlbase.Event) error {
	before, after := e.Before, e.After
	if before == nil {
		before = json.RawMessage("null")
	}
	if after == nil {
		after = json.RawMessage("null")
	}
	data, err := json.Marshal(sseEvent{ID: e.ID, Kind: string(e.Kind), DatabaseID: e.DatabaseID, TableID: e.TableID,
		RowID: e.RowID, Before: before, After: after, Actor: e.Actor, At: e.CreatedAt})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Kind, data)
	return err
}

func writeSSEError(w http.ResponseWriter, f http.Flusher, err error) {
	code, msg := gqlbase.CodeInternal, "internal error"
	if e, ok := gqlbase.AsError(err); ok {
		code, msg = e.Code, e.Message
	}
	body := map[string]any{"code": string(code), "message": msg}
	if e, ok := gqlbase.AsError(err); ok && e.Details["lastEventId"] != nil {
		body["lastEventId"] = e.Details["lastEventId"]
	}
	data, _ := json.Marshal(body)
	fmt.Fprintf(w, "event: error\ndata: %s\n\n", data)
	f.Flush()
}

// writeError answers a plain HTTP endpoint's error as {"error": {"code", "message"}}.
func writeError(w http.ResponseWriter, err error) {
	e, ok := gqlbase.AsError(err)
	if !ok {
		e = gqlbase.Errorf(gqlbase.CodeInternal, "internal error")
	}
	body := map[string]any{"code": string(e.Code), "message": e.Message}
	if e.Field != "" {
		body["field"] = e.Field
	}
	writeJSON(w, restkit.HTTPStatus(e.Code), map[string]any{"error": body})
}
