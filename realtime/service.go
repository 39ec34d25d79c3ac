package realtime

import (
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/outbox"
)

// Options tunes the realtime service.
type Options struct {
	Logger *slog.Logger
	// CredentialCheck is how often open subscriptions' credentials are checked (default 2s).
	CredentialCheck time.Duration
	Listener        outbox.ListenerOptions
}

// Service is the realtime machinery of one process: the outbox listener, the hub it feeds,
// and the credential watcher.
type Service struct {
	Hub      *Hub
	store    *storage.Store
	logger   *slog.Logger
	listener *outbox.Listener
	watcher  *watcher
	hooks    []func([]*gqlbase.Event)
}

// NewService prepares the service; call Start to run it.
func NewService(store *storage.Store, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CredentialCheck <= 0 {
		opts.CredentialCheck = 2 * time.Second
	}
	if opts.Listener.Logger == nil {
		opts.Listener.Logger = opts.Logger
	}
	s := &Service{
		Hub: NewHub(), store: store, logger: opts.Logger,
		watcher: &watcher{store: store, logger: opts.Logger, interval: opts.CredentialCheck,
			entries: map[credKey]map[*watch]struct{}{}, reauth: map[string]*reauthEntry{}},
	}
	s.listener = outbox.NewListener(store.DB(), store.DSN(), s.dispatch, opts.Listener)
	return s
}

// OnEvents registers a function that sees every event batch before subscribers do (cache
// invalidation). Register before Start.
func (s *Service) OnEvents(f func([]*gqlbase.Event)) { s.hooks = append(s.hooks, f) }

func (s *Service) dispatch(events []*gqlbase.Event) {
	for _, h := range s.hooks {
		h(events)
	}
	s.Hub.Publish(events)
}

// Run runs the listener (restarting it if it fails) and the watcher until ctx ends; then
// every subscription is closed. It returns once all of them have stopped.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		for {
			err := s.listener.Run(ctx)
			if ctx.Err() != nil {
				return nil
			}
			s.logger.Error("event listener stopped; restarting", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
		}
	})
	g.Go(func() error {
		s.watcher.run(ctx)
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		s.Hub.CloseAll(ErrShutdown)
		return nil
	})
	return g.Wait()
}

// Listening reports whether the LISTEN connection is up.
func (s *Service) Listening() bool { return s.listener.Connected() }

// Reconnects counts how often the LISTEN connection was re-established.
func (s *Service) Reconnects() int64 { return s.listener.Reconnects() }

// Watch watches a principal's credential for the life of a subscription: ended is called
// when it stops working; release stops watching.
func (s *Service) Watch(p *gqlbase.Principal, ended func(error)) (release func()) {
	return s.watcher.Watch(p, ended)
}

// AddReauthenticator registers how the credential whose secret hashes to secretHash is
// authenticated again. While one is registered, the watcher checks that credential by
// authenticating it in full each interval (not only asking whether it was revoked) and ends
// each watch whose principal no longer grants what it did; release undoes the registration.
func (s *Service) AddReauthenticator(secretHash []byte, fn Reauthenticate) (release func()) {
	return s.watcher.AddReauthenticator(secretHash, fn)
}

// TokenRevoked ends at once what a revoked (or rotated) token holds in this process.
func (s *Service) TokenRevoked(tokenID int64) { s.watcher.TokenRevoked(tokenID) }
