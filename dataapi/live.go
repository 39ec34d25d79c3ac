package dataapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// TableEvents tells live queries when a table changed. SubscribeTable's channel receives a
// value (coalesced: one pending value is enough) after changes of the table's rows or
// structure are committed, and is closed when ctx ends. The process-wide event hub (fed by
// Postgres LISTEN/NOTIFY, so writes of every gqlbase process count) implements it;
// LocalEvents, fed by this process's own writes, is the default.
type TableEvents interface {
	SubscribeTable(ctx context.Context, tableID int64) (<-chan struct{}, error)
}

// liveResult is one result of a live query: data or an error.
type liveResult struct {
	data json.RawMessage
	err  error
}

// liveQueries multiplexes subscriptions: subscribers whose root field compiles to the same
// statement with the same parameters (same query, variables and role) share one query that
// is fetched once per batch of events and sent to each of them when its result changed.
type liveQueries struct {
	events TableEvents
	run    func(ctx context.Context, p *plan.Plan) (json.RawMessage, error)
	logger *slog.Logger

	mu      sync.Mutex
	queries map[string]*liveQuery
}

type liveQuery struct {
	key     string
	plan    *plan.Plan
	cancel  context.CancelFunc
	fetches atomic.Int64

	mu   sync.Mutex
	subs map[*liveSub]struct{}
	last *liveResult
}

// liveSub is one subscriber: it holds only the latest result it has not read yet, so a slow
// subscriber never holds up the others.
type liveSub struct {
	ch chan liveResult
}

func (s *liveSub) offer(r liveResult) {
	for {
		select {
		case s.ch <- r:
			return
		default:
		}
		select {
		case <-s.ch: // drop the stale result
		default:
		}
	}
}

func newLiveQueries(events TableEvents, run func(context.Context, *plan.Plan) (json.RawMessage, error), logger *slog.Logger) *liveQueries {
	return &liveQueries{events: events, run: run, logger: logger, queries: map[string]*liveQuery{}}
}

// subscribe registers a subscriber of the live query key (compiled from p) until ctx ends.
func (l *liveQueries) subscribe(ctx context.Context, key string, p *plan.Plan) *liveSub {
	sub := &liveSub{ch: make(chan liveResult, 1)}
	l.mu.Lock()
	q := l.queries[key]
	if q == nil {
		qctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		q = &liveQuery{key: key, plan: p, cancel: cancel, subs: map[*liveSub]struct{}{}}
		l.queries[key] = q
		go l.poll(qctx, q)
	}
	q.mu.Lock()
	q.subs[sub] = struct{}{}
	if q.last != nil {
		sub.offer(*q.last)
	}
	q.mu.Unlock()
	l.mu.Unlock()
	context.AfterFunc(ctx, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		q.mu.Lock()
		delete(q.subs, sub)
		empty := len(q.subs) == 0
		q.mu.Unlock()
		if empty && l.queries[key] == q {
			delete(l.queries, key)
			q.cancel()
		}
	})
	return sub
}

// poll fetches the query first, then again after each batch of events of its tables, and
// sends results that changed.
func (l *liveQueries) poll(ctx context.Context, q *liveQuery) {
	trigger := make(chan struct{}, 1)
	notify := func() {
		select {
		case trigger <- struct{}{}:
		default:
		}
	}
	for _, id := range q.plan.Tables() {
		ch, err := l.events.SubscribeTable(ctx, id)
		if err != nil {
			l.logger.Error("live query: subscribe to table events", "table", id, "err", err)
			continue
		}
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case _, ok := <-ch:
					if !ok {
						return
					}
					notify()
				}
			}
		}()
	}
	l.fetch(ctx, q)
	for {
		select {
		case <-ctx.Done():
			return
		case <-trigger:
			l.fetch(ctx, q)
		}
	}
}

func (l *liveQueries) fetch(ctx context.Context, q *liveQuery) {
	q.fetches.Add(1)
	data, err := l.run(ctx, q.plan)
	if ctx.Err() != nil {
		return
	}
	r := liveResult{data: data, err: err}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.last != nil && err == nil && q.last.err == nil && bytes.Equal(q.last.data, data) {
		return
	}
	q.last = &r
	for s := range q.subs {
		s.offer(r)
	}
}

// stats reports the live queries running and the fetches they made (for tests).
func (l *liveQueries) stats() (queries int, fetches int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, q := range l.queries {
		fetches += q.fetches.Load()
	}
	return len(l.queries), fetches
}

// subscribe starts a live query for the subscription's root field.
func (x *execution) subscribe(ctx context.Context) graphql.ResponseHandler {
	fields := graphql.CollectFields(x.opCtx, x.opCtx.Operation.SelectionSet, []string{"Subscription"})
	if len(fields) != 1 {
		graphql.AddError(ctx, gqlbase.BadInput("a subscription selects exactly one root field"))
		return graphql.OneShot(&graphql.Response{})
	}
	f := fields[0]
	var p *plan.Plan
	var err error
	if f.Name == "__typename" {
		err = gqlbase.BadInput("a subscription selects a table field")
	} else if rf := x.s.roots[ast.Subscription][f.Name]; rf == nil {
		err = gqlbase.BadInput("unknown field %q", f.Name)
	} else {
		p, err = x.readPlan(rf, f)
		if err == nil {
			err = requirePlanRead(ctx, p)
		}
	}
	var key string
	if err == nil {
		key, err = liveKey(x.s, p)
	}
	if err != nil {
		graphql.AddError(ctx, fieldError(err, f.Alias))
		return graphql.OneShot(&graphql.Response{})
	}
	// The subscription ends when the operation does, or when the subscriber's credential
	// stops working.
	subCtx, cancel := context.WithCancel(ctx)
	var ended struct {
		sync.Mutex
		err  error
		sent bool
	}
	if watch := x.e.svc.cfg.WatchPrincipal; watch != nil {
		release := watch(gqlbase.PrincipalFrom(ctx), func(err error) {
			ended.Lock()
			ended.err = err
			ended.Unlock()
			cancel()
		})
		context.AfterFunc(subCtx, release)
	}
	sub := x.e.svc.live.subscribe(subCtx, key, p)
	return func(rctx context.Context) *graphql.Response {
		select {
		case <-subCtx.Done():
			ended.Lock()
			defer ended.Unlock()
			if ended.err != nil && !ended.sent {
				ended.sent = true
				graphql.AddError(rctx, fieldError(ended.err, f.Alias))
				return &graphql.Response{Data: json.RawMessage("null")}
			}
			return nil
		case <-rctx.Done():
			cancel()
			return nil
		case r := <-sub.ch:
			if r.err != nil {
				graphql.AddError(rctx, fieldError(r.err, f.Alias))
				return &graphql.Response{Data: json.RawMessage("null")}
			}
			var buf bytes.Buffer
			buf.WriteByte('{')
			writeKey(&buf, f.Alias)
			buf.Write(r.data)
			buf.WriteByte('}')
			return &graphql.Response{Data: buf.Bytes()}
		}
	}
}

// liveKey identifies a live query: the schema's database and role, and the statement with
// its parameters (so the same query with the same variables shares one fetch).
func liveKey(s *Schema, p *plan.Plan) (string, error) {
	query, params, err := plan.Compile(p)
	if err != nil {
		return "", err
	}
	enc, err := json.Marshal(params)
	if err != nil {
		return "", err
	}
	return string(s.role) + "\x00" + query + "\x00" + string(enc), nil
}

// LocalEvents is a TableEvents fed by this process's own writes (Notify, wired to the
// store's change hooks). It keeps live queries working in a single process until a
// cross-process hub is given.
type LocalEvents struct {
	mu   sync.Mutex
	subs map[int64]map[chan struct{}]struct{}
}

// NewLocalEvents returns an empty hub.
func NewLocalEvents() *LocalEvents {
	return &LocalEvents{subs: map[int64]map[chan struct{}]struct{}{}}
}

// SubscribeTable implements TableEvents.
func (h *LocalEvents) SubscribeTable(ctx context.Context, tableID int64) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[tableID] == nil {
		h.subs[tableID] = map[chan struct{}]struct{}{}
	}
	h.subs[tableID][ch] = struct{}{}
	h.mu.Unlock()
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		delete(h.subs[tableID], ch)
		if len(h.subs[tableID]) == 0 {
			delete(h.subs, tableID)
		}
		h.mu.Unlock()
		close(ch)
	})
	return ch, nil
}

// Notify signals every subscriber of the tables.
func (h *LocalEvents) Notify(tableIDs ...int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range tableIDs {
		for ch := range h.subs[id] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}
