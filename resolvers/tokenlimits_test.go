package resolvers

import (
	"testing"
	"time"
)

// The bucket allows a minute's worth at once, then one request each 60s/limit.
func TestTokenRateLimiter(t *testing.T) {
	var l tokenRateLimiter
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		if _, ok := l.take(1, 6, now); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	wait, ok := l.take(1, 6, now)
	if ok || wait != 10*time.Second {
		t.Fatalf("after the burst: ok %v, wait %v; want a refusal for 10s", ok, wait)
	}
	if _, ok := l.take(2, 6, now); !ok {
		t.Fatal("another token shares the bucket")
	}
	if _, ok := l.take(1, 6, now.Add(10*time.Second)); !ok {
		t.Fatal("no request after a refill period")
	}
	if _, ok := l.take(1, 6, now.Add(10*time.Second)); ok {
		t.Fatal("two requests after one refill period")
	}
	// A changed limit starts a fresh bucket.
	if _, ok := l.take(1, 100, now.Add(10*time.Second)); !ok {
		t.Fatal("a raised limit still refused")
	}
	if e := RateLimited("slow", 1500*time.Millisecond); e.Details["retryAfterSeconds"] != 2 {
		t.Errorf("retry after %v, want 2 (rounded up)", e.Details["retryAfterSeconds"])
	}
}
