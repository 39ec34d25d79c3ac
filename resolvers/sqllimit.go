package resolvers

import (
	"context"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// Raw SQL runs on a small pool of its own (storage), shared by every workspace. A workspace
// may run only a few raw SQL requests at once, so one tenant whose statements wait (on a lock
// it holds itself, on a slow query) takes at most that many of the pool's connections and
// leaves the rest to the others; one more request waits briefly for a turn and is then
// refused with RATE_LIMITED rather than queueing without end.

// SQLLimits bound the raw SQL requests of a workspace and each request. Zero fields take
// their defaults.
type SQLLimits struct {
	// PerWorkspace is how many raw SQL requests of one workspace run at once (default 2).
	PerWorkspace int
	// Wait is how long a request beyond PerWorkspace waits for a turn (default 2s).
	Wait time.Duration
	// Deadline bounds one request, statements, commit and waiting for a connection included
	// (default 30s).
	Deadline time.Duration
	// MaxResultBytes caps the JSON of the rows a request returns (default 16 MiB).
	MaxResultBytes int
}

// Defaults of SQLLimits.
const (
	DefaultSQLPerWorkspace = 2
	DefaultSQLWait         = 2 * time.Second
	DefaultSQLDeadline     = 30 * time.Second
)

func (l SQLLimits) perWorkspace() int {
	if l.PerWorkspace <= 0 {
		return DefaultSQLPerWorkspace
	}
	return l.PerWorkspace
}

func (l SQLLimits) wait() time.Duration {
	if l.Wait <= 0 {
		return DefaultSQLWait
	}
	return l.Wait
}

func (l SQLLimits) deadline() time.Duration {
	if l.Deadline <= 0 {
		return DefaultSQLDeadline
	}
	return l.Deadline
}

func (l SQLLimits) maxResultBytes() int {
	if l.MaxResultBytes <= 0 {
		return storage.DefaultSQLMaxBytes
	}
	return l.MaxResultBytes
}

// sqlLimiter hands out the turns of each workspace. A workspace has an entry only while some
// of its requests run or wait, so the map stays as small as the traffic.
type sqlLimiter struct {
	mu    sync.Mutex
	turns map[int64]*workspaceTurns
}

type workspaceTurns struct {
	slots chan struct{} // one token per running request
	users int           // requests running or waiting; guarded by sqlLimiter.mu
}

// acquire waits up to wait for one of the workspace's limit turns and returns the function
// that gives it back.
func (l *sqlLimiter) acquire(ctx context.Context, workspaceID int64, limit int, wait time.Duration) (func(), error) {
	l.mu.Lock()
	if l.turns == nil {
		l.turns = map[int64]*workspaceTurns{}
	}
	w := l.turns[workspaceID]
	if w == nil {
		w = &workspaceTurns{slots: make(chan struct{}, limit)}
		l.turns[workspaceID] = w
	}
	w.users++
	l.mu.Unlock()
	leave := func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if w.users--; w.users == 0 {
			delete(l.turns, workspaceID)
		}
	}
	select {
	case w.slots <- struct{}{}:
	default:
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case w.slots <- struct{}{}:
		case <-timer.C:
			leave()
			return nil, gqlbase.Errorf(gqlbase.CodeRateLimited,
				"this workspace already runs %d SQL requests at once, the most it may, and none finished within %s: try again when they are done",
				limit, wait)
		case <-ctx.Done():
			leave()
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-w.slots
			leave()
		})
	}, nil
}
