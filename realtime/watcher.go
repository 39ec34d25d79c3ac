package realtime

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// watcher ends what long-lived connections hold when their credential stops working: it
// checks every watched credential each interval (so a change made by another process is seen
// within it), and reacts at once to revocations made by this process.
//
// A credential with a registered re-authenticator is authenticated again in full, and each
// watch ends unless the fresh principal still grants everything it granted when the watch
// began: so a removed membership, a lowered role or a regenerated read-only id end
// subscriptions, not only a revoked token or an ended session. Credentials without one are
// checked for revocation and expiry only.
type watcher struct {
	store    *storage.Store
	logger   *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	entries map[credKey]map[*watch]struct{}
	reauth  map[string]*reauthEntry // by secret hash
}

type credKey struct {
	token, session int64
	hash           string
}

type watch struct {
	ended   func(error) // called once, when the credential stops working
	expires *time.Time
	held    *gqlbase.Principal // what the credential granted when the watch began
}

// Reauthenticate authenticates a credential again and returns the principal it gives now;
// a credential that no longer works gives a principal whose Authenticated() fails.
type Reauthenticate func(ctx context.Context) *gqlbase.Principal

type reauthEntry struct {
	fn   Reauthenticate
	refs int
}

// reauthConcurrency bounds the re-authentications one check runs at once.
const reauthConcurrency = 8

// Watch starts watching p's credential: ended is called (once, from the watcher's goroutine)
// when it stops working; release stops watching. Anonymous principals, and principals without
// a credential of their own (a multiplexed group's), are not watched.
func (w *watcher) Watch(p *gqlbase.Principal, ended func(error)) (release func()) {
	if p == nil || (p.TokenID == 0 && p.SessionID == 0 && len(p.SecretHash) == 0) {
		return func() {}
	}
	key := credKey{token: p.TokenID, session: p.SessionID, hash: string(p.SecretHash)}
	wt := &watch{ended: ended, expires: p.ExpiresAt, held: snapshot(p)}
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

// snapshot copies what a principal grants: resolvers may update the principal of a request
// (a workspace it just created), and the watch must compare with what it held at the start.
func snapshot(p *gqlbase.Principal) *gqlbase.Principal {
	c := *p
	c.Scopes = slices.Clone(p.Scopes)
	c.Roles = maps.Clone(p.Roles)
	c.Databases = maps.Clone(p.Databases)
	return &c
}

// AddReauthenticator registers how the credential whose secret hashes to hash is
// authenticated again; registrations are counted, and the first one stays in use until every
// registration is released.
func (w *watcher) AddReauthenticator(hash []byte, fn Reauthenticate) (release func()) {
	if len(hash) == 0 || fn == nil {
		return func() {}
	}
	key := string(hash)
	w.mu.Lock()
	e := w.reauth[key]
	if e == nil {
		e = &reauthEntry{fn: fn}
		w.reauth[key] = e
	}
	e.refs++
	w.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if e.refs--; e.refs == 0 && w.reauth[key] == e {
				delete(w.reauth, key)
			}
		})
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

// endEach ends the watches of key for which check returns an error, with that error.
func (w *watcher) endEach(key credKey, check func(*watch) error) {
	type ending struct {
		f   func(error)
		err error
	}
	var ended []ending
	w.mu.Lock()
	set := w.entries[key]
	for wt := range set {
		if err := check(wt); err != nil {
			ended = append(ended, ending{wt.ended, err})
			delete(set, wt)
		}
	}
	if set != nil && len(set) == 0 {
		delete(w.entries, key)
	}
	w.mu.Unlock()
	for _, e := range ended {
		e.f(e.err)
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

// check ends the watches of expired credentials, re-authenticates the credentials that can
// be, and asks storage about the others.
func (w *watcher) check(ctx context.Context) {
	now := time.Now()
	type full struct {
		key credKey
		fn  Reauthenticate
	}
	var fulls []full
	var creds []storage.Credential
	var expired []credKey
	w.mu.Lock()
	for key, set := range w.entries {
		for wt := range set {
			if wt.expires != nil && now.After(*wt.expires) {
				expired = append(expired, key)
			}
			break
		}
		if e := w.reauth[key.hash]; e != nil {
			fulls = append(fulls, full{key, e.fn})
			continue
		}
		if key.token == 0 && key.session == 0 {
			continue // nothing storage could say about it
		}
		creds = append(creds, storage.Credential{TokenID: key.token, SessionID: key.session, Hash: []byte(key.hash)})
	}
	w.mu.Unlock()
	for _, k := range expired {
		key := k
		w.end(func(c credKey) bool { return c == key }, gqlbase.Unauthenticated("credentials expired"))
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	sem := make(chan struct{}, reauthConcurrency)
	for _, f := range fulls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fresh := f.fn(cctx)
			w.endEach(f.key, func(wt *watch) error { return stillGrants(wt.held, fresh) })
		}()
	}
	wg.Wait()

	if len(creds) == 0 {
		return
	}
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
