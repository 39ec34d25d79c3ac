package realtime

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Flow is the flow control of one subscriber, in bytes and time rather than a count of
// events: a burst (a 1,000-row write, the backlog of a Postgres outage) is held for a
// subscriber that reads at a normal pace, however many events it has. A subscriber is dropped
// only when it is genuinely behind: when what waits for it exceeds MaxBytes, or when its
// consumer has not taken the oldest waiting item for SlowAfter.
type Flow struct {
	// SlowAfter is how long the oldest waiting item may wait for the consumer.
	SlowAfter time.Duration
	// MaxBytes bounds the payload bytes waiting for one subscriber. The items are shared
	// between subscribers (one decoded change for all of them), so this bounds what one slow
	// subscriber keeps alive, not what each one copies.
	MaxBytes int64
}

// DefaultFlow is the flow control of every subscription unless the caller sets its own.
var DefaultFlow = Flow{SlowAfter: 10 * time.Second, MaxBytes: 64 << 20}

// ErrSlowSubscriber is what a Sink's Offer returning false ends the subscription with; sinks
// that track what they delivered replace it with Behind(last id).
var ErrSlowSubscriber = gqlbase.Errorf(gqlbase.CodeRateLimited, "subscription closed: the client did not read its events in time")

// Behind is the error of a subscriber dropped for being behind: it names the last event
// handed on to it (in its message and as Details["lastEventId"], a decimal string like every
// ID), from which it can resume (after: id). Nothing later than that event was sent, so
// resuming from it loses nothing.
func Behind(flow Flow, lastID int64) error {
	e := gqlbase.Errorf(gqlbase.CodeRateLimited,
		"subscription closed: the client did not read its events for %s (or over %d KiB of them waited); the last event delivered was %d: subscribe again with after: \"%d\"",
		flow.SlowAfter, flow.MaxBytes>>10, lastID, lastID)
	e.Details = map[string]any{"lastEventId": strconv.FormatInt(lastID, 10)}
	return e
}

// Queue hands items to a consumer's channel without ever blocking the producer. While the
// channel has room, an item goes straight into it; once it is full, items wait in an
// unbounded backlog (bounded by Flow) that a goroutine, started only while there is a
// backlog, moves into the channel in order. An idle subscription thus costs its channel
// only. When the consumer is behind for longer than the flow allows, the queue calls slow
// with Behind(last id handed on) and stops: nothing after a dropped item is ever handed on,
// so a consumer's stream has no gap.
type Queue[T any] struct {
	out  chan T
	flow Flow
	slow func(error)

	mu       sync.Mutex
	backlog  []queued[T]
	bytes    int64
	pumping  bool
	closed   bool
	stop     chan struct{}
	lastID   int64
	overflow bool
	// held: live items wait in the backlog while a replay runs (Hold, Deliver, Release);
	// replayed records the ids the replay delivered, so Release hands on exactly the held
	// items it did not (an event can come both ways, and one that committed late has an id
	// below those replayed).
	held     bool
	replayed map[int64]struct{}
	final    func(lastID int64)
	// resumed: after Release, live items the listener brings late (it may lag the replay's
	// reads of the outbox) are still checked against what the replay delivered and after.
	resumed bool
	after   int64
}

// skip reports whether a live item came already through the replay (or precedes it).
func (q *Queue[T]) skip(id int64) bool {
	if id <= q.after {
		return true
	}
	_, dup := q.replayed[id]
	return dup
}

type queued[T any] struct {
	item T
	id   int64
	size int64
	at   time.Time
}

// NewQueue returns a queue into a channel of capacity buffer. slow is called (once, from the
// queue's goroutine or from Push's caller) when the consumer is found behind; it should end
// the subscription, which closes the queue.
func NewQueue[T any](buffer int, flow Flow, slow func(error)) *Queue[T] {
	if buffer <= 0 {
		buffer = 16
	}
	if flow.SlowAfter <= 0 {
		flow.SlowAfter = DefaultFlow.SlowAfter
	}
	if flow.MaxBytes <= 0 {
		flow.MaxBytes = DefaultFlow.MaxBytes
	}
	return &Queue[T]{out: make(chan T, buffer), flow: flow, slow: slow, stop: make(chan struct{})}
}

// Out is the channel the consumer reads; it is closed once the queue is closed and its
// goroutine has stopped.
func (q *Queue[T]) Out() <-chan T { return q.out }

// Chan is Out as a bidirectional channel, for callers whose API hands out chan T.
func (q *Queue[T]) Chan() chan T { return q.out }

// LastID is the id of the last item handed to the consumer's channel.
func (q *Queue[T]) LastID() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.lastID
}

// Behind is the error naming what this queue handed on last.
func (q *Queue[T]) Behind() error { return Behind(q.flow, q.LastID()) }

// Push queues an item with its event id and an estimate of its size. It reports false when
// the queue is closed or when the backlog would exceed the flow's bytes (then the caller ends
// the subscription, with Behind()).
func (q *Queue[T]) Push(item T, id, size int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.overflow {
		return false
	}
	if q.resumed && q.skip(id) {
		return true // delivered by the replay, or at or below its start
	}
	if len(q.backlog) == 0 && !q.held {
		select {
		case q.out <- item:
			q.lastID = max(q.lastID, id)
			return true
		default:
		}
	}
	if q.bytes+size > q.flow.MaxBytes {
		q.overflow = true
		q.backlog, q.bytes = nil, 0
		return false
	}
	q.backlog = append(q.backlog, queued[T]{item: item, id: id, size: size, at: time.Now()})
	q.bytes += size
	if !q.pumping && !q.held {
		q.pumping = true
		go q.pump()
	}
	return true
}

// pump moves the backlog into the channel, in order, until it is empty, the queue closes or
// the consumer leaves the oldest item waiting for longer than the flow allows.
func (q *Queue[T]) pump() {
	timer := time.NewTimer(q.flow.SlowAfter)
	defer timer.Stop()
	for {
		q.mu.Lock()
		if q.closed {
			q.pumping = false
			q.closeOut()
			q.mu.Unlock()
			return
		}
		if len(q.backlog) == 0 {
			q.pumping = false
			q.mu.Unlock()
			return
		}
		head := q.backlog[0]
		q.mu.Unlock()
		timer.Reset(max(time.Until(head.at.Add(q.flow.SlowAfter)), time.Millisecond))
		select {
		case q.out <- head.item:
			q.mu.Lock()
			q.lastID = max(q.lastID, head.id)
			if len(q.backlog) > 0 { // else dropped meanwhile (closed or overflowed); nothing can follow
				var zero queued[T]
				q.backlog[0] = zero
				q.backlog = q.backlog[1:]
				q.bytes -= head.size
			}
			if len(q.backlog) == 0 {
				q.backlog = nil // let the burst's array go
			}
			q.mu.Unlock()
		case <-timer.C:
			q.mu.Lock()
			q.overflow = true
			q.backlog, q.bytes = nil, 0
			q.mu.Unlock()
			q.slow(q.Behind()) // ends the subscription: Close, and the next turn stops
		case <-q.stop:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// Hold makes live items wait while the caller replays older ones with Deliver; Release ends
// it. Call it before the queue receives its first Push.
func (q *Queue[T]) Hold() {
	q.mu.Lock()
	q.held = true
	q.mu.Unlock()
}

// Deliver hands a replayed item to the consumer, waiting for it as long as the flow allows
// (then it calls slow and returns the error, as the pump would). It returns an error too when
// the queue closed or ctx ended.
func (q *Queue[T]) Deliver(ctx context.Context, item T, id int64) error {
	timer := time.NewTimer(q.flow.SlowAfter)
	defer timer.Stop()
	select {
	case q.out <- item:
	case <-timer.C:
		err := q.Behind()
		q.slow(err)
		return err
	case <-q.stop:
		return errQueueClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lastID = max(q.lastID, id)
	q.markLocked(id)
	return nil
}

// MarkReplayed records that the consumer got the event id from a replay of its own, so
// Release does not hand it on again.
func (q *Queue[T]) MarkReplayed(id int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.markLocked(id)
}

func (q *Queue[T]) markLocked(id int64) {
	if q.replayed == nil {
		q.replayed = map[int64]struct{}{}
	}
	q.replayed[id] = struct{}{}
}

var errQueueClosed = errors.New("subscription closed")

// Release ends a replay: the live items held meanwhile follow, except those the replay
// already delivered (an event committed during the replay comes both ways) and those at or
// below after (the position the replay started from).
func (q *Queue[T]) Release(after int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.held {
		return
	}
	q.held, q.resumed, q.after = false, true, after
	kept := q.backlog[:0]
	var bytes int64
	for _, it := range q.backlog {
		if q.skip(it.id) {
			continue
		}
		it.at = time.Now() // they waited for the replay, not for the consumer
		kept = append(kept, it)
		bytes += it.size
	}
	q.backlog, q.bytes = kept, bytes
	if len(q.backlog) > 0 && !q.pumping && !q.closed && !q.overflow {
		q.pumping = true
		go q.pump()
	}
}

// Close stops the queue: what still waits is dropped and the channel is closed (at once, or
// by the queue's goroutine as it stops). Close does not wait, so it may be called with locks
// held that slow takes.
func (q *Queue[T]) Close() { q.CloseThen(nil) }

// CloseThen is Close that calls last, just before the channel closes, with the id of the
// last item handed on: once the queue's goroutine has stopped that id is final (an item it
// was sending as the queue closed may or may not have gone), so an error naming it tells the
// consumer exactly where to resume. last runs with the queue's lock held: it must not call
// the queue.
func (q *Queue[T]) CloseThen(last func(lastID int64)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed = true
	q.final = last
	q.backlog, q.bytes = nil, 0
	close(q.stop)
	if !q.pumping {
		q.closeOut()
	}
}

func (q *Queue[T]) closeOut() {
	if q.final != nil {
		q.final(q.lastID)
	}
	close(q.out)
}

// Flow is the queue's flow control.
func (q *Queue[T]) Flow() Flow { return q.flow }

// IsBehind reports whether err is a Behind error: one whose last event id is only final when
// the queue closes (see CloseThen).
func IsBehind(err error) bool {
	e, ok := gqlbase.AsError(err)
	return ok && e.Details["lastEventId"] != nil
}
