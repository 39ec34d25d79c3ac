package resolvers

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

var (
	addrA = addressKey(netip.MustParseAddr("192.0.2.1"))
	addrB = addressKey(netip.MustParseAddr("198.51.100.7"))
)

// fail records n failed attempts for email from addr, all admitted.
func fail(t *testing.T, l *loginLimiter, email string, addr netip.Prefix, n int, now time.Time) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := l.begin(email, addr, now); err != nil {
			t.Fatalf("attempt %d for %s refused: %v", i, email, err)
		}
	}
}

func refused(l *loginLimiter, email string, addr netip.Prefix, now time.Time) bool {
	_, err := l.begin(email, addr, now)
	return gqlbase.ErrorCode(err) == gqlbase.CodeRateLimited
}

func TestLoginLimiterWindow(t *testing.T) {
	var l loginLimiter
	now := time.Now()
	fail(t, &l, "Ann@x.io", addrA, maxLoginFailures, now)
	if !refused(&l, "ANN@x.io", addrA, now) {
		t.Fatalf("after %d failures the email is not limited", maxLoginFailures)
	}
	if refused(&l, "bob@x.io", addrA, now) {
		t.Fatal("another email is limited")
	}
	if refused(&l, "ann@x.io", addrA, now.Add(loginWindow+time.Second)) {
		t.Fatal("still limited after the window")
	}
	a, err := l.begin("ann@x.io", addrA, now.Add(loginWindow+2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	a.succeeded()
	fail(t, &l, "ann@x.io", addrA, maxLoginFailures, now.Add(loginWindow+2*time.Second))
}

// Finding 8: check and count were separate, so concurrent attempts all passed the check.
func TestLogInLimiterReservesBeforeEvaluating(t *testing.T) {
	var l loginLimiter
	now := time.Now()
	var mu sync.Mutex
	admitted := 0
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.begin("ann@x.io", addrA, now); err == nil {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != maxLoginFailures {
		t.Fatalf("%d of 40 concurrent attempts admitted, want %d", admitted, maxLoginFailures)
	}
}

func TestLogInLimiterReleaseAndSuccess(t *testing.T) {
	var l loginLimiter
	now := time.Now()
	// Attempts taken back (no password checked) leave no failure behind.
	for i := 0; i < 3*maxLoginFailures; i++ {
		a, err := l.begin("ann@x.io", addrA, now)
		if err != nil {
			t.Fatalf("released attempt %d: %v", i, err)
		}
		a.release()
	}
	// A success forgets the email's failures and is not one of the address's.
	fail(t, &l, "ann@x.io", addrA, maxLoginFailures-1, now)
	a, err := l.begin("ann@x.io", addrA, now)
	if err != nil {
		t.Fatal(err)
	}
	a.succeeded()
	fail(t, &l, "ann@x.io", addrA, maxLoginFailures, now)
	if all, _ := l.addrs.Peek(addrA); len(all.at) != 2*maxLoginFailures-1 {
		t.Fatalf("the address counts %d failures, want %d", len(all.at), 2*maxLoginFailures-1)
	}
}

// Finding 8: anyone could lock any account out, and one address could try every email.
func TestLogInLimiterKeysByAddress(t *testing.T) {
	var l loginLimiter
	now := time.Now()
	fail(t, &l, "ann@x.io", addrA, maxLoginFailures, now)
	if !refused(&l, "ann@x.io", addrA, now) {
		t.Fatal("the guessing address is not limited")
	}
	if refused(&l, "ann@x.io", addrB, now) {
		t.Fatal("the owner at another address is locked out")
	}
	// Spread over many emails, one address still meets its own limit.
	for i := 0; i < maxAddressLoginFailures-maxLoginFailures; i++ {
		fail(t, &l, fmt.Sprintf("user%d@x.io", i), addrA, 1, now)
	}
	if !refused(&l, "someone-new@x.io", addrA, now) {
		t.Fatalf("after %d failures over many emails the address is not limited", maxAddressLoginFailures)
	}
	if refused(&l, "someone-new@x.io", addrB, now) {
		t.Fatal("another address is limited by the first one's failures")
	}
	// IPv6 clients are counted per /64, which one client commonly holds whole.
	v6a := addressKey(netip.MustParseAddr("2001:db8:1:2::1"))
	v6b := addressKey(netip.MustParseAddr("2001:db8:1:2:ffff::9"))
	fail(t, &l, "ann@x.io", v6a, maxLoginFailures, now)
	if !refused(&l, "ann@x.io", v6b, now) {
		t.Fatal("another address of the same /64 is not limited")
	}
}

// Finding 8: the whole table was wiped at 100,000 emails, forgetting every lock at once.
func TestLogInLimiterEvictsOldest(t *testing.T) {
	l := loginLimiter{size: 3}
	now := time.Now()
	for _, e := range []string{"e1@x.io", "e2@x.io", "e3@x.io", "e4@x.io"} {
		fail(t, &l, e, addrA, maxLoginFailures, now)
	}
	if l.pairs.Len() != 3 {
		t.Fatalf("%d entries, want the capacity 3", l.pairs.Len())
	}
	for _, e := range []string{"e4@x.io", "e3@x.io", "e2@x.io"} {
		if !refused(&l, e, addrA, now) {
			t.Fatalf("recent entry %s was forgotten", e)
		}
	}
	if refused(&l, "e1@x.io", addrA, now) {
		t.Fatal("the oldest entry was kept past the capacity")
	}
}
