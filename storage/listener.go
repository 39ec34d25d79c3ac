package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// ListenerOptions tunes the outbox listener.
type ListenerOptions struct {
	// PollEvery is how often the outbox is read even without notifications, to pick up
	// anything a lost notification or a late commit left behind.
	PollEvery time.Duration
	// GapTimeout is how long a missing event id is waited for (a transaction that took an id
	// and has not committed yet) before it is taken as rolled back.
	GapTimeout time.Duration
	Logger     *slog.Logger
}

// Listener follows the outbox: one LISTEN connection per process on the events channel. It
// hands every committed event to its handler exactly once, in id order within each batch,
// and catches up from the outbox by event id after a reconnect.
type Listener struct {
	store  *Store
	opts   ListenerOptions
	handle func([]*gqlbase.Event)

	// watermark: every id up to it was handled, or waited for until GapTimeout.
	watermark int64
	// seen holds handled ids above the watermark; gaps, the ids above it not seen yet, with
	// when they were first missed.
	seen    map[int64]bool
	gaps    map[int64]time.Time
	maxSeen int64
	started bool

	connected  atomic.Bool
	delivered  atomic.Int64
	reconnects atomic.Int64
}

// NewListener prepares a listener that calls handle with each batch of new events.
func (s *Store) NewListener(handle func([]*gqlbase.Event), opts ListenerOptions) *Listener {
	if opts.PollEvery <= 0 {
		opts.PollEvery = 2 * time.Second
	}
	if opts.GapTimeout <= 0 {
		opts.GapTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = s.logger
	}
	return &Listener{store: s, opts: opts, handle: handle, seen: map[int64]bool{}, gaps: map[int64]time.Time{}}
}

// Connected reports whether the LISTEN connection is up.
func (l *Listener) Connected() bool { return l.connected.Load() }

// Reconnects counts how often the LISTEN connection was re-established.
func (l *Listener) Reconnects() int64 { return l.reconnects.Load() }

// Delivered counts the events handed to the handler so far.
func (l *Listener) Delivered() int64 { return l.delivered.Load() }

// Run listens until ctx ends. Events committed before Run starts are not delivered.
func (l *Listener) Run(ctx context.Context) error {
	if !l.started {
		start, err := l.store.LastEventID(ctx)
		if err != nil {
			return fmt.Errorf("listener: %w", err)
		}
		l.watermark, l.maxSeen, l.started = start, start, true
	}
	reconnected := make(chan struct{}, 1)
	pl := pq.NewListener(l.store.dsn, 100*time.Millisecond, 2*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventConnected, pq.ListenerEventReconnected:
			l.connected.Store(true)
			if ev == pq.ListenerEventReconnected {
				l.reconnects.Add(1)
				select {
				case reconnected <- struct{}{}:
				default:
				}
			}
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			l.connected.Store(false)
		}
		if err != nil {
			l.opts.Logger.Warn("event listener connection", "state", ev.String(), "err", err)
		}
	})
	defer pl.Close()
	if err := pl.Listen(EventsChannel); err != nil {
		return fmt.Errorf("listen %s: %w", EventsChannel, err)
	}
	// Anything committed between reading the start id and LISTEN taking effect.
	l.catchUp(ctx)
	ticker := time.NewTicker(l.opts.PollEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-pl.Notify:
			if n == nil { // sent after a reconnect: notifications may have been lost
				l.catchUp(ctx)
				continue
			}
			l.onNotify(ctx, n.Extra)
		case <-reconnected:
			l.catchUp(ctx)
		case <-ticker.C:
			l.catchUp(ctx)
		}
	}
}

// onNotify loads the events of one committed statement ("<first>-<last>").
func (l *Listener) onNotify(ctx context.Context, payload string) {
	a, b, ok := strings.Cut(payload, "-")
	from, err1 := strconv.ParseInt(a, 10, 64)
	to, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || from > to {
		l.opts.Logger.Warn("event listener: unexpected notification payload", "payload", payload)
		l.catchUp(ctx)
		return
	}
	events, err := l.store.EventsInRange(ctx, from, to)
	if err != nil {
		l.opts.Logger.Warn("event listener: load events", "err", err)
		return // the next poll retries
	}
	l.deliver(events)
}

// catchUp reads the outbox past everything seen, and retries the gaps.
func (l *Listener) catchUp(ctx context.Context) {
	for {
		events, err := l.store.EventsAfter(ctx, l.maxSeen, 1000)
		if err != nil {
			l.opts.Logger.Warn("event listener: catch up", "err", err)
			return
		}
		l.deliver(events)
		if len(events) < 1000 {
			break
		}
	}
	if len(l.gaps) > 0 {
		ids := make([]int64, 0, len(l.gaps))
		for id := range l.gaps {
			ids = append(ids, id)
		}
		events, err := l.store.selectEvents(ctx, eventSelect+` WHERE id = ANY($1) ORDER BY id`, int64Array(ids))
		if err != nil {
			l.opts.Logger.Warn("event listener: retry gaps", "err", err)
			return
		}
		l.deliver(events)
	}
	l.expireGaps(time.Now())
}

// deliver hands on the events not handled yet and advances the watermark.
func (l *Listener) deliver(events []*gqlbase.Event) {
	fresh := events[:0:0]
	for _, e := range events {
		if e.ID <= l.watermark && l.gaps[e.ID].IsZero() {
			continue
		}
		if l.seen[e.ID] {
			continue
		}
		l.seen[e.ID] = true
		delete(l.gaps, e.ID)
		fresh = append(fresh, e)
	}
	if len(fresh) == 0 {
		return
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].ID < fresh[j].ID })
	now := time.Now()
	for _, e := range fresh {
		// Ids skipped between the highest seen and this one are gaps until they show up.
		for id := l.maxSeen + 1; id < e.ID; id++ {
			if !l.seen[id] {
				if _, known := l.gaps[id]; !known {
					l.gaps[id] = now
				}
			}
		}
		if e.ID > l.maxSeen {
			l.maxSeen = e.ID
		}
	}
	l.advance()
	l.delivered.Add(int64(len(fresh)))
	l.handle(fresh)
}

// expireGaps gives up on ids missing for longer than GapTimeout (rolled-back transactions).
func (l *Listener) expireGaps(now time.Time) {
	for id, since := range l.gaps {
		if now.Sub(since) > l.opts.GapTimeout {
			delete(l.gaps, id)
			if id > l.watermark {
				l.seen[id] = true // counts as handled: the watermark may pass it
			}
		}
	}
	l.advance()
}

func (l *Listener) advance() {
	for l.seen[l.watermark+1] {
		delete(l.seen, l.watermark+1)
		l.watermark++
	}
}
