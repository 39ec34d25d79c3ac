package outbox

import "context"

// Position is the snapshot up to which every event was handled ("" before the first Run).
func (l *Listener) Position() string {
	if p := l.position.Load(); p != nil {
		return *p
	}
	return ""
}

// Reads counts the reads of the outbox that finished.
func (l *Listener) Reads() int64 { return l.reads.Load() }

// PageSize is how many events one read loads at most.
const PageSize = pageSize

// LeaveWindowOpen stands for a read that a cancelled Run left unfinished: a window up to the
// current snapshot, not read yet.
func (l *Listener) LeaveWindowOpen(ctx context.Context) error {
	var upTo string
	if err := l.db.GetContext(ctx, &upTo, `SELECT pg_current_snapshot()::text`); err != nil {
		return err
	}
	l.window = &window{upTo: upTo, afterXID: "0"}
	return nil
}
