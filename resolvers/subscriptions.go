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

// subscriptionBuffer is how many events a subscription may fall behind before it is closed.
const subscriptionBuffer = 64

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

// eventSink delivers a subscription's changes, reshaped for the client, straight into the
// channel gqlgen reads: no goroutine per subscription. When the subscription ends with an
// error (the client fell behind, its credential stopped working), the error is the
// operation's last message.
type eventSink[T any] struct {
	ctx     context.Context
	out     chan *T
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
	select {
	case s.out <- s.convert(c):
		return true
	default:
		return false
	}
}

func (s *eventSink[T]) End(err error) {
	if err != nil && err != realtime.ErrShutdown {
		if report := gqlbase.StreamEndFrom(s.ctx); report != nil {
			report(err)
		} else {
			transport.AddSubscriptionError(s.ctx, subscriptionError(s.ctx, err))
		}
	}
	close(s.out)
	s.mu.Lock()
	s.ended = true
	f := s.cleanup
	s.mu.Unlock()
	if f != nil {
		f()
	}
}

func subscriptionError(ctx context.Context, err error) *gqlerror.Error {
	e, ok := gqlbase.AsError(err)
	if !ok {
		e = gqlbase.Errorf(gqlbase.CodeInternal, "internal error")
	}
	out := &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": string(e.Code)}}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		out.Path = fc.Path()
	}
	return out
}

// subscribe wires a sink to the hub, the credential watcher and the operation's context.
func subscribe[T any](ctx context.Context, r *Resolver, p *gqlbase.Principal, convert func(*realtime.Change) *T,
	hubSubscribe func(realtime.Sink) *realtime.Subscription) <-chan *T {
	sink := &eventSink[T]{ctx: ctx, out: make(chan *T, subscriptionBuffer), convert: convert}
	sub := hubSubscribe(sink)
	release := r.Realtime.Watch(p, sub.End)
	stop := context.AfterFunc(ctx, sub.Close)
	sink.setCleanup(func() {
		release()
		stop()
	})
	return sink.out
}

// SubscribeRows streams a table's row changes that match filter and kinds.
func (r *Resolver) SubscribeRows(ctx context.Context, t *gqlbase.Table, filter *gqlbase.BoundFilter, kinds []gqlbase.RowEventKind) (<-chan *gqlbase.RowEvent, error) {
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
	return subscribe(ctx, r, p, convert, func(s realtime.Sink) *realtime.Subscription {
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
func (r *Resolver) SubscribeTables(ctx context.Context, db *gqlbase.Database) (<-chan *gqlbase.TableEvent, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := r.RecheckCredential(ctx, p); err != nil {
		return nil, err
	}
	convert := func(c *realtime.Change) *gqlbase.TableEvent { return &gqlbase.TableEvent{Event: c.Event} }
	return subscribe(ctx, r, p, convert, func(s realtime.Sink) *realtime.Subscription {
		return r.Realtime.Hub.SubscribeDatabaseSink(db.ID, s, func(c *realtime.Change) bool { return c.Kind.IsSchema() })
	}), nil
}
