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
	// Subscribe before replaying, so nothing committed in between is missed; what the replay
	// already sent is skipped by id.
	sub := s.resolver.Realtime.Hub.SubscribeTable(t.ID, 256, nil)
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
	fmt.Fprint(w, ": gqlbase event stream\nretry: 2000\n\n")
	flusher.Flush()

	for last > 0 {
		events, err := s.store.TableEventsAfter(ctx, t.ID, last, 1000)
		if err != nil {
			s.logger.ErrorContext(ctx, "event stream replay", "err", err)
			writeSSEError(w, flusher, gqlbase.Errorf(gqlbase.CodeInternal, "internal error"))
			return
		}
		for _, e := range events {
			if writeSSE(w, e) != nil {
				return
			}
			last = e.ID
		}
		flusher.Flush()
		if len(events) < 1000 {
			break
		}
	}

	keepAlive := time.NewTicker(sseKeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case c, ok := <-sub.Changes():
			if !ok {
				if err := sub.Err(); err != nil && err != realtime.ErrShutdown {
					writeSSEError(w, flusher, err)
				}
				return
			}
			if c.ID <= last {
				continue
			}
			if writeSSE(w, c.Event) != nil {
				return
			}
			flusher.Flush()
		case err := <-ended:
			writeSSEError(w, flusher, err)
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			flusher.Flush()
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
	data, _ := json.Marshal(map[string]string{"code": string(code), "message": msg})
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
