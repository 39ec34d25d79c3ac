package rest

import (
	"github.com/gqlbase/gqlbase/realtime"
)

// startRealtime runs the outbox listener and the hub for this server, unless the resolver
// already has a realtime service: committed events (from this process or any other on the
// same database) invalidate the caches and reach subscriptions. It stops when the server
// begins to shut down, closing every subscription.
func (s *Server) startRealtime() {
	if s.resolver.Realtime != nil {
		return
	}
	svc := realtime.NewService(s.store, realtime.Options{Logger: s.logger})
	svc.OnEvents(s.resolver.Cache.Apply)
	svc.Hub.Prepare(s.resolver.PrepareChanges)
	s.resolver.Realtime = svc
	prev := s.resolver.OnTokenRevoked
	s.resolver.OnTokenRevoked = func(id int64) {
		svc.TokenRevoked(id)
		if prev != nil {
			prev(id)
		}
	}
	svc.Start(s.closing)
}
