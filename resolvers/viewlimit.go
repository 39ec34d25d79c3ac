package resolvers

import (
	"net/netip"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Public views are reached without credentials, so what a visitor may do is limited per
// client address and view: reads, password attempts and form submissions each have their own
// budget per minute. The table of counters is bounded (least recently used entries go first).

const (
	publicReadsPerMinute     = 300
	publicPasswordsPerMinute = 10
	publicSubmitsPerMinute   = 20
	viewLimitWindow          = time.Minute
	viewLimitTableSize       = 100_000
)

type viewLimitKey struct {
	kind   string
	viewID int64
	addr   netip.Prefix
}

type viewWindow struct {
	start time.Time
	n     int
}

// viewLimiter is usable as its zero value.
type viewLimiter struct {
	mu      sync.Mutex
	windows *simplelru.LRU[viewLimitKey, *viewWindow]
}

// allow counts one use of kind for the view from addr and refuses it with RATE_LIMITED
// (with its retry delay) when the minute's budget is spent.
func (l *viewLimiter) allow(kind string, viewID int64, addr netip.Addr, perMinute int, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.windows == nil {
		l.windows, _ = simplelru.NewLRU[viewLimitKey, *viewWindow](viewLimitTableSize, nil)
	}
	key := viewLimitKey{kind: kind, viewID: viewID, addr: addressKey(addr)}
	w, ok := l.windows.Get(key)
	if !ok || now.Sub(w.start) >= viewLimitWindow {
		w = &viewWindow{start: now}
		l.windows.Add(key, w)
	}
	if w.n >= perMinute {
		return RateLimited("too many %s requests for this view", w.start.Add(viewLimitWindow).Sub(now), kind)
	}
	w.n++
	return nil
}
