package resolvers

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/storage"
)

// subscriptionBuffer is the channel between a subscription's sink and gqlgen; a burst
// beyond it waits in the sink's flow-controlled queue (realtime.Flow), not dropped.
const subscriptionBuffer = 32

// replayPage is how many outbox events one read of a replay (after: id) loads.
const replayPage = 500

// RecheckCredential makes sure the credential of a long-lived connection still works when it
// starts another subscription: connection_init may be long past.
func (r *Resolver) RecheckCredential(ctx context.Context, p *gqlbase.Principal) error {
	if err := p.Authenticated(); err != nil {
		return err
	}
	if p.TokenID == 0 && p.SessionID == 0 {
		return nil
	}
	bad, err := r.Store.InvalidCredentials(ctx, []storage.Credential{{TokenID: p.TokenID, SessionID: p.SessionID, Hash: p.SecretHash}})
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return gqlbase.Unauthenticated("credentials revoked or expired")
	}
	return nil
}

// eventSink delivers a subscription's changes, reshaped for the client, into the channel
// gqlgen reads through a flow-controlled queue: no goroutine per idle subscription, and a
// burst waits for a subscriber that reads at a normal pace. When the subscription ends with
// an error (the client fell behind, its credential stopped working), the error is the
// operation's last message, after every change handed on before it.
type eventSink[T any] struct {
	ctx     context.Context
	q       *realtime.Queue[*T]
	convert func(*realtime.Change) *T

	mu      sync.Mutex
	ended   bool
	cleanup func() // set once wired; run at the end
}

// setCleanup installs what End must undo; when the subscription already ended (its context
// was cancelled while it was being wired), it runs at once.
func (s *eventSink[T]) setCleanup(f func()) {
	s.mu.Lock()
	ended := s.ended
	s.cleanup = f
	s.mu.Unlock()
	if ended {
		f()
	}
}

func (s *eventSink[T]) Offer(c *realtime.Change) bool {
	return s.q.Push(s.convert(c), c.ID, realtime.ChangeSize(c))
}

// Behind names the last change handed on (realtime.Behind).
func (s *eventSink[T]) Behind() error { return s.q.Behind() }

func (s *eventSink[T]) End(err error) {
	switch {
	case realtime.IsBehind(err):
		// The last change handed on is final only once the queue has stopped.
		s.q.CloseThen(func(last int64) { s.report(realtime.Behind(s.q.Flow(), last)) })
	case err != nil && err != realtime.ErrShutdown:
		s.report(err)
		s.q.Close()
	default:
		s.q.Close()
	}
	s.mu.Lock()
	s.ended = true
	f := s.cleanup
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

func (s *eventSink[T]) report(err error) {
	if report := gqlbase.StreamEndFrom(s.ctx); report != nil {
		report(err)
	} else {
		transport.AddSubscriptionError(s.ctx, subscriptionError(s.ctx, err))
	}
}

func subscriptionError(ctx context.Context, err error) *gqlerror.Error {
	e, ok := gqlbase.AsError(err)
	if !ok {
		e = gqlbase.Errorf(gqlbase.CodeInternal, "internal error")
	}
	out := &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": string(e.Code)}}
	for k, v := range e.Details { // lastEventId of a subscriber closed for being behind
		out.Extensions[k] = v
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		out.Path = fc.Path()
	}
	return out
}

// replaySource loads a page of the outbox events a subscription replays, after an id.
type replaySource func(ctx context.Context, after int64, limit int) ([]*gqlbase.Event, error)

// subscribe wires a sink to the hub, the credential watcher and the operation's context. With
// after, the sink holds live changes while the events after that id are replayed from the
// outbox (through match and convert like live ones), then hands on the held ones the replay
// did not deliver: each event once, nothing skipped between replay and live.
func subscribe[T any](ctx context.Context, r *Resolver, p *gqlbase.Principal, convert func(*realtime.Change) *T,
	match func(*realtime.Change) bool, after *int64, replay replaySource,
	hubSubscribe func(realtime.Sink) *realtime.Subscription) <-chan *T {
	var sub *realtime.Subscription
	ready := make(chan struct{})
	q := realtime.NewQueue[*T](subscriptionBuffer, realtime.DefaultFlow, func(err error) {
		<-ready
		sub.End(err)
	})
	if after != nil {
		q.Hold()
	}
	sink := &eventSink[T]{ctx: ctx, q: q, convert: convert}
	sub = hubSubscribe(sink)
	close(ready)
	release := r.Realtime.Watch(p, sub.End)
	stop := context.AfterFunc(ctx, sub.Close)
	sink.setCleanup(func() {
		release()
		stop()
	})
	if after != nil {
		go replayInto(ctx, r, sub, q, *after, replay, match, convert)
	}
	return q.Chan()
}

// replayInto hands a subscription the outbox events after an id, page by page and at the
// consumer's pace (Queue.Deliver), then releases its live ones. A replay that cannot read the
// outbox ends the subscription rather than leave a gap.
func replayInto[T any](ctx context.Context, r *Resolver, sub *realtime.Subscription, q *realtime.Queue[*T], after int64,
	load replaySource, match func(*realtime.Change) bool, convert func(*realtime.Change) *T) {
	pos := after
	for {
		events, err := load(ctx, pos, replayPage)
		if err != nil {
			if ctx.Err() == nil {
				r.Logger.Error("subscription: replay from the outbox", "after", pos, "err", err)
				sub.End(gqlbase.Errorf(gqlbase.CodeInternal, "could not replay the events after %d; subscribe again with after: \"%d\"", pos, q.LastID()))
			}
			return
		}
		for _, c := range r.Realtime.Hub.Changes(events) {
			pos = c.ID
			if match != nil && !match(c) {
				continue
			}
			if q.Deliver(ctx, convert(c), c.ID) != nil {
				return // closed, cancelled or behind (Deliver ended it)
			}
		}
		if len(events) < replayPage {
			break
		}
	}
	q.Release(after)
}

// SubscribeRows streams a table's row changes that match filter and kinds.
// With after, the changes after that event id are replayed from the outbox first.
func (r *Resolver) SubscribeRows(ctx context.Context, t *gqlbase.Table, filter *gqlbase.BoundFilter, kinds []gqlbase.RowEventKind, after *int64) (<-chan *gqlbase.RowEvent, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := r.RecheckCredential(ctx, p); err != nil {
		return nil, err
	}
	match := func(c *realtime.Change) bool {
		k := gqlbase.RowEventKindOf(c.Kind)
		if k == "" || (len(kinds) > 0 && !slices.Contains(kinds, k)) {
			return false
		}
		return filter == nil || (c.After != nil && filter.Match(c.After)) || (c.Before != nil && filter.Match(c.Before))
	}
	convert := func(c *realtime.Change) *gqlbase.RowEvent {
		return c.Memo(func() any { return r.rowEvent(t.ID, c) }).(*gqlbase.RowEvent)
	}
	if err := checkAfter(after); err != nil {
		return nil, err
	}
	replay := func(ctx context.Context, pos int64, limit int) ([]*gqlbase.Event, error) {
		return r.Store.TableEventsAfter(ctx, t.ID, pos, limit)
	}
	return subscribe(ctx, r, p, convert, match, after, replay, func(s realtime.Sink) *realtime.Subscription {
		return r.Realtime.Hub.SubscribeTableSink(t.ID, s, match)
	}), nil
}

// PrepareChanges loads the tables of row changes before the hub offers them (see
// realtime.Hub.Prepare): shaping a change needs the table's current column order, and the
// hub's sinks may not query the database while its lock is held.
func (r *Resolver) PrepareChanges(changes []*realtime.Change) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	loaders := r.loaders(ctx)
	tables := map[int64]*gqlbase.Table{}
	for _, c := range changes {
		if !c.Kind.IsRow() {
			continue
		}
		t, seen := tables[c.TableID]
		if !seen {
			var err error
			if t, err = loaders.Table(ctx, c.TableID); err != nil {
				if gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
					r.Logger.Warn("subscriptions: load the table of a change", "table", c.TableID, "err", err)
				}
				t = nil
			}
			tables[c.TableID] = t
		}
		c.Table = t
	}
}

// rowEvent shapes a change for subscribers, with the table's current column order (loaded by
// PrepareChanges; without it, system columns only).
func (r *Resolver) rowEvent(tableID int64, c *realtime.Change) *gqlbase.RowEvent {
	t := c.Table
	if t == nil {
		t = &gqlbase.Table{ID: tableID}
	}
	ev := &gqlbase.RowEvent{ID: c.ID, Kind: gqlbase.RowEventKindOf(c.Kind), At: c.CreatedAt, Actor: c.Actor,
		Row: gqlbase.RowFromFlat(t, c.After), Old: gqlbase.RowFromFlat(t, c.Before)}
	if ev.Kind == gqlbase.RowDeleted {
		ev.Row = ev.Old
	}
	return ev
}

// SubscribeTables streams the schema changes of a database.
// With after, the changes after that event id are replayed from the outbox first.
func (r *Resolver) SubscribeTables(ctx context.Context, db *gqlbase.Database, after *int64) (<-chan *gqlbase.TableEvent, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := r.RecheckCredential(ctx, p); err != nil {
		return nil, err
	}
	convert := func(c *realtime.Change) *gqlbase.TableEvent { return &gqlbase.TableEvent{Event: c.Event} }
	if err := checkAfter(after); err != nil {
		return nil, err
	}
	match := func(c *realtime.Change) bool { return c.Kind.IsSchema() }
	replay := func(ctx context.Context, pos int64, limit int) ([]*gqlbase.Event, error) {
		return r.Store.DatabaseSchemaEventsAfter(ctx, db.ID, pos, limit)
	}
	return subscribe(ctx, r, p, convert, match, after, replay, func(s realtime.Sink) *realtime.Subscription {
		return r.Realtime.Hub.SubscribeDatabaseSink(db.ID, s, match)
	}), nil
}

func checkAfter(after *int64) error {
	if after != nil && *after < 0 {
		return gqlbase.BadInput("after must be an event id").WithField("after")
	}
	return nil
}
