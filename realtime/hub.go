// Package realtime fans committed events out to subscribers: the outbox listener feeds a
// process-wide hub, the hub hands each event to the subscriptions whose filter matches, and a
// watcher ends the subscriptions of credentials that were revoked or expired.
package realtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"

	"github.com/gqlbase/gqlbase"
)

// ErrShutdown ends subscriptions when the server stops.
var ErrShutdown = errors.New("server shutting down")

// Change is an event with its rows decoded once, for every subscriber's filter.
type Change struct {
	*gqlbase.Event
	Before map[string]any // flat row (system and user columns); nil when there is none
	After  map[string]any
	// Table is the changed table's metadata when the hub's Prepare function loaded it; nil
	// otherwise. Sinks read it instead of asking the database, which Offer must not do.
	Table *gqlbase.Table

	memoOnce sync.Once
	memo     any
}

// Memo returns build's result, computed once per change however many subscribers ask: the
// shape a subscription hands to its clients is the same for all of them.
func (c *Change) Memo(build func() any) any {
	c.memoOnce.Do(func() { c.memo = build() })
	return c.memo
}

// Sink receives a subscription's changes. Offer must not block: it returns false when the
// subscriber is genuinely behind (see Flow), and the hub then ends the subscription with the
// sink's Behind() error when it has one (ErrSlowSubscriber otherwise). End is called once,
// when the subscription ends (err is nil when the subscriber closed it).
type Sink interface {
	Offer(*Change) bool
	End(err error)
}

// behindSink is a sink that can name the last event it handed on.
type behindSink interface{ Behind() error }

// chanSink is the Sink behind Changes(): a flow-controlled queue into the channel.
type chanSink struct{ q *Queue[*Change] }

func (s chanSink) Offer(c *Change) bool { return s.q.Push(c, c.ID, ChangeSize(c)) }
func (s chanSink) End(error)            { s.q.Close() }
func (s chanSink) Behind() error        { return s.q.Behind() }

// ChangeSize estimates what a change weighs for flow control: its row data and a fixed part.
func ChangeSize(c *Change) int64 {
	return int64(len(c.Event.Before)+len(c.Event.After)) + 256
}

// Hub fans events out. Publishing never blocks: each subscriber has its own flow-controlled
// queue, and one that is genuinely behind is closed with an error naming the last event it
// was handed (Behind); nothing later reaches it, so it resumes without a gap.
type Hub struct {
	prepare func([]*Change) // set before the first Publish

	mu         sync.RWMutex
	byTable    map[int64]map[*Subscription]struct{}
	byDatabase map[int64]map[*Subscription]struct{}
	count      int
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{byTable: map[int64]map[*Subscription]struct{}{}, byDatabase: map[int64]map[*Subscription]struct{}{}}
}

// Subscription receives the changes it matches until it is closed.
type Subscription struct {
	hub   *Hub
	ch    <-chan *Change // nil for subscriptions with a sink of their own
	sink  Sink
	match func(*Change) bool
	index map[int64]map[*Subscription]struct{}
	key   int64

	// guarded by hub.mu
	closed bool
	err    error
}

// Changes delivers matching changes; it is closed when the subscription ends (see Err).
func (s *Subscription) Changes() <-chan *Change { return s.ch }

// Err tells why the subscription ended (nil when the subscriber closed it).
func (s *Subscription) Err() error {
	s.hub.mu.RLock()
	defer s.hub.mu.RUnlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() { s.hub.end(s, nil) }

// End ends the subscription with err (for example when its credential stopped working).
func (s *Subscription) End(err error) { s.hub.end(s, err) }

// SubscribeTable subscribes to the row and schema changes of a table that match; they arrive
// on Changes(), whose channel holds buffer changes (a backlog beyond it waits under
// DefaultFlow).
func (h *Hub) SubscribeTable(tableID int64, buffer int, match func(*Change) bool) *Subscription {
	return h.subscribeChan(h.byTable, tableID, buffer, DefaultFlow, match)
}

// SubscribeTableHeld is SubscribeTable for a consumer that replays older events first: its
// changes are held (under DefaultFlow's bytes) until it calls Release on the queue returned,
// having marked what it replayed (Queue.MarkReplayed).
func (h *Hub) SubscribeTableHeld(tableID int64, buffer int, match func(*Change) bool) (*Subscription, *Queue[*Change]) {
	s := h.subscribeChanHeld(h.byTable, tableID, buffer, DefaultFlow, true, match)
	return s, s.sink.(chanSink).q
}

// SubscribeTableSink is SubscribeTable delivering into a sink of the caller's, which saves a
// goroutine per subscription where the caller only reshapes each change.
func (h *Hub) SubscribeTableSink(tableID int64, sink Sink, match func(*Change) bool) *Subscription {
	return h.subscribe(h.byTable, tableID, sink, match)
}

// SubscribeDatabase subscribes to the changes of a database's tables and columns that match.
func (h *Hub) SubscribeDatabase(databaseID int64, buffer int, match func(*Change) bool) *Subscription {
	return h.subscribeChan(h.byDatabase, databaseID, buffer, DefaultFlow, match)
}

// SubscribeDatabaseSink is SubscribeDatabase delivering into a sink of the caller's.
func (h *Hub) SubscribeDatabaseSink(databaseID int64, sink Sink, match func(*Change) bool) *Subscription {
	return h.subscribe(h.byDatabase, databaseID, sink, match)
}

func (h *Hub) subscribeChan(index map[int64]map[*Subscription]struct{}, key int64, buffer int, flow Flow, match func(*Change) bool) *Subscription {
	return h.subscribeChanHeld(index, key, buffer, flow, false, match)
}

func (h *Hub) subscribeChanHeld(index map[int64]map[*Subscription]struct{}, key int64, buffer int, flow Flow, hold bool, match func(*Change) bool) *Subscription {
	var sub *Subscription
	var once sync.Once
	ready := make(chan struct{})
	q := NewQueue[*Change](buffer, flow, func(err error) {
		<-ready
		once.Do(func() { sub.End(err) })
	})
	if hold {
		q.Hold()
	}
	sub = h.subscribe(index, key, chanSink{q: q}, match)
	close(ready)
	return sub
}

func (h *Hub) subscribe(index map[int64]map[*Subscription]struct{}, key int64, sink Sink, match func(*Change) bool) *Subscription {
	s := &Subscription{hub: h, sink: sink, match: match, index: index, key: key}
	if cs, ok := sink.(chanSink); ok {
		s.ch = cs.q.Out()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	set := index[key]
	if set == nil {
		set = map[*Subscription]struct{}{}
		index[key] = set
	}
	set[s] = struct{}{}
	h.count++
	return s
}

func (h *Hub) end(s *Subscription, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.endLocked(s, err)
}

func (h *Hub) endLocked(s *Subscription, err error) {
	if s.closed {
		return
	}
	s.closed, s.err = true, err
	if set := s.index[s.key]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(s.index, s.key)
		}
	}
	h.count--
	s.sink.End(err)
}

// Prepare registers f, which Publish calls with the decoded changes that have subscribers
// before it offers any of them, without holding the hub's lock: whatever the sinks need from
// the database (the table's metadata) is loaded there, so a slow query never holds up
// subscribing, unsubscribing or other publishers. Register it before the first Publish.
func (h *Hub) Prepare(f func([]*Change)) { h.prepare = f }

// Count is the number of open subscriptions.
func (h *Hub) Count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.count
}

// Publish hands events to the subscriptions they match.
func (h *Hub) Publish(events []*gqlbase.Event) {
	// Decode (and prepare) only what someone listens to, outside the lock. A subscription
	// made between the two looks sees the events only if it was there for the second:
	// either way it subscribed concurrently with their publication.
	var changes []*Change
	h.mu.RLock()
	for _, e := range events {
		if len(h.byTable[e.TableID]) > 0 || (e.Kind.IsSchema() && len(h.byDatabase[e.DatabaseID]) > 0) {
			changes = append(changes, &Change{Event: e})
		}
	}
	h.mu.RUnlock()
	if len(changes) == 0 {
		return
	}
	for _, c := range changes {
		decodeInto(c)
	}
	if h.prepare != nil {
		h.prepare(changes)
	}
	// A subscriber whose sink refused a change is skipped for the rest of the batch: handing
	// it a later change would leave a gap in its stream.
	var slow map[*Subscription]struct{}
	h.mu.RLock()
	for _, c := range changes {
		tableSubs := h.byTable[c.TableID]
		var dbSubs map[*Subscription]struct{}
		if c.Kind.IsSchema() {
			dbSubs = h.byDatabase[c.DatabaseID]
		}
		for _, set := range []map[*Subscription]struct{}{tableSubs, dbSubs} {
			for s := range set {
				if s.closed || (s.match != nil && !s.match(c)) {
					continue
				}
				if _, dropped := slow[s]; dropped {
					continue
				}
				if !s.sink.Offer(c) {
					if slow == nil {
						slow = map[*Subscription]struct{}{}
					}
					slow[s] = struct{}{}
				}
			}
		}
	}
	h.mu.RUnlock()
	if len(slow) > 0 {
		h.mu.Lock()
		for s := range slow {
			var err error = ErrSlowSubscriber
			if b, ok := s.sink.(behindSink); ok {
				err = b.Behind()
			}
			h.endLocked(s, err)
		}
		h.mu.Unlock()
	}
}

// CloseAll ends every subscription with err (server shutdown).
func (h *Hub) CloseAll(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, index := range []map[int64]map[*Subscription]struct{}{h.byTable, h.byDatabase} {
		for _, set := range index {
			for s := range set {
				h.endLocked(s, err)
			}
		}
	}
}

func decodeInto(c *Change) {
	if c.Kind.IsRow() {
		c.Before, c.After = decodeRow(c.Event.Before), decodeRow(c.Event.After)
	}
}

func decodeRow(raw json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

// Changes decodes events the way Publish does and runs the Prepare function over them: a
// subscription that replays from the outbox (after: id) hands its subscriber the same
// changes as live ones.
func (h *Hub) Changes(events []*gqlbase.Event) []*Change {
	changes := make([]*Change, len(events))
	for i, e := range events {
		changes[i] = &Change{Event: e}
		decodeInto(changes[i])
	}
	if h.prepare != nil && len(changes) > 0 {
		h.prepare(changes)
	}
	return changes
}
