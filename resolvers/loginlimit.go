package resolvers

import (
	"strings"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Failed log-ins are limited per email: after maxLoginFailures within loginWindow, further
// attempts are refused with RATE_LIMITED until the window has passed, which makes guessing
// passwords slow without locking the owner out for long.
const (
	maxLoginFailures = 10
	loginWindow      = 15 * time.Minute
	maxTrackedEmails = 100000
)

type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

// allow reports whether an attempt for email may proceed.
func (l *loginLimiter) allow(email string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.recent(strings.ToLower(email), now)
	if len(recent) >= maxLoginFailures {
		wait := recent[0].Add(loginWindow).Sub(now).Round(time.Second)
		return gqlbase.Errorf(gqlbase.CodeRateLimited, "too many failed log-ins for this email: try again in %s", wait)
	}
	return nil
}

// failed records a failed attempt.
func (l *loginLimiter) failed(email string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil || len(l.failures) >= maxTrackedEmails {
		l.failures = map[string][]time.Time{}
	}
	key := strings.ToLower(email)
	l.failures[key] = append(l.recent(key, now), now)
}

// succeeded forgets the failures of an email.
func (l *loginLimiter) succeeded(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, strings.ToLower(email))
}

func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	all := l.failures[key]
	i := 0
	for i < len(all) && now.Sub(all[i]) > loginWindow {
		i++
	}
	return all[i:]
}
