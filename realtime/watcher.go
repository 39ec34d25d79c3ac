package realtime

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// watcher ends what long-lived connections hold when their credential stops working: it
// checks every watched credential each interval (so a revocation made by another process is
// seen within it), and reacts at once to revocations made by this process.
type watcher struct {
	store    *storage.Store
	logger   *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	entries map[credKey]map[*watch]struct{}
}

type credKey struct {
	token, session int64
	hash           string
}

type watch struct {
	ended   func(error) // called once, when the credential stops working
	expires *time.Time
}

// Watch starts watching p's credential: ended is called (once, from the watcher's goroutine)
// when it stops working; release stops watching. Anonymous and read-only principals are not
// watched.
func (w *watcher) Watch(p *gqlbase.Principal, ended func(error)) (release func()) {
	if p == nil || (p.TokenID == 0 && p.SessionID == 0) {
		return func() {}
	}
	key := credKey{token: p.TokenID, session: p.SessionID, hash: string(p.SecretHash)}
	wt := &watch{ended: ended, expires: p.ExpiresAt}
	w.mu.Lock()
	set := w.entries[key]
	if set == nil {
		set = map[*watch]struct{}{}
		w.entries[key] = set
	}
	set[wt] = struct{}{}
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if set := w.entries[key]; set != nil {
			delete(set, wt)
			if len(set) == 0 {
				delete(w.entries, key)
			}
		}
	}
}

// end signals every watch of the credentials matching fn.
func (w *watcher) end(match func(credKey) bool, err error) {
	var ended []func(error)
	w.mu.Lock()
	for key, set := range w.entries {
		if !match(key) {
			continue
		}
		for wt := range set {
			ended = append(ended, wt.ended)
		}
		delete(w.entries, key)
	}
	w.mu.Unlock()
	for _, f := range ended {
		f(err)
	}
}

// TokenRevoked ends the watches of a token at once (any secret of it).
func (w *watcher) TokenRevoked(tokenID int64) {
	w.end(func(k credKey) bool { return k.token == tokenID }, gqlbase.Unauthenticated("token revoked"))
}

func (w *watcher) run(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.check(ctx)
		}
	}
}

// check ends the watches of expired credentials and asks storage about the others.
func (w *watcher) check(ctx context.Context) {
	now := time.Now()
	w.mu.Lock()
	creds := make([]storage.Credential, 0, len(w.entries))
	var expired []credKey
	for key, set := range w.entries {
		for wt := range set {
			if wt.expires != nil && now.After(*wt.expires) {
				expired = append(expired, key)
			}
			break
		}
		creds = append(creds, storage.Credential{TokenID: key.token, SessionID: key.session, Hash: []byte(key.hash)})
	}
	w.mu.Unlock()
	for _, k := range expired {
		key := k
		w.end(func(c credKey) bool { return c == key }, gqlbase.Unauthenticated("credentials expired"))
	}
	if len(creds) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	bad, err := w.store.InvalidCredentials(cctx, creds)
	if err != nil {
		w.logger.Warn("check credentials of open subscriptions", "err", err)
		return
	}
	for _, c := range bad {
		key := credKey{token: c.TokenID, session: c.SessionID, hash: string(c.Hash)}
		w.end(func(k credKey) bool { return k == key }, gqlbase.Unauthenticated("credentials revoked or expired"))
	}
}
