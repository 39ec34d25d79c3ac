package resolvers

import (
	"math"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/gqlbase/gqlbase"
)

// Failed log-ins are limited per email and client address: after maxLoginFailures within
// loginWindow, further attempts for that email from that address are refused with RATE_LIMITED
// until the window has passed, which makes guessing a password slow. Keying by the address too
// means a stranger elsewhere cannot lock the owner out; an address is also limited over all
// the emails it tries, so it cannot guess across many accounts instead.
const (
	maxLoginFailures        = 10
	maxAddressLoginFailures = 50
	loginWindow             = 15 * time.Minute
	// loginTableSize bounds each table; when full, the least recently used entry goes, so a
	// flood of new emails forgets old, quiet entries rather than everyone's.
	loginTableSize = 100_000
)

type loginLimiter struct {
	mu sync.Mutex
	// size is the capacity of each table (loginTableSize when 0).
	size  int
	pairs *simplelru.LRU[loginKey, *failures]
	addrs *simplelru.LRU[netip.Prefix, *failures]
}

type loginKey struct {
	email string
	addr  netip.Prefix
}

// failures are the times of the failed (or still running) attempts of one key, oldest first.
type failures struct{ at []time.Time }

// loginAttempt is an admitted attempt, counted as a failure until it says otherwise.
type loginAttempt struct {
	l   *loginLimiter
	key loginKey
	at  time.Time
}

// begin checks and counts an attempt in one step: it is recorded as a failure before its
// password is checked, so concurrent attempts cannot all pass the check before any of them
// counts. The caller then calls succeeded, or release when no password was checked; a wrong
// password needs nothing more.
func (l *loginLimiter) begin(email string, addr netip.Prefix, now time.Time) (*loginAttempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	key := loginKey{email: strings.ToLower(strings.TrimSpace(email)), addr: addr}
	pair, _ := l.pairs.Get(key)
	if pair != nil && pair.prune(now) >= maxLoginFailures {
		return nil, rateLimited("too many failed log-ins for this email from your address", pair.at[0].Add(loginWindow).Sub(now))
	}
	all, _ := l.addrs.Get(addr)
	if all != nil && all.prune(now) >= maxAddressLoginFailures {
		return nil, rateLimited("too many failed log-ins from your address", all.at[0].Add(loginWindow).Sub(now))
	}
	if pair == nil {
		pair = &failures{}
		l.pairs.Add(key, pair)
	}
	if all == nil {
		all = &failures{}
		l.addrs.Add(addr, all)
	}
	pair.at = append(pair.at, now)
	all.at = append(all.at, now)
	return &loginAttempt{l: l, key: key, at: now}, nil
}

// succeeded forgets the failures of the email from this address and takes the attempt back
// from the address's count.
func (a *loginAttempt) succeeded() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	a.l.pairs.Remove(a.key)
	if all, ok := a.l.addrs.Peek(a.key.addr); ok {
		all.remove(a.at)
	}
}

// release takes the attempt back: it ended before a password was checked (a database error,
// a caller that went away), so it tells nobody anything.
func (a *loginAttempt) release() {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	if pair, ok := a.l.pairs.Peek(a.key); ok {
		pair.remove(a.at)
	}
	if all, ok := a.l.addrs.Peek(a.key.addr); ok {
		all.remove(a.at)
	}
}

func (l *loginLimiter) init() {
	if l.pairs != nil {
		return
	}
	size := l.size
	if size == 0 {
		size = loginTableSize
	}
	var err error
	if l.pairs, err = simplelru.NewLRU[loginKey, *failures](size, nil); err != nil {
		panic(err) // only a size below 1
	}
	if l.addrs, err = simplelru.NewLRU[netip.Prefix, *failures](size, nil); err != nil {
		panic(err)
	}
}

// prune drops the failures older than the window and returns how many remain.
func (f *failures) prune(now time.Time) int {
	i := 0
	for i < len(f.at) && now.Sub(f.at[i]) > loginWindow {
		i++
	}
	f.at = f.at[i:]
	return len(f.at)
}

// remove drops one failure recorded at t (an attempt taken back), if it is still there.
func (f *failures) remove(t time.Time) {
	for i := len(f.at) - 1; i >= 0; i-- {
		if f.at[i].Equal(t) {
			f.at = append(f.at[:i], f.at[i+1:]...)
			return
		}
	}
}

// rateLimited refuses what until wait has passed, saying so in the message and in
// extensions.retryAfterSeconds.
func rateLimited(what string, wait time.Duration) error {
	wait = max(wait.Round(time.Second), time.Second)
	return gqlbase.Errorf(gqlbase.CodeRateLimited, "%s: try again in %s", what, wait).
		WithDetail("retryAfterSeconds", int(math.Ceil(wait.Seconds())))
}
