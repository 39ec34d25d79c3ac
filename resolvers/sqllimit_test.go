package resolvers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

func TestSQLLimiterTurnsPerWorkspace(t *testing.T) {
	var l sqlLimiter
	ctx := context.Background()
	take := func(ws int64) func() {
		t.Helper()
		release, err := l.acquire(ctx, ws, 2, time.Minute)
		if err != nil {
			t.Fatalf("workspace %d: %v", ws, err)
		}
		return release
	}
	first, second := take(1), take(1)
	// A third request of the workspace waits for its turn, then is refused with a message.
	_, err := l.acquire(ctx, 1, 2, 20*time.Millisecond)
	if gqlbase.ErrorCode(err) != gqlbase.CodeRateLimited || !strings.Contains(err.Error(), "already runs 2 SQL requests at once") {
		t.Fatalf("third request: %v", err)
	}
	// Other workspaces have turns of their own.
	other := take(2)
	// A waiting request gets the turn given back meanwhile.
	got := make(chan error, 1)
	go func() {
		release, err := l.acquire(ctx, 1, 2, time.Minute)
		if err == nil {
			release()
		}
		got <- err
	}()
	first()
	first() // giving a turn back twice gives back one
	if err := <-got; err != nil {
		t.Fatalf("waiting request: %v", err)
	}
	// A request whose caller went away stops waiting.
	third := take(1)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.acquire(cancelled, 1, 2, time.Minute); err != context.Canceled {
		t.Fatalf("cancelled request: %v", err)
	}
	second()
	third()
	other()
	if n := len(l.turns); n != 0 {
		t.Errorf("%d workspaces still tracked with no request running", n)
	}
}
