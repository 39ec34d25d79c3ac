package resolvers

import (
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

func TestLoginLimiter(t *testing.T) {
	var l loginLimiter
	now := time.Now()
	for i := 0; i < maxLoginFailures; i++ {
		if err := l.allow("Ann@x.io", now); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
		l.failed("ann@x.io", now)
	}
	if err := l.allow("ANN@x.io", now); gqlbase.ErrorCode(err) != gqlbase.CodeRateLimited {
		t.Fatalf("after %d failures: %v, want RATE_LIMITED", maxLoginFailures, err)
	}
	if err := l.allow("bob@x.io", now); err != nil {
		t.Fatalf("another email is not limited: %v", err)
	}
	if err := l.allow("ann@x.io", now.Add(loginWindow+time.Second)); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	l.succeeded("ann@x.io")
	if err := l.allow("ann@x.io", now); err != nil {
		t.Fatalf("after a success: %v", err)
	}
}
