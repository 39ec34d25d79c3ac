package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
)

// ListenerOptions tunes the outbox listener.
type ListenerOptions struct {
	// PollEvery is how often the outbox is read even without notifications, to pick up
	// anything a lost notification left behind.
	PollEvery time.Duration
	Logger    *slog.Logger
}

// pageSize bounds the events one read of the outbox loads (and one call of the handler gets).
const pageSize = 1000

// Listener follows the outbox: one LISTEN connection per process on the events channel. It
// hands every committed event to its handler exactly once, each transaction's events in id
// order, and catches up from the outbox after a reconnect.
//
// Event ids are taken when a transaction writes, not when it commits, so ids alone cannot tell
// a transaction that is slow to commit from one that rolled back. The listener follows
// Postgres's snapshots instead (pg_current_snapshot): seen is a snapshot such that every
// event visible in it has been handled. A read takes a new snapshot and loads the events
// visible in it but not in seen, that is those of the transactions that committed in between
// (every event carries its transaction's id, events.xid); then the new snapshot becomes seen.
// A transaction in progress at a read stays in seen's in-progress list and its events come
// with the first read after it commits, minutes later if need be; a rolled-back one never
// shows up and is passed at once, no timer involved. What the listener keeps is one snapshot,
// whose size is the number of transactions in progress, however many events pass.
type Listener struct {
	db     *sqlx.DB
	dsn    string
	opts   ListenerOptions
	handle func([]*gqlbase.Event)

	// seen: every event visible in this snapshot (text form) was handled, or committed before
	// the listener started. Empty until the first Run.
	seen string
	// window is a read from seen up to a newer snapshot that has not finished (a page failed
	// to load): the next read goes on from where it stopped rather than taking a new one, so
	// nothing is handed on twice.
	window *window

	connected  atomic.Bool
	delivered  atomic.Int64
	reconnects atomic.Int64
	// position (seen) and reads (the reads finished) tell observers how far the listener got.
	position atomic.Pointer[string]
	reads    atomic.Int64
}

// window is a read of the events visible in upTo and not in the listener's seen, in order of
// (xid, id), continued after (afterXID, afterID).
type window struct {
	upTo     string
	afterXID string
	afterID  int64
}

// NewListener prepares a listener on the outbox of db that calls handle with each batch of new
// events; dsn (the same database) is for its LISTEN connection.
func NewListener(db *sqlx.DB, dsn string, handle func([]*gqlbase.Event), opts ListenerOptions) *Listener {
	if opts.PollEvery <= 0 {
		opts.PollEvery = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Listener{db: db, dsn: dsn, opts: opts, handle: handle}
}

// Connected reports whether the LISTEN connection is up.
func (l *Listener) Connected() bool { return l.connected.Load() }

// Reconnects counts how often the LISTEN connection was re-established.
func (l *Listener) Reconnects() int64 { return l.reconnects.Load() }

// Delivered counts the events handed to the handler so far.
func (l *Listener) Delivered() int64 { return l.delivered.Load() }

// Run listens until ctx ends. Events committed before the first Run starts are not delivered;
// a later Run (after one failed) goes on where the last one stopped.
func (l *Listener) Run(ctx context.Context) error {
	if l.seen == "" {
		if err := l.db.GetContext(ctx, &l.seen, `SELECT pg_current_snapshot()::text`); err != nil {
			return fmt.Errorf("listener: first snapshot: %w", err)
		}
		seen := l.seen
		l.position.Store(&seen)
	}
	reconnected := make(chan struct{}, 1)
	pl := pq.NewListener(l.dsn, 100*time.Millisecond, 2*time.Second, func(ev pq.ListenerEventType, err error) {
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
	defer l.connected.Store(false)
	defer pl.Close()
	if err := pl.Listen(Channel); err != nil {
		return fmt.Errorf("listen %s: %w", Channel, err)
	}
	ticker := time.NewTicker(l.opts.PollEvery)
	defer ticker.Stop()
	// A read that fails is tried again soon, with backoff up to the poll interval, rather than
	// waiting for the next notification or poll: the commits it missed may get no other
	// notification.
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	backoff := time.Duration(0)
	readNow := func() {
		if l.read(ctx) {
			backoff = 0
			return
		}
		backoff = min(max(2*backoff, 50*time.Millisecond), l.opts.PollEvery)
		retry.Reset(backoff)
	}
	// Anything committed between the first snapshot (or the last Run) and LISTEN taking effect.
	readNow()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-pl.Notify: // nil after a reconnect, when notifications may have been lost
			drain(pl.Notify)
			readNow()
		case <-reconnected:
			readNow()
		case <-ticker.C:
			readNow()
		case <-retry.C:
			readNow()
		}
	}
}

// drain drops the notifications already queued: one read covers every commit before it.
func drain(ch <-chan *pq.Notification) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// read hands on the events that committed since the last read and reports whether it got
// through; a failure is logged, and the next read goes on from where this one stopped.
func (l *Listener) read(ctx context.Context) bool {
	err := l.readWindow(ctx)
	if err != nil && ctx.Err() == nil {
		l.opts.Logger.Warn("event listener: read the outbox", "err", err)
	}
	return err == nil || ctx.Err() != nil
}

// snapshotSQL takes the snapshot a read goes up to. The second column is set only when its
// xmax is below that of seen ($1): transaction ids went back, which a cluster that lost its
// last commits in a crash (asynchronous commit) or a different cluster behind the same address
// does. Then it is the lower of both xmins, and reading goes on from there: what committed
// from that transaction on is handed on again (some events twice), so that transactions given
// the lost ids again are not taken for ones already read.
const snapshotSQL = `SELECT s::text, CASE WHEN pg_snapshot_xmax(s) < pg_snapshot_xmax($1::pg_snapshot)
	THEN least(pg_snapshot_xmin(s), pg_snapshot_xmin($1::pg_snapshot))::text END
	FROM pg_current_snapshot() AS s`

// windowSQL loads a page of the events visible in $2 and not in $1, past ($3, $4) in (xid, id)
// order. Not visible in $1 means a transaction in $1's in-progress list or at or above its
// xmax: the two halves of the union, each found through the index on (xid, id) without going
// through older events (a long transaction holding xmin back costs nothing). The statement's
// own snapshot is newer than $2, and an event it sees of a transaction finished in $2
// committed before $2 was taken, so the page holds exactly the window's events. The bounds on
// xid are written apart from the row comparison, which the index would not start from.
const windowSQL = eventSelect + ` WHERE id IN (SELECT id FROM (
		(SELECT xid, id FROM events WHERE xid = ANY(ARRAY(SELECT pg_snapshot_xip($1::pg_snapshot)))
			AND pg_visible_in_snapshot(xid, $2::pg_snapshot)
			AND xid >= $3::xid8 AND (xid > $3::xid8 OR id > $4::bigint))
		UNION ALL
		(SELECT xid, id FROM events WHERE xid >= pg_snapshot_xmax($1::pg_snapshot) AND xid < pg_snapshot_xmax($2::pg_snapshot)
			AND pg_visible_in_snapshot(xid, $2::pg_snapshot)
			AND xid >= $3::xid8 AND (xid > $3::xid8 OR id > $4::bigint))
		ORDER BY xid, id LIMIT $5) AS w)
	ORDER BY xid, id`

// readWindow reads the events of the transactions that committed between seen and a new
// snapshot (or finishes the window a failed read left), page by page, and then takes that
// snapshot as seen.
func (l *Listener) readWindow(ctx context.Context) error {
	// A window left over by a read that failed or was cancelled (a Run that ended) has an old
	// snapshot: once it is finished, a fresh one follows at once, since what committed
	// meanwhile may have had its notification lost.
	resumed := l.window != nil
	if l.window == nil {
		var upTo string
		var rewind sql.NullString
		if err := l.db.QueryRowxContext(ctx, snapshotSQL, l.seen).Scan(&upTo, &rewind); err != nil {
			return fmt.Errorf("take a snapshot: %w", err)
		}
		if rewind.Valid {
			l.opts.Logger.Warn("event listener: transaction ids went back; reading the outbox again from an older transaction",
				"seen", l.seen, "now", upTo, "from", rewind.String)
			l.seen = rewind.String + ":" + rewind.String + ":"
		}
		l.window = &window{upTo: upTo, afterXID: "0"}
	}
	w := l.window
	for {
		recs, err := selectRecords(ctx, l.db, windowSQL, l.seen, w.upTo, w.afterXID, w.afterID, pageSize)
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			w.afterXID, w.afterID = recs[len(recs)-1].XID, recs[len(recs)-1].ID
			l.deliver(recs)
		}
		if len(recs) < pageSize {
			break
		}
	}
	l.seen, l.window = w.upTo, nil
	seen := l.seen
	l.position.Store(&seen)
	l.reads.Add(1)
	if resumed {
		return l.readWindow(ctx)
	}
	return nil
}

// deliver hands one page to the handler in id order. A page is in (xid, id) order, so a
// transaction's events spread over two pages come in id order too.
func (l *Listener) deliver(recs []eventRecord) {
	batch := make([]*gqlbase.Event, 0, len(recs))
	for i := range recs {
		e, err := recs[i].event()
		if err != nil {
			// Not one that a retry could fix: skip it rather than hold every later event back.
			l.opts.Logger.Error("event listener: skip an event that does not decode", "err", err)
			continue
		}
		batch = append(batch, e)
	}
	if len(batch) == 0 {
		return
	}
	sort.Slice(batch, func(i, j int) bool { return batch[i].ID < batch[j].ID })
	l.delivered.Add(int64(len(batch)))
	l.handle(batch)
}
