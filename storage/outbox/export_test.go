package outbox

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
